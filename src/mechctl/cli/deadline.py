"""A duration's words and a deadline's cell ("in 2h", "due in 4h", "overdue 3d"), the one
place that says them, for `escalation list`, `escalation show`, `status` and `report`
(docs/design.md §4).

The cell comes with its state, never with a colour: each view decides how a state looks.
"""

from __future__ import annotations

from typing import Literal

# met: done within its target; missed: done, but late; due: still to do, time left;
# overdue: still to do, time's up; none: nothing to wait for (acknowledged without a record).
State = Literal["met", "missed", "due", "overdue", "none"]


def duration(seconds: float | None) -> str:
    """45m under an hour, 5h under two days, then 3d; "-" for no duration; never negative."""
    if seconds is None:
        return "-"
    whole = max(int(seconds), 0)
    if whole < 3600:
        return f"{whole // 60}m"
    if whole < 86400 * 2:
        return f"{whole // 3600}h"
    return f"{whole // 86400}d"


def deadline(
    *,
    taken: float | None,
    target: float,
    left: float,
    waiting: bool = True,
    overdue: bool | None = None,
) -> tuple[str, State]:
    """How a response time stands, in seconds: `taken` once done; else `left` before the
    `target` runs out (negative: past it). `waiting`: whether anything is still to come.
    `overdue` overrides `left < 0` where the caller decided it from exact times."""
    if taken is not None:
        return f"in {duration(taken)}", "missed" if taken > target else "met"
    if not waiting:
        return "-", "none"
    late = left < 0 if overdue is None else overdue
    if late:
        return f"overdue {duration(-left)}", "overdue"
    return f"due in {duration(left)}", "due"


LATE: frozenset[State] = frozenset(("missed", "overdue"))
