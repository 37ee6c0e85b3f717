"""`mechctl report`: the weekly business review of the mechanisms themselves.

Every figure is computed here, at run time, from the records (through the catalog) and from
git (when each mechanism was activated). Nothing is stored. The period and its comparison
periods are in `report_period`; loop closure in `report_loop`; mechanisms' inspections in
`report_mechanisms`.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from mechctl.errors import MechctlError, Problem
from mechctl.models import Config, Escalation, Mechanism, TimelineAction
from mechctl.models.enums import Severity
from mechctl.services.core import analysis, catalog
from mechctl.services.core.context import Workspace
from mechctl.services.escalation.read import UNRESOLVED
from mechctl.services.report.data import (
    Headline,
    OpenEscalation,
    PeriodCounts,
    Recurring,
    Report,
    Resolution,
    SeverityTimes,
    Skipped,
    Strain,
    StrainRow,
    Thanks,
    TimeFigures,
)
from mechctl.services.report.loop import loop_closure
from mechctl.services.report.period import (
    COMPARISON_PERIODS,
    SEVERITIES,
    Facts,
    Period,
    Progress,
    compare,
    facts_of,
    parse_period,
    seconds,
)
from mechctl.store.files import atomic_write

__all__ = ["Period", "build_report", "check_target", "parse_period", "save"]


def _figures(values: list[int], target: int) -> TimeFigures:
    if not values:
        return TimeFigures(0, None, None, 0)
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    within = sum(1 for value in ordered if value <= target)
    return TimeFigures(len(ordered), int(statistics.median(ordered)), p90, within)


def _times(
    facts: Iterable[Facts], period: Period, config: Config, what: str
) -> list[SeverityTimes]:
    """Median and p90 time to acknowledge (or resolve), per severity, against the target."""
    values: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for fact in facts:
        moment = fact.acked_at if what == "ack" else fact.resolved_at
        index = period.index(moment)
        if index is None or moment is None:
            continue
        seconds = int((moment - fact.esc.raised_at).total_seconds())
        values[(fact.esc.severity.value, index == COMPARISON_PERIODS)].append(seconds)
    table = config.escalation.ack_within if what == "ack" else config.escalation.resolve_within
    rows = []
    for severity in SEVERITIES:
        target = int(table[Severity(severity)].total_seconds())
        rows.append(
            SeverityTimes(
                severity,
                target,
                _figures(values[(severity, True)], target),
                _figures(values[(severity, False)], target),
            )
        )
    return rows


def _series(facts: list[Facts], period: Period) -> list[PeriodCounts]:
    windows = period.windows()
    series = [PeriodCounts(a, b, dict.fromkeys(SEVERITIES, 0), 0, 0) for a, b in windows]
    raised, settled = [], []
    for fact in facts:
        esc = fact.esc
        raised.append(esc.raised_at)
        if fact.resolved_at is not None:
            # Open at t means raised before t and not resolved before t; max() keeps that
            # exact even for a record whose resolution precedes its raising.
            settled.append(max(esc.raised_at, fact.resolved_at))
        index = period.index(esc.raised_at)
        if index is not None:
            series[index].opened[esc.severity.value] += 1
        index = period.index(fact.resolved_at)
        if index is not None:
            series[index].resolved += 1
    raised.sort()
    settled.sort()
    for counts in series:
        end = counts.until
        counts.open_at_end = bisect.bisect_left(raised, end) - bisect.bisect_left(settled, end)
    return series


def _open(facts: list[Facts], config: Config, as_of: datetime) -> list[OpenEscalation]:
    """Every unresolved escalation: nothing hidden or sampled. By severity, then oldest first."""
    found = []
    targets: dict[str, tuple[int, int]] = {}  # per severity: the same for every escalation
    for fact in facts:
        esc = fact.esc
        if esc.status not in UNRESOLVED or esc.raised_at >= as_of:
            continue
        severity = esc.severity.value
        target = targets.get(severity)
        if target is None:
            target = targets[severity] = (
                int(analysis.ack_target(esc, config).total_seconds()),
                int(analysis.resolve_target(esc, config).total_seconds()),
            )
        found.append(
            OpenEscalation(
                esc.id,
                esc.title,
                severity,
                esc.level,
                esc.status.value,
                esc.mechanism,
                esc.owner,
                esc.raised_at,
                int((as_of - esc.raised_at).total_seconds()),
                seconds(esc.raised_at, fact.acked_at),
                target[0],
                target[1],
                analysis.ack_overdue(esc, config, as_of),
                analysis.resolve_overdue(esc, config, as_of),
            )
        )
    found.sort(key=lambda e: (e.severity, e.raised_at, e.id))
    return found


def _strain_rows(facts: list[Facts], period: Period) -> list[StrainRow]:
    counts: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for fact in facts:
        index = period.index(fact.esc.raised_at)
        if index is not None:
            key = (fact.esc.mechanism, fact.esc.failure_mode.value)
            counts[key][0 if index == COMPARISON_PERIODS else 1] += 1
    rows = [StrainRow(m, mode, now, before) for (m, mode), (now, before) in counts.items()]
    rows.sort(key=lambda r: (-r.period, -r.previous_total, r.mechanism or "", r.failure_mode))
    return rows


def _appreciation(facts: list[Facts], period: Period) -> list[Thanks]:
    """Thanks to those who escalated and those who resolved, in the period. Sorted by name."""
    raised: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    for fact in facts:
        if period.since <= fact.esc.raised_at < period.until:
            raised[fact.esc.raised_by] += 1
        for entry in fact.esc.timeline:
            if entry.action is TimelineAction.RESOLVED and period.since <= entry.at < period.until:
                resolved[entry.by] += 1
    people = sorted(set(raised) | set(resolved), key=lambda p: (p.casefold(), p))
    return [Thanks(p, raised[p], resolved[p]) for p in people]


def _resolutions(facts: list[Facts], period: Period, config: Config) -> list[Resolution]:
    found = []
    for fact in facts:
        if period.index(fact.resolved_at) is None or fact.resolved_at is None:
            continue
        esc = fact.esc
        found.append(
            Resolution(
                esc.id,
                esc.severity.value,
                fact.resolved_at,
                int((fact.resolved_at - esc.raised_at).total_seconds()),
                int(analysis.resolve_target(esc, config).total_seconds()),
            )
        )
    found.sort(key=lambda r: (r.resolved_at, r.id))
    return found


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current


def check_target(path: Path) -> None:
    """Refuse an --out path that cannot be written, before any work is done."""
    if path.is_dir():
        raise MechctlError(f"cannot write {path}: it is a folder")
    for parent in path.parents:  # missing folders are made; a file in the way is refused
        if parent.exists():
            if not parent.is_dir():
                raise MechctlError(f"cannot write {path}: {parent} is not a folder")
            break


def save(path: Path, text: str) -> None:
    """Write the rendered report to `path` (atomically: a reader never sees half of it)."""
    check_target(path)
    try:
        # mkstemp makes the temporary file private; the report gets the usual mode.
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        atomic_write(path, text)
        path.chmod(mode)
    except OSError as exc:
        raise MechctlError(f"cannot write {path}: {exc.strerror or exc}") from None


def _skipped(problems: Iterable[Problem]) -> list[Skipped]:
    return [
        Skipped(p.location.path, p.location.line, p.location.column, p.message) for p in problems
    ]


def build_report(
    ws: Workspace,
    period: Period,
    *,
    progress: Progress | None = None,
    loaded: tuple[list[Escalation], list[Problem], list[Mechanism], list[Problem]] | None = None,
) -> Report:
    """The report of `period`. `loaded`: the records and problems as the catalog gives them
    (escalations, their problems, mechanisms, theirs), when the caller already has them (the
    site builds many weeks from one load)."""
    from mechctl.services.report.mechanisms import inspection_gaps, inspection_results

    if loaded is None:
        escalations, esc_problems = catalog.escalations(ws, progress=progress)
        mechanisms, mech_problems = catalog.mechanisms(ws)
    else:
        escalations, esc_problems, mechanisms, mech_problems = loaded
    config = ws.config
    now = ws.now()
    as_of = min(period.until, now)
    activated = ws.git.activation_dates()
    facts = [facts_of(esc) for esc in escalations]
    loop, no_change, reasons = loop_closure(facts, period)
    series = _series(facts, period)
    headline = Headline(
        opened=compare([sum(c.opened.values()) for c in series]),
        resolved=compare([c.resolved for c in series]),
        open_at_end=compare([c.open_at_end for c in series]),
        time_to_acknowledge=_times(facts, period, config, "ack"),
        time_to_resolve=_times(facts, period, config, "resolve"),
    )
    strain = Strain(
        by_mechanism=_strain_rows(facts, period),
        recurring=[
            Recurring(r.mechanism, r.failure_mode.value, list(r.escalations))
            for r in analysis.recurring_failures(e for e in escalations if e.raised_at < as_of)
        ],
        inspection_overdue=inspection_gaps(mechanisms, activated, as_of),
        no_change=no_change,
        no_change_escalations=reasons,
    )
    problems = _skipped([*mech_problems, *esc_problems])
    return Report(
        generated_at=now,
        since=period.since,
        until=period.until,
        comparison_since=period.comparison_since,
        comparison_periods=COMPARISON_PERIODS,
        records={
            "mechanisms": len(mechanisms),
            "escalations": len(escalations),
            "invalid_files": len(problems),
        },
        headline=headline,
        open_escalations=_open(facts, config, as_of),
        strain=strain,
        loop=loop,
        inspections=inspection_results(mechanisms, activated, as_of),
        appreciation=_appreciation(facts, period),
        series=series,
        resolutions=_resolutions(facts, period, config),
        skipped=problems,
    )
