"""The weekly report pages of the site, and what each is built from (its key).

A weekly report (`report --format html`) reads the index through `ReportRows`; its key is
exactly those reads (the rows of its windows, the unresolved rows as of its end, the open
counts), plus the escalations on a mechanism raised before its end (its recurring failures
and loop closure), hashed in one pass over them for every week at once. So a change to an
escalation that no report shows renders no report again, and one that a report shows renders
that report: the key never leaves out what the page prints.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mechctl.services.core.index import ESCALATION
from mechctl.services.site.sources import digest

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace
    from mechctl.services.core.index import Index


def _period(start: date, now: datetime) -> Any:
    from mechctl.services.report.build import parse_period

    end = start + timedelta(days=6)
    return parse_period(start.isoformat(), end.isoformat(), now)


def _groups_before(index: Index, bounds: Sequence[str]) -> dict[str, str]:
    """For each bound, a digest of every escalation on a mechanism raised before it (what
    ReportRows.groups reads), from one pass in raising order."""
    sql = (
        "SELECT raised_at, path, mechanism, failure_mode, id, raised_ts FROM files"
        " WHERE kind = ? AND valid = 1 AND mechanism IS NOT NULL ORDER BY raised_at, path"
    )
    wanted = sorted(set(bounds))
    found: dict[str, str] = {}
    hasher = hashlib.sha1(usedforsecurity=False)
    at = 0
    for row in index.db.execute(sql, (ESCALATION,)):
        while at < len(wanted) and row[0] >= wanted[at]:
            found[wanted[at]] = hasher.hexdigest()
            at += 1
        hasher.update(repr(row).encode("utf-8"))
    for bound in wanted[at:]:
        found[bound] = hasher.hexdigest()
    return found


def report_keys(
    index: Index, weeks: Sequence[tuple[str, date]], now: datetime, base: str
) -> dict[str, str]:
    """The key of each weekly report page, by its name (`base`: what every report reads
    besides the escalations: templates, mechanisms, configuration, invalid files, clock)."""
    from mechctl.services.report.query import ReportRows, bound

    periods = {name: _period(start, now) for name, start in weeks}
    groups = _groups_before(index, [bound(p.until) for p in periods.values()])
    keys = {}
    for name, period in periods.items():
        rows = ReportRows(index, period.comparison_since, period.until)
        as_of = min(period.until, now)
        keys[name] = digest(
            base,
            name,
            rows.count(),
            rows.raised(),
            rows.settled(),
            rows.acknowledged(),
            rows.unresolved(as_of),
            rows.resolvers(period.since, period.until),
            [rows.open_at(until) for _, until in period.windows()],
            groups[bound(period.until)],
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
