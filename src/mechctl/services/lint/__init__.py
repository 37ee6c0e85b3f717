"""`mechctl lint` (docs/design.md §6): per-file, cross-file, repository and `--base` rules.

engine.lint runs it; rules.RULES lists the rules. This package's __init__ imports nothing,
so the warm path (cli/lint/warm.py) can load its light modules (files, cache, finding) alone.
"""
