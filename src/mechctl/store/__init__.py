"""YAML files, paths and atomic writes. The only layer that imports ruamel (docs/design.md §7)."""
