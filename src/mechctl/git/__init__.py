"""The git layer: the only code that runs git or imports GitPython (docs/design.md §7).

`proc` is the one process runner; `repo.Git` is what the services use, with its reads of
history (`log`), remotes and merges (`sync`) and lint's index reads (`index`) mixed in.
"""
