"""When a mechanism's next inspection is due: the one rule, free of the models, for `due`'s
warm path and for analysis (docs/design.md §8)."""

from __future__ import annotations

from datetime import date, timedelta

from mechctl.models.enums import Cadence


def inspection_due(
    cadence: Cadence | str | None, last_inspected: date | None, activated: date | None
) -> date | None:
    """The last inspection plus the cadence; never inspected: activation plus the cadence;
    None without a cadence or an anchor."""
    if cadence is None:
        return None
    anchor = last_inspected if last_inspected is not None else activated
    return None if anchor is None else anchor + timedelta(days=Cadence(cadence).days)
