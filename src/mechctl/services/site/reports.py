"""The weekly report pages of the site, and what each is built from (its key).

A weekly report (`report --format html`) reads the index through `ReportRows`; its key is
exactly those reads (the rows of its windows, the unresolved rows as of its end, the open
counts), plus the escalations on a mechanism raised before its end (its recurring failures
and loop closure), hashed in one pass over them for every week at once. So a change to an
escalation that no report shows renders no report again, and one that a report shows renders
that report: the key never leaves out what the page prints.
"""

from __future__ import annotations

import bisect
import hashlib
import warnings
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from mechctl.services.core.index import ESCALATION
from mechctl.services.site.sources import digest

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace
    from mechctl.services.core.index import Index


def _period(start: date, now: datetime) -> Any:
    from mechctl.services.report.build import parse_period

    end = start + timedelta(days=6)
    return parse_period(start.isoformat(), end.isoformat(), now)


_VALID = f"kind = '{ESCALATION}' AND valid = 1"


def _sha() -> Any:
    return hashlib.sha1(usedforsecurity=False)


class _Buckets:
    """Digests of rows by the interval between two edges their time falls in."""

    def __init__(self, edges: list[str]) -> None:
        self.edges = edges
        self.hashers = [_sha() for _ in edges[1:]]

    def add(self, at: str, row: tuple[Any, ...]) -> None:
        place = bisect.bisect_right(self.edges, at) - 1
        if 0 <= place < len(self.hashers):
            self.hashers[place].update(repr(row).encode("utf-8"))

    def between(self, low: str, high: str) -> list[str]:
        start, stop = self.edges.index(low), self.edges.index(high)
        return [hasher.hexdigest() for hasher in self.hashers[start:stop]]


def report_keys(
    index: Index, weeks: Sequence[tuple[str, date]], now: datetime, base: str
) -> dict[str, str]:
    """The key of each weekly report page, by its name (`base`: what every report reads
    besides the escalations: templates, mechanisms, configuration, invalid files, clock).

    Each key covers what ReportRows reads for that week, computed for all weeks at once in
    one pass over each time column: the rows raised, acknowledged and settled (by their
    time, in buckets between the windows' edges), who resolved what (by the entry's time),
    the open counts at each window's end, and, as of the week's end, the unresolved rows
    and the escalations on a mechanism (ReportRows.groups)."""
    from mechctl.services.report.query import SETTLED, UNRESOLVED, bound

    periods = {name: _period(start, now) for name, start in weeks}
    windows = {name: p.windows() for name, p in periods.items()}
    edges = sorted({bound(moment) for found in windows.values() for w in found for moment in w})
    ends = {bound(min(p.until, now)) for p in periods.values()}
    ends |= {bound(p.until) for p in periods.values()}
    cuts = sorted(ends)
    raised, acked, settled, resolvers = (_Buckets(edges) for _ in range(4))
    groups, unresolved = _sha(), _sha()
    before: dict[str, tuple[str, str]] = {}
    raised_times: list[str] = []
    cut = 0
    sql = (
        "SELECT raised_at, path, severity, mechanism, failure_mode, raised_by, id, raised_ts,"
        " status, title, level, owner, acknowledged_at, resolved_at, change_mechanism,"
        " change_version, no_change_reason, resolved_entries, settled_at"
        f" FROM files WHERE {_VALID} ORDER BY raised_at, path"
    )
    settled_times: list[str] = []
    for row in index.db.execute(sql):
        at, path, severity, mechanism, mode, by, ident, ts, status = row[:9]
        title, level, owner, acked_at, resolved_at, change, version, reason = row[9:17]
        entries, settled_at = row[17], row[18]
        while cut < len(cuts) and at >= cuts[cut]:
            before[cuts[cut]] = (groups.hexdigest(), unresolved.hexdigest())
            cut += 1
        raised_times.append(at)
        raised.add(at, (at, path, severity, mechanism, mode, by))
        if mechanism is not None:
            groups.update(repr((path, mechanism, mode, at, ident, ts)).encode("utf-8"))
        if status in UNRESOLVED:
            shown = (path, ident, title, severity, level, status, mechanism, owner, at, acked_at)
            unresolved.update(repr(shown).encode("utf-8"))
        if acked_at is not None:
            acked.add(acked_at, (acked_at, path, at, severity))
        if status in SETTLED and resolved_at is not None:
            facts = (resolved_at, path, ident, title, severity, mechanism, mode, at)
            settled.add(resolved_at, (*facts, change, version, reason))
        if entries is not None:
            for entry_at, entry_by in orjson.loads(entries):
                resolvers.add(entry_at, (path, entry_at, entry_by))
        if settled_at is not None:
            settled_times.append(settled_at)
    for rest in cuts[cut:]:
        before[rest] = (groups.hexdigest(), unresolved.hexdigest())
    settled_times.sort()
    total = len(raised_times)

    def open_at(moment: datetime) -> int:
        end = bound(moment)
        return bisect.bisect_left(raised_times, end) - bisect.bisect_left(settled_times, end)

    keys = {}
    for name, period in periods.items():
        low, high = bound(period.comparison_since), bound(period.until)
        since = bound(period.since)
        keys[name] = digest(
            base,
            name,
            total,
            raised.between(low, high),
            acked.between(low, high),
            settled.between(low, high),
            resolvers.between(since, high),
            [open_at(until) for _, until in windows[name]],
            before[high][0],
            before[bound(min(period.until, now))][1],
        )
    return keys


def report_page(ws: Workspace, start: date, now: datetime) -> str:
    """One weekly report (`report --format html`), with the site's navigation."""
    from mechctl.cli.report.html import render
    from mechctl.services.report.build import build_report

    with warnings.catch_warnings():
        # matplotlib's date locator warns on a week with a single day of data; the chart
        # is still right, and the warning is no news to a reader of the site.
        warnings.simplefilter("ignore", UserWarning)
        html = render(build_report(ws, _period(start, now)))  # its counts and rows from the index
    nav = (
        '<nav class="site"><a href="../index.html">Home</a> ·'
        ' <a href="index.html">All weekly reports</a></nav>'
    )
    return html.replace("<body>", "<body>" + nav, 1)
