"""`mechctl report`: the weekly business review of the mechanisms themselves.

Every figure is computed here, at run time, from the records and from git (when each
mechanism was activated). Nothing is stored: the index (docs/design.md §7) gives the counts
and only the rows of the period and its comparison periods (`query.py`), never every record.
The period and its comparison periods are in `period.py`; loop closure in `loop.py`;
mechanisms' inspections in `mechanisms.py`.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mechctl.errors import MechctlError, Problem
from mechctl.services.core import analysis, index
from mechctl.services.core.context import Workspace
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
    Period,
    Progress,
    compare,
    parse_period,
    seconds,
)
from mechctl.services.report.query import (
    Group,
    Raised,
    ReportRows,
    Settled,
    Unresolved,
    bound,
)
from mechctl.store.files import atomic_write

__all__ = ["Period", "build_report", "check_target", "parse_period", "save"]


class Targets:
    """The acknowledge and resolve targets by severity, from the configuration's facts
    (services/core/index/facts.py): no model of the configuration is needed."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.ack = {sev: timedelta(seconds=s) for sev, s in facts["ack_within"].items()}
        self.resolve = {sev: timedelta(seconds=s) for sev, s in facts["resolve_within"].items()}


def _figures(values: list[int], target: int) -> TimeFigures:
    if not values:
        return TimeFigures(0, None, None, 0)
    ordered = sorted(values)
    p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
    within = sum(1 for value in ordered if value <= target)
    return TimeFigures(len(ordered), int(statistics.median(ordered)), p90, within)


def _times(
    moments: Iterable[tuple[datetime, datetime, str]], period: Period, config: Targets, what: str
) -> list[SeverityTimes]:
    """Median and p90 time to acknowledge (or resolve), per severity, against the target;
    `moments` are (acknowledged or resolved at, raised at, severity)."""
    values: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for moment, raised_at, severity in moments:
        index = period.index(moment)
        if index is None:
            continue
        seconds = int((moment - raised_at).total_seconds())
        values[(severity, index == COMPARISON_PERIODS)].append(seconds)
    table = config.ack if what == "ack" else config.resolve
    rows = []
    for severity in SEVERITIES:
        target = int(table[severity].total_seconds())
        rows.append(
            SeverityTimes(
                severity,
                target,
                _figures(values[(severity, True)], target),
                _figures(values[(severity, False)], target),
            )
        )
    return rows


def _series(
    raised: list[Raised], settled: list[Settled], period: Period, rows: ReportRows
) -> list[PeriodCounts]:
    windows = period.windows()
    series = [PeriodCounts(a, b, dict.fromkeys(SEVERITIES, 0), 0, 0) for a, b in windows]
    for esc in raised:
        index = period.index(esc.raised_at)
        if index is not None:
            series[index].opened[esc.severity] += 1
    for fact in settled:
        index = period.index(fact.resolved_at)
        if index is not None:
            series[index].resolved += 1
    for counts in series:
        # Open at t means raised before t and not resolved before t (the index's settled_at
        # is max(raised, resolved): exact even for a resolution that precedes its raising).
        counts.open_at_end = rows.open_at(counts.until)
    return series


def _open(unresolved: list[Unresolved], config: Targets, as_of: datetime) -> list[OpenEscalation]:
    """Every unresolved escalation: nothing hidden or sampled. By severity, then oldest first."""
    found = []
    targets: dict[str, tuple[timedelta, timedelta]] = {}  # per severity
    for esc in unresolved:
        if esc.raised_at >= as_of:
            continue
        severity = esc.severity
        target = targets.get(severity)
        if target is None:
            target = targets[severity] = (config.ack[severity], config.resolve[severity])
        found.append(
            OpenEscalation(
                esc.id,
                esc.title,
                severity,
                esc.level,
                esc.status,
                esc.mechanism,
                esc.owner,
                esc.raised_at,
                int((as_of - esc.raised_at).total_seconds()),
                seconds(esc.raised_at, esc.acked_at),
                int(target[0].total_seconds()),
                int(target[1].total_seconds()),
                analysis.is_ack_overdue(esc.status, esc.raised_at, target[0], as_of),
                analysis.is_resolve_overdue(esc.status, esc.raised_at, target[1], as_of),
            )
        )
    found.sort(key=lambda e: (e.severity, e.raised_at, e.id))
    return found


