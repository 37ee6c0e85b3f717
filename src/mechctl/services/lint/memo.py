"""The last lint run's findings, answered without loading the rules (see cli/lint/warm.py).

Light imports only: no pydantic, no ruamel, no typer.
"""

from __future__ import annotations

from pathlib import Path

from mechctl import clock
from mechctl.errors import MechctlError
from mechctl.git.repo import Git
from mechctl.services.lint.cache import Cache, cache_path, generation
from mechctl.services.lint.files import (
    CONFIG_FILE,
    discover,
    prime,
    selected,
    selection,
    state_key,
)
from mechctl.services.lint.finding import Finding, LintReport


def recall(start: Path, paths: list[str]) -> LintReport | None:
    """The report of the last run, if the repository (records, HEAD, configuration,
    generated files, mechctl itself) is as it was then and no deadline has passed since;
    None otherwise, or on any error (the full command then runs and reports it)."""
    try:
        git = Git.discover(start)
        path = cache_path(git.common_dir)
        if path is None or not path.is_file():
            return None
        config = git.root / CONFIG_FILE
        gen = generation(config.read_bytes() if config.is_file() else b"")
        cache = Cache(path, gen)
        try:
            if "memo" not in cache.meta:
                return None
            snapshot = discover(git.root, git)
            recalled = cache.recall(state_key(gen, snapshot), clock.now())
        finally:
            cache.close()
        if recalled is None:
            prime(git.root, snapshot)  # the full run that follows need not look again
            return None
        chosen = selection(git.root, start, paths)
    except (MechctlError, OSError):
        return None
    files, items = recalled
    return LintReport(
        findings=[Finding(*item) for item in items if selected(item[0], chosen)],
        files=files,
        reused=files,
        root=git.root,
    )
