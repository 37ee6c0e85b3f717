"""The report's view of mechanisms: missed inspections, and each one's inspection results.

Only active mechanisms count (their status as the files say now). An inspection dated D is
taken as held at 00:00Z on D, so one dated after the end of the period is left out. The
mechanisms are the index's JSON rows (`model_dump(mode="json")`), never models
(docs/design.md §8).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from mechctl.services.core.cadence import inspection_due
from mechctl.services.report.data import (
    InspectionGap,
    InspectionResult,
    MetricPoint,
    OutcomePoint,
    SignalTrend,
)

Row = dict[str, Any]


def last_day(as_of: datetime) -> date:
    """The last calendar day (UTC) that has begun before `as_of`."""
    return (as_of - timedelta(microseconds=1)).date()


class _Active:
    """An active mechanism with only the inspections held by a day, oldest first (each with
    its date as a date)."""

    def __init__(self, row: Row, day: date) -> None:
        self.row = row
        dated = [(date.fromisoformat(i["date"]), i) for i in row.get("inspections") or []]
        # sorted() is stable: inspections of one day keep their order in the file.
        self.inspections = sorted(((d, i) for d, i in dated if d <= day), key=lambda p: p[0])
        self.plan: Row = row.get("inspection") or {}

    def next_due(self, activated: dict[str, date]) -> date | None:
        """Last inspection plus the cadence; never inspected: activation plus the cadence."""
        last = self.inspections[-1][0] if self.inspections else None
        return inspection_due(self.plan.get("cadence"), last, activated.get(self.row["id"]))


def _active(mechanisms: list[Row], day: date) -> list[_Active]:
    found = [_Active(m, day) for m in mechanisms if m["status"] == "active"]
    return sorted(found, key=lambda m: m.row["id"])


def inspection_gaps(
    mechanisms: list[Row], activated: dict[str, date], as_of: datetime
) -> list[InspectionGap]:
    """Active mechanisms not inspected within their cadence (the next inspection is past)."""
    day = last_day(as_of)
    gaps = []
    for mechanism in _active(mechanisms, day):
        cadence = mechanism.plan.get("cadence")
        if cadence is None:
            continue
        due = mechanism.next_due(activated)
        if due is not None and due >= day:
            continue
        row = mechanism.row
        last = mechanism.inspections[-1][0] if mechanism.inspections else None
        gaps.append(
            InspectionGap(
                row["id"],
                row["title"],
                row["owner"],
                cadence,
                last,
                due,
                None if due is None else (day - due).days,
            )
        )
    return gaps


def _trends(mechanism: _Active) -> list[SignalTrend]:
    """Each declared signal's values over the inspections, then any other metric recorded."""
    trends = []
    declared = set()
    held = mechanism.inspections
    for signal in mechanism.plan.get("signals") or []:
        name = signal["name"]
        declared.add(name)
        values = [MetricPoint(d, i["metrics"][name]) for d, i in held if name in i["metrics"]]
        trends.append(SignalTrend(name, signal["kind"], signal.get("target"), values))
    extra: dict[str, list[MetricPoint]] = {}
    for day, inspection in held:
        for name, value in inspection["metrics"].items():
            if name not in declared:
                extra.setdefault(name, []).append(MetricPoint(day, value))
    trends += [SignalTrend(name, None, None, values) for name, values in extra.items()]
    return trends


def inspection_results(
    mechanisms: list[Row], activated: dict[str, date], as_of: datetime
) -> list[InspectionResult]:
    """Each active mechanism's last outcome, its signal trends and its latest anecdotes."""
    results = []
    for mechanism in _active(mechanisms, last_day(as_of)):
        row = mechanism.row
        last = mechanism.inspections[-1] if mechanism.inspections else None
        results.append(
            InspectionResult(
                mechanism=row["id"],
                title=row["title"],
                owner=row["owner"],
                cadence=mechanism.plan.get("cadence"),
                last_date=None if last is None else last[0],
                last_outcome=None if last is None else last[1]["outcome"],
                last_by=None if last is None else last[1]["by"],
                next_due=mechanism.next_due(activated),
                outcomes=[OutcomePoint(d, i["outcome"]) for d, i in mechanism.inspections],
                signals=_trends(mechanism),
                anecdotes=list(last[1]["anecdotes"]) if last is not None else [],
            )
        )
    return results
