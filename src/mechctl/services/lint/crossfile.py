"""Rules that look across records, over the per-file summaries (see filecheck.py).

Deadlines, recurrence and inspection dates come from services/core/analysis.py, the same
functions `escalation list`, `due` and `report` use. A finding here is *pending*: it names a
YAML path, and the engine turns that into a line and column (cached by blob id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from mechctl.models import Cadence, Config, EscalationStatus, MechanismStatus
from mechctl.models.common import format_duration
from mechctl.models.enums import FailureMode, Severity
from mechctl.services.core import analysis
from mechctl.services.lint.filecheck import Summary
from mechctl.services.lint.files import MECHANISM
from mechctl.store.locate import suggest

# (file, YAML path in it, rule, message, level or "" for the rule's default)
Pending = tuple[str, tuple[int | str, ...], str, str, str]

# Value -> member lookups without Enum.__call__'s overhead (run over 10,000 summaries).
_STATUS: dict[str, EscalationStatus] = {m.value: m for m in EscalationStatus}
_SEVERITY: dict[str, Severity] = {m.value: m for m in Severity}
_MODE: dict[str, FailureMode] = {m.value: m for m in FailureMode}
_LIVE = (EscalationStatus.OPEN.value, EscalationStatus.ACKNOWLEDGED.value)
_UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


class Facts(NamedTuple):
    """An escalation as analysis.EscalationFacts sees it, rebuilt from a cached summary."""

    id: str
    mechanism: str | None
    failure_mode: FailureMode
    severity: Severity
    status: EscalationStatus
    raised_at: datetime
    rel: str
    change: tuple[str, int] | None


def _facts(rel: str, s: Summary) -> Facts:
    return Facts(
        s[1],
        s[2],
        _MODE[s[3]],
        _SEVERITY[s[4]],
        _STATUS[s[5]],
        datetime.fromtimestamp(s[6], UTC),
        rel,
        (s[7], s[8]) if s[7] is not None else None,
    )


def age(value: timedelta) -> str:
    """'3d 4h', '5h 10m', '12m': how long ago, to the two largest units."""
    minutes = int(value.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def run(
    summaries: dict[str, Summary],
    mechanism_stems: set[str],
    config: Config,
    now: datetime,
    activations: Callable[[], dict[str, str]],
) -> tuple[list[Pending], datetime | None]:
    """Every cross-file finding, and until when they hold (see `timed`): `untimed` and
    `timed` over the same summaries."""
    found = untimed(summaries, mechanism_stems)
    escalations, mechanisms = split(summaries)
    pending, until = timed(escalations, mechanisms, config, now, activations)
    return found + pending, until


def split(
    summaries: dict[str, Summary],
) -> tuple[list[tuple[str, Summary]], dict[str, list[tuple[str, Summary]]]]:
    """(escalations, mechanism id -> its files), each in path order."""
    mechanisms: dict[str, list[tuple[str, Summary]]] = defaultdict(list)
    escalations: list[tuple[str, Summary]] = []
    for rel, summary in sorted(summaries.items()):
        if summary[0] == MECHANISM:
            mechanisms[summary[1]].append((rel, summary))
        else:
            escalations.append((rel, summary))
    return escalations, mechanisms


def untimed(summaries: dict[str, Summary], mechanism_stems: set[str]) -> list[Pending]:
    """The cross-file findings that do not depend on the clock: duplicate ids and references.
    `mechanism_stems`: the file names of every mechanism file, valid or not, so one broken
    file does not make all its escalations 'unknown'."""
    found: list[Pending] = []
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rel, summary in summaries.items():
        ids[(summary[0], summary[1])].append(rel)
    for (kind, record), rels in ids.items():
        if len(rels) > 1:
            what = "mechanism" if kind == MECHANISM else "escalation"
            for rel in rels:
                others = ", ".join(other for other in sorted(rels) if other != rel)
                found.append(
                    (
                        rel,
                        ("id",),
                        "duplicate-id",
                        f"{what} id '{record}' is also used by {others}",
                        "",
                    )
                )
    escalations, mechanisms = split(summaries)
    known = set(mechanisms) | mechanism_stems
    found += _references(escalations, mechanisms, known)
    return found


def timed(
    escalations: Iterable[tuple[str, Summary]],
    mechanisms: dict[str, list[tuple[str, Summary]]],
    config: Config,
    now: datetime,
    activations: Callable[[], dict[str, str]],
) -> tuple[list[Pending], datetime | None]:
    """The findings that depend on the clock (deadlines, recurrence, inspections), and until
    when they hold: the first moment after `now` at which a deadline passes, a due date
    passes, an escalation leaves the 90-day window or an age in a message changes (None:
    never, as long as no file changes). `escalations` may hold any superset of the
    unresolved and the recent ones, in path order; `mechanisms` as `split` gives them."""
    found: list[Pending] = []
    # Only unresolved escalations have deadlines, and only recent ones count for recurrence;
    # in a repository of years, that is a small part, so only those become Facts.
    horizon = (now - analysis.RECURRING_WINDOW).timestamp()
    live = [_facts(rel, s) for rel, s in escalations if s[5] in _LIVE or s[6] >= horizon]
    changes: list[datetime] = []
    found += _deadlines([e for e in live if e.status in _UNRESOLVED], config, now, changes)
    found += _recurring(
        [e for e in live if e.raised_at.timestamp() >= horizon], mechanisms, now, changes
    )
    found += _inspections(mechanisms, now, activations, changes)
    return found, min((when for when in changes if when >= now), default=None)


def _unknown(field: str, name: str, known: set[str]) -> str:
    hint = suggest(name, known)
    prefix = "" if field == "mechanism" else f"{field}: "
    return f"{prefix}no mechanism '{name}'" + (f" (did you mean '{hint}'?)" if hint else "")


def _references(
    escalations: list[tuple[str, Summary]],
    mechanisms: dict[str, list[tuple[str, Summary]]],
    known: set[str],
) -> Iterable[Pending]:
    logs = {
        name: {version: set(ids) for version, ids in entries[0][1][8]}
        for name, entries in mechanisms.items()
    }  # mechanism -> version -> escalation ids
    for rel, s in escalations:
        esc_id, mechanism, name, version = s[1], s[2], s[7], s[8]
        if mechanism is not None and mechanism not in known:
            yield (
                rel,
                ("mechanism",),
                "unknown-mechanism",
                _unknown("mechanism", mechanism, known),
                "",
            )
        if name is None:
            continue
        where = ("resolution", "mechanism_change")
        if name not in known:
            yield (
                rel,
                (*where, "mechanism"),
                "unknown-mechanism",
                _unknown("mechanism_change", name, known),
                "",
            )
            continue
        if name not in mechanisms:
            continue  # the mechanism file is broken; its own findings say how
        target = mechanisms[name][0][1]
        listed = logs[name]
        if version > target[3]:
            message = (
                f"mechanism_change names {name} version {version}, but {name} is at"
                f" version {target[3]}"
            )
        elif version not in listed:
            message = f"{name} has no iterations entry for version {version}"
        elif esc_id not in listed[version]:
            message = (
                f"the iterations entry of {name} version {version} does not list"
                f" {esc_id}; the change this resolution claims is not on record"
            )
        else:
            continue
        yield rel, where, "resolution-without-change", message, "error"
    for entries in mechanisms.values():
        for rel, summary in entries:
            successor = summary[9]
            if successor is not None and successor not in known:
                yield (
                    rel,
                    ("retired", "superseded_by"),
                    "unknown-mechanism",
                    _unknown("superseded_by", successor, known),
                    "",
                )


def _age_turns(value: timedelta, now: datetime) -> datetime:
    """The last instant at which `age` still says what it says of `value` now: it counts
    minutes below a day and hours from a day on."""
    step = timedelta(hours=1) if value >= timedelta(days=1) else timedelta(minutes=1)
    return now + (step - value % step) - timedelta(microseconds=1)


def _deadlines(
    escalations: list[Facts], config: Config, now: datetime, changes: list[datetime]
) -> Iterable[Pending]:
    for esc in escalations:
        if esc.status is EscalationStatus.OPEN:
            changes.append(esc.raised_at + analysis.ack_target(esc, config))
        changes.append(esc.raised_at + analysis.resolve_target(esc, config))
        overdue = analysis.ack_overdue(esc, config, now)
        if overdue or analysis.resolve_overdue(esc, config, now):
            changes.append(_age_turns(now - esc.raised_at, now))
        if overdue:
            target = format_duration(analysis.ack_target(esc, config))
            yield (
                esc.rel,
                ("status",),
                "ack-overdue",
                (
                    f"{esc.severity.value} escalation still unacknowledged"
                    f" {age(now - esc.raised_at)} after it was raised (acknowledge within"
                    f" {target}: `mechctl escalation ack {esc.id}`)"
                ),
                "",
            )
        if analysis.resolve_overdue(esc, config, now):
            target = format_duration(analysis.resolve_target(esc, config))
            yield (
                esc.rel,
                ("status",),
                "resolve-overdue",
                (
                    f"{esc.severity.value} escalation unresolved {age(now - esc.raised_at)}"
                    f" after it was raised (resolve within {target})"
                ),
                "",
            )


def _recurring(
    recent: list[Facts],
    mechanisms: dict[str, list[tuple[str, Summary]]],
    now: datetime,
    changes: list[datetime],
) -> Iterable[Pending]:
    # A recurrence is news while it is recent: count the last window only, so a mechanism
    # that was fixed stops being flagged once its failures age out.
    changes.extend(e.raised_at + analysis.RECURRING_WINDOW for e in recent)
    by_id = {e.id: e for e in recent}
    days = analysis.RECURRING_WINDOW.days
    for failure in analysis.recurring_failures(recent):
        shown = ", ".join(failure.escalations[:5])
        if len(failure.escalations) > 5:
            shown += f" and {len(failure.escalations) - 5} more"
        message = (
            f"{len(failure.escalations)} escalations on '{failure.mechanism}' with failure mode"
            f" '{failure.failure_mode.value}' within {days} days ({shown}); change the mechanism"
            " so it stops failing this way"
        )
        if failure.mechanism in mechanisms:
            yield mechanisms[failure.mechanism][0][0], ("id",), "recurring-failure", message, ""
        else:
            newest = by_id[failure.escalations[-1]]
            yield newest.rel, ("mechanism",), "recurring-failure", message, ""


def _inspections(
    mechanisms: dict[str, list[tuple[str, Summary]]],
    now: datetime,
    activations: Callable[[], dict[str, str]],
    changes: list[datetime],
) -> Iterable[Pending]:
    today = now.date()
    activated: dict[str, str] | None = None
    for name, entries in sorted(mechanisms.items()):
        rel, s = entries[0]
        if s[2] != MechanismStatus.ACTIVE.value or s[5] is None:
            continue
        cadence = Cadence(s[5])
        last = date.fromordinal(s[6]) if s[6] is not None else None
        since: date | None = None
        if last is None:
            if activated is None:
                activated = activations()
            if name in activated:
                since = date.fromisoformat(activated[name])
            elif s[7] is not None:
                since = date.fromordinal(s[7])
        due = analysis.inspection_due(cadence, last, since)
        if due is None:
            continue
        # overdue from the day after `due` (in the clock's time zone); findings hold up to
        # and including the last instant before it, as the deadlines' do
        turn = datetime.combine(due + timedelta(days=1), time(), tzinfo=now.tzinfo)
        changes.append(turn - timedelta(microseconds=1))
        if due >= today:
            continue
        detail = (
            f"last inspected {last}"
            if last is not None
            else f"never inspected since it became active on {since}"
        )
        yield (
            rel,
            ("inspection", "cadence"),
            "inspection-overdue",
            (
                f"{cadence.value} inspection overdue since {due} ({detail}); record one with"
                f" `mechctl inspect {name}`"
            ),
            "",
        )
