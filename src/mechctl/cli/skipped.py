"""One way to say that a listing skipped invalid record files (docs/design.md §4): a
warning line for each of the first 20, naming its place, then one line with the count."""

from __future__ import annotations

from collections.abc import Sequence

from mechctl.cli.output import warn
from mechctl.errors import Problem

SHOWN = 20


def warn_skipped(problems: Sequence[Problem]) -> None:
    """One line per invalid file (its first problem), past SHOWN one line with the count."""
    firsts: dict[str, Problem] = {}
    for problem in problems:
        firsts.setdefault(problem.location.path, problem)
    shown = list(firsts.values())
    for problem in shown[:SHOWN]:
        warn(f"skipped {problem} (run `mechctl lint`)")
    if len(shown) > SHOWN:
        warn(f"skipped {len(shown) - SHOWN} more invalid files (run `mechctl lint`)")
