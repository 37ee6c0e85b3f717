"""Figures derived from records, shared by `escalation list`, lint, `due`, `report` and
`status`, so every view applies the same rule the same way. Pure functions: no I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from mechctl.models import Cadence, Config, EscalationStatus, Mechanism
from mechctl.models.enums import FailureMode, Severity
from mechctl.services.core import cadence as cadence_rule

RECURRING_WINDOW = timedelta(days=90)
RECURRING_THRESHOLD = 3
_UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)
_OPEN = EscalationStatus.OPEN.value
_UNRESOLVED_VALUES = frozenset(s.value for s in _UNRESOLVED)


class EscalationFacts(Protocol):
    """What these rules read of an escalation: an `Escalation`, or lint's cached summary of
    one (so a warm lint applies the same rules without re-reading 10,000 files)."""

    @property
    def id(self) -> str: ...
    @property
    def mechanism(self) -> str | None: ...
    @property
    def failure_mode(self) -> FailureMode: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def status(self) -> EscalationStatus: ...
    @property
    def raised_at(self) -> datetime: ...


def ack_target(esc: EscalationFacts, config: Config) -> timedelta:
    return config.escalation.ack_within[esc.severity]


def resolve_target(esc: EscalationFacts, config: Config) -> timedelta:
    return config.escalation.resolve_within[esc.severity]


def is_ack_overdue(status: str, raised: datetime, target: timedelta, now: datetime) -> bool:
    """Still open (not yet acknowledged) past its acknowledge time."""
    return status == _OPEN and now > raised + target


def is_resolve_overdue(status: str, raised: datetime, target: timedelta, now: datetime) -> bool:
    """Still unresolved past its resolve time."""
    return status in _UNRESOLVED_VALUES and now > raised + target


def ack_overdue(esc: EscalationFacts, config: Config, now: datetime) -> bool:
    return is_ack_overdue(esc.status.value, esc.raised_at, ack_target(esc, config), now)


def resolve_overdue(esc: EscalationFacts, config: Config, now: datetime) -> bool:
    return is_resolve_overdue(esc.status.value, esc.raised_at, resolve_target(esc, config), now)


@dataclass(frozen=True)
class RecurringFailure:
    mechanism: str
    failure_mode: FailureMode
    escalations: tuple[str, ...]  # the ids inside the densest 90-day window, oldest first


def recurring_failures(
    escalations: Iterable[EscalationFacts],
    *,
    window: timedelta = RECURRING_WINDOW,
    threshold: int = RECURRING_THRESHOLD,
) -> list[RecurringFailure]:
    """Mechanisms that failed the same way `threshold` or more times within `window`."""
    groups: dict[tuple[str, FailureMode], list[EscalationFacts]] = defaultdict(list)
    for esc in escalations:
        if esc.mechanism is not None:
            groups[(esc.mechanism, esc.failure_mode)].append(esc)
    found = []
    for (mechanism, mode), items in sorted(groups.items()):
        items.sort(key=lambda e: (e.raised_at, e.id))
        best: Sequence[EscalationFacts] = ()
        start = 0
        for end in range(len(items)):
            while items[end].raised_at - items[start].raised_at > window:
                start += 1
            if end - start + 1 > len(best):
                best = items[start : end + 1]
        if len(best) >= threshold:
            found.append(RecurringFailure(mechanism, mode, tuple(e.id for e in best)))
    return found


def next_inspection(mechanism: Mechanism, activated: date | None = None) -> date | None:
    """Last inspection plus the cadence; never inspected: activation plus the cadence."""
    last = max((record.date for record in mechanism.inspections), default=None)
    return inspection_due(mechanism.inspection.cadence, last, activated)


def inspection_due(
    cadence: Cadence | None, last_inspected: date | None, activated: date | None
) -> date | None:
    """`next_inspection` from the three facts it needs (lint keeps only these per file)."""
    return cadence_rule.inspection_due(cadence, last_inspected, activated)