def _strain_rows(raised: list[Raised], period: Period) -> list[StrainRow]:
    counts: dict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for esc in raised:
        index = period.index(esc.raised_at)
        if index is not None:
            key = (esc.mechanism, esc.failure_mode)
            counts[key][0 if index == COMPARISON_PERIODS else 1] += 1
    rows = [StrainRow(m, mode, now, before) for (m, mode), (now, before) in counts.items()]
    rows.sort(key=lambda r: (-r.period, -r.previous_total, r.mechanism or "", r.failure_mode))
    return rows


def _recurring(groups: list[Group], as_of: datetime) -> list[Recurring]:
    """analysis.recurring_failures over the escalations raised before `as_of`, from the
    index's rows (already grouped and ordered as it orders them)."""
    window = int(analysis.RECURRING_WINDOW.total_seconds())
    threshold = analysis.RECURRING_THRESHOLD
    before = bound(as_of)
    found = []
    start = 0
    total = len(groups)
    while start < total:
        mechanism, mode = groups[start][0], groups[start][1]
        stop = start
        while stop < total and groups[stop][0] == mechanism and groups[stop][1] == mode:
            stop += 1
        items = [g for g in groups[start:stop] if g[2] < before]
        best_from, best_size, first = 0, 0, 0
        for last in range(len(items)):
            while items[last][4] - items[first][4] > window:
                first += 1
            if last - first + 1 > best_size:
                best_from, best_size = first, last - first + 1
        if best_size >= threshold:
            ids = [g[3] for g in items[best_from : best_from + best_size]]
            found.append(Recurring(mechanism, mode, ids))
        start = stop
    return found


def _appreciation(raised: list[Raised], resolvers: list[str], period: Period) -> list[Thanks]:
    """Thanks to those who escalated and those who resolved, in the period. Sorted by name."""
    raised_by: Counter[str] = Counter(
        esc.raised_by for esc in raised if period.since <= esc.raised_at < period.until
    )
    resolved: Counter[str] = Counter(resolvers)
    people = sorted(set(raised_by) | set(resolved), key=lambda p: (p.casefold(), p))
    return [Thanks(p, raised_by[p], resolved[p]) for p in people]


def _resolutions(settled: list[Settled], period: Period, config: Targets) -> list[Resolution]:
    found = []
    for fact in settled:
        if period.index(fact.resolved_at) is None:
            continue
        found.append(
            Resolution(
                fact.id,
                fact.severity,
                fact.resolved_at,
                int((fact.resolved_at - fact.raised_at).total_seconds()),
                int(config.resolve[fact.severity].total_seconds()),
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


def build_report(ws: Workspace, period: Period, *, progress: Progress | None = None) -> Report:
    from mechctl.services.report.mechanisms import inspection_gaps, inspection_results

    now = ws.now()
    as_of = min(period.until, now)
    # Counts and only the rows of the windows, in SQL (docs/design.md §7).
    with index.open_index(ws, progress) as found:
        config = Targets(found.facts)
        rows = ReportRows(found, period.comparison_since, period.until)
        total = rows.count()
        raised = rows.raised()
        settled = rows.settled()
        acknowledged = rows.acknowledged()
        unresolved = rows.unresolved(as_of)
        groups = rows.groups()
        resolvers = rows.resolvers(period.since, period.until)
        series = _series(raised, settled, period, rows)
        mechanism_rows = list(found.mechanisms())
        mech_problems = found.problems(index.MECHANISM)
        esc_problems = found.problems(index.ESCALATION)
    mechanisms = mechanism_rows
    activated = ws.git.activation_dates()
    loop, no_change, reasons = loop_closure(settled, groups, period)
    headline = Headline(
        opened=compare([sum(c.opened.values()) for c in series]),
        resolved=compare([c.resolved for c in series]),
        open_at_end=compare([c.open_at_end for c in series]),
        time_to_acknowledge=_times(acknowledged, period, config, "ack"),
        time_to_resolve=_times(
            ((f.resolved_at, f.raised_at, f.severity) for f in settled), period, config, "resolve"
        ),
    )
    strain = Strain(
        by_mechanism=_strain_rows(raised, period),
        recurring=_recurring(groups, as_of),
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
            "escalations": total,
            "invalid_files": len(problems),
        },
        headline=headline,
        open_escalations=_open(unresolved, config, as_of),
        strain=strain,
        loop=loop,
        inspections=inspection_results(mechanisms, activated, as_of),
        appreciation=_appreciation(raised, resolvers, period),
        series=series,
        resolutions=_resolutions(settled, period, config),
        skipped=problems,
    )
