"""The git layer: the only code that runs git or imports GitPython (docs/design.md §7)."""
