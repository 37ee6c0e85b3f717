"""YAML files, paths and atomic writes. The only layer that imports ruamel (DESIGN §7)."""
