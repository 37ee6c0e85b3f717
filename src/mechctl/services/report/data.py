"""The figures of `mechctl report`, as plain dataclasses: every number the renderers show.

Nothing here is stored: `services/report/build.py` computes all of it from the records and git at
run time. `as_dict` gives the JSON form (`dataclasses.asdict`, with times as ISO-8601 UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

MetricValue = float | int | str


@dataclass
class Compare:
    """A count in the period against the comparison periods before it."""

    period: int
    previous_total: int
    previous_average: float  # per period: previous_total / number of comparison periods


@dataclass
class TimeFigures:
    count: int
    median_seconds: int | None  # statistics.median, rounded down to the second
    p90_seconds: int | None  # nearest rank: the ceil(0.9 * count)-th smallest value
    within_target: int


@dataclass
class SeverityTimes:
    severity: str
    target_seconds: int
    period: TimeFigures
    previous: TimeFigures  # pooled over all comparison periods


@dataclass
class Headline:
    opened: Compare
    resolved: Compare
    open_at_end: Compare  # open at the end of the period (previous: at the end of each)
    time_to_acknowledge: list[SeverityTimes]
    time_to_resolve: list[SeverityTimes]


@dataclass
class OpenEscalation:
    id: str
    title: str
    severity: str
    level: str
    status: str
    mechanism: str | None
    owner: str | None
    raised_at: datetime
    age_seconds: int
    time_to_acknowledge_seconds: int | None
    ack_target_seconds: int
    resolve_target_seconds: int
    ack_overdue: bool
    resolve_overdue: bool


@dataclass
class StrainRow:
    mechanism: str | None
    failure_mode: str
    period: int
    previous_total: int


@dataclass
class Recurring:
    mechanism: str
    failure_mode: str
    escalations: list[str]


@dataclass
class InspectionGap:
    mechanism: str
    title: str
    owner: str
    cadence: str | None
    last_inspection: date | None
    due: date | None  # None: never inspected and no activation on record
    days_overdue: int | None


@dataclass
class NoChange:
    id: str
    title: str
    mechanism: str | None
    resolved_at: datetime
    reason: str


@dataclass
class Strain:
    by_mechanism: list[StrainRow]
    recurring: list[Recurring]
    inspection_overdue: list[InspectionGap]
    no_change: Compare
    no_change_escalations: list[NoChange]  # those resolved in the period


@dataclass
class LoopChange:
    id: str
    title: str
    mechanism: str
    failure_mode: str
    version: int
    resolved_at: datetime
    recurred_by: list[str]  # same mechanism and failure mode, raised after the resolution


@dataclass
class Loop:
    resolved: Compare
    changed_mechanism: Compare
    share_changed: float | None  # in the period; None when nothing was resolved
    previous_share_changed: float | None
    held: int  # changes below with no recurrence so far
    recurred: int
    changes: list[LoopChange]  # resolved by a change in the period or the comparison periods


@dataclass
class MetricPoint:
    date: date
    value: MetricValue


@dataclass
class SignalTrend:
    name: str
    kind: str | None  # None: a metric recorded at inspections but not a declared signal
    target: MetricValue | None
    values: list[MetricPoint]


@dataclass
class OutcomePoint:
    date: date
    outcome: str


@dataclass
class InspectionResult:
    mechanism: str
    title: str
    owner: str
    cadence: str | None
    last_date: date | None
    last_outcome: str | None
    last_by: str | None
    next_due: date | None
    outcomes: list[OutcomePoint]
    signals: list[SignalTrend]
    anecdotes: list[str]  # from the last inspection, next to its data


@dataclass
class Thanks:
    person: str
    raised: int
    resolved: int


@dataclass
class PeriodCounts:
    since: datetime
    until: datetime
    opened: dict[str, int]  # by severity
    resolved: int
    open_at_end: int


@dataclass
class Resolution:
    id: str
    severity: str
    resolved_at: datetime
    seconds: int
    target_seconds: int


@dataclass
class Skipped:
    path: str
    line: int
    column: int
    message: str


@dataclass
class Report:
    generated_at: datetime
    since: datetime
    until: datetime
    comparison_since: datetime
    comparison_periods: int
    records: dict[str, int]
    headline: Headline
    open_escalations: list[OpenEscalation]
    strain: Strain
    loop: Loop
    inspections: list[InspectionResult]
    appreciation: list[Thanks]
    series: list[PeriodCounts]  # the comparison periods, oldest first, then the period
    resolutions: list[Resolution]  # every resolution in the comparison periods and the period
    skipped: list[Skipped] = field(default_factory=list)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    # `dataclasses.asdict` deep-copies every value; over 20,000 rows that costs seconds.
    # This walk builds the same result without copying.
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(value):
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def as_dict(data: Any) -> Any:
    """The JSON form of any dataclass here: as `dataclasses.asdict` gives it, with dates and
    times as ISO-8601 (UTC) strings."""
    return _plain(data)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(data: Any) -> bytes:
    """`as_dict(data)` as indented JSON, written by orjson straight from the dataclasses (a
    report of 100,000 escalations has over 100,000 values to walk): the same bytes, which a
    test compares."""
    import orjson

    option = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(data, default=_default, option=option)
