"""`mechctl due`: active mechanisms whose next inspection is due or overdue.

The next inspection is the last one plus the cadence (services/core/cadence.py). A mechanism
never inspected counts from its activation: the newest `mechanism.activate` commit in git (one
`git log` for all of them), or, failing that, its latest iteration's date. It reads the
mechanisms as the index's JSON rows, never as models (docs/design.md §8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mechctl.errors import Problem, UsageError
from mechctl.services.core.cadence import inspection_due
from mechctl.services.core.context import Workspace
from mechctl.services.mechanism.listing import mechanism_rows


@dataclass
class DueItem:
    mechanism: str
    title: str
    owner: str
    cadence: str
    inspector: str | None
    last_inspected: date | None
    since: str  # what the date counts from: inspection, activation, iteration, unknown
    due: date
    days: int  # days until due; negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days < 0

    def as_json(self) -> dict[str, Any]:
        return {
            "mechanism": self.mechanism,
            "title": self.title,
            "owner": self.owner,
            "cadence": self.cadence,
            "inspector": self.inspector,
            "last_inspected": self.last_inspected.isoformat() if self.last_inspected else None,
            "counted_from": self.since,
            "due": self.due.isoformat(),
            "days": self.days,
            "overdue": self.overdue,
        }


@dataclass
class DueReport:
    today: date
    within: int
    items: list[DueItem]
    problems: list[Problem] = field(default_factory=list)  # record files that do not load

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.items if item.overdue]


def _item(mechanism: dict[str, Any], today: date, activated: dict[str, date]) -> DueItem | None:
    plan = mechanism.get("inspection") or {}
    cadence = plan.get("cadence")
    if cadence is None:
        return None
    dates = [date.fromisoformat(record["date"]) for record in mechanism.get("inspections") or []]
    last = max(dates, default=None)
    since = "inspection"
    start = activated.get(mechanism["id"])
    if last is None:
        since = "activation"
        iterations = mechanism.get("iterations") or []
        if start is None and iterations:
            start = max(date.fromisoformat(it["date"]) for it in iterations)
            since = "iteration"
    due = inspection_due(cadence, last, start)
    if due is None:  # never inspected, start unknown: due now
        due, since = today, "unknown"
    return DueItem(
        mechanism=mechanism["id"],
        title=mechanism["title"],
        owner=mechanism["owner"],
        cadence=cadence,
        inspector=plan.get("inspector"),
        last_inspected=last,
        since=since,
        due=due,
        days=(due - today).days,
    )


def due(ws: Workspace, within: int = 7) -> DueReport:
    if within < 0:
        raise UsageError(f"--within must be 0 or more days, not {within}")
    today = ws.now().date()
    active, problems = mechanism_rows(ws, status="active")
    # One git log, and only when some mechanism has never been inspected.
    activated = ws.git.activation_dates() if any(not m.get("inspections") for m in active) else {}
    items = [item for m in active if (item := _item(m, today, activated)) is not None]
    shown = [item for item in items if item.days <= within]
    shown.sort(key=lambda item: (item.days, item.mechanism))
    return DueReport(today=today, within=within, items=shown, problems=problems)
