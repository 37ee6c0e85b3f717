"""The report's view of mechanisms: missed inspections, and each one's inspection results.

Only active mechanisms count (their status as the files say now). An inspection dated D is
taken as held at 00:00Z on D, so one dated after the end of the period is left out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mechctl.models import Mechanism
from mechctl.models.enums import MechanismStatus
from mechctl.services.core.analysis import next_inspection
from mechctl.services.report.data import (
    InspectionGap,
    InspectionResult,
    MetricPoint,
    OutcomePoint,
    SignalTrend,
)


def last_day(as_of: datetime) -> date:
    """The last calendar day (UTC) that has begun before `as_of`."""
    return (as_of - timedelta(microseconds=1)).date()


def _as_of(mechanism: Mechanism, day: date) -> Mechanism:
    """The mechanism with only the inspections held by `day`, oldest first."""
    kept = sorted((i for i in mechanism.inspections if i.date <= day), key=lambda i: i.date)
    if len(kept) == len(mechanism.inspections) and kept == mechanism.inspections:
        return mechanism
    return mechanism.model_copy(update={"inspections": kept})


def _active(mechanisms: list[Mechanism], day: date) -> list[Mechanism]:
    found = [_as_of(m, day) for m in mechanisms if m.status is MechanismStatus.ACTIVE]
    return sorted(found, key=lambda m: m.id)


def inspection_gaps(
    mechanisms: list[Mechanism], activated: dict[str, date], as_of: datetime
) -> list[InspectionGap]:
    """Active mechanisms not inspected within their cadence (the next inspection is past)."""
    day = last_day(as_of)
    gaps = []
    for mechanism in _active(mechanisms, day):
        cadence = mechanism.inspection.cadence
        if cadence is None:
            continue
        due = next_inspection(mechanism, activated.get(mechanism.id))
        if due is not None and due >= day:
            continue
        last = mechanism.inspections[-1].date if mechanism.inspections else None
        gaps.append(
            InspectionGap(
                mechanism.id,
                mechanism.title,
                mechanism.owner,
                cadence.value,
                last,
                due,
                None if due is None else (day - due).days,
            )
        )
    return gaps


def _trends(mechanism: Mechanism) -> list[SignalTrend]:
    """Each declared signal's values over the inspections, then any other metric recorded."""
    trends = []
    declared = set()
    for signal in mechanism.inspection.signals:
        declared.add(signal.name)
        values = [
            MetricPoint(i.date, i.metrics[signal.name])
            for i in mechanism.inspections
            if signal.name in i.metrics
        ]
        trends.append(SignalTrend(signal.name, signal.kind.value, signal.target, values))
    extra: dict[str, list[MetricPoint]] = {}
    for inspection in mechanism.inspections:
        for name, value in inspection.metrics.items():
            if name not in declared:
                extra.setdefault(name, []).append(MetricPoint(inspection.date, value))
    trends += [SignalTrend(name, None, None, values) for name, values in extra.items()]
    return trends


def inspection_results(
    mechanisms: list[Mechanism], activated: dict[str, date], as_of: datetime
) -> list[InspectionResult]:
    """Each active mechanism's last outcome, its signal trends and its latest anecdotes."""
    results = []
    for mechanism in _active(mechanisms, last_day(as_of)):
        last = mechanism.inspections[-1] if mechanism.inspections else None
        cadence = mechanism.inspection.cadence
        results.append(
            InspectionResult(
                mechanism=mechanism.id,
                title=mechanism.title,
                owner=mechanism.owner,
                cadence=None if cadence is None else cadence.value,
                last_date=None if last is None else last.date,
                last_outcome=None if last is None else last.outcome.value,
                last_by=None if last is None else last.by,
                next_due=next_inspection(mechanism, activated.get(mechanism.id)),
                outcomes=[OutcomePoint(i.date, i.outcome.value) for i in mechanism.inspections],
                signals=_trends(mechanism),
                anecdotes=list(last.anecdotes) if last is not None else [],
            )
        )
    return results
