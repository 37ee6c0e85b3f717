"""The HTML report's charts: matplotlib figures rendered to inline SVG.

matplotlib is the optional `report` extra and is imported only here, only for
`--format html`, so every other command starts without it. Figures are built on `Figure`
directly (no pyplot, no GUI backend); text is drawn as paths, so the SVG needs no fonts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from html import escape
from typing import Any

from mechctl.cli.styles import SEVERITY
from mechctl.services.report.data import Report

OUTCOME_COLOURS = {"on-track": "#2b8a3e", "at-risk": "#f2a900", "off-track": "#c92a2a"}
_STYLE: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "mechctl-report",  # stable element ids: the same report, the same file
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


@contextmanager
def _figure(height: float) -> Iterator[Any]:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        yield Figure(figsize=(6.0, height), layout="constrained")


def _svg(figure: Any, label: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Title": label})
    text = buffer.getvalue()
    svg = text[text.index("<svg") :]  # inline: no XML declaration or DOCTYPE
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _empty(axes: Any, message: str) -> None:
    axes.text(
        0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="#666666"
    )
    axes.set_xticks([])
    axes.set_yticks([])


def _dates(axes: Any) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(maxticks=7)  # type: ignore[no-untyped-call]
    # Days read as "Nov 08" rather than a bare "08" under a month label.
    formats = ["%Y", "%b %Y", "%b %d", "%b %d %H:%M", "%H:%M", "%S.%f"]
    formatter = ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator, formats=formats, zero_formats=formats, show_offset=False
    )
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)


def escalations_per_period(report: Report, unit: str) -> str:
    """Escalations opened per period, stacked by severity, with the resolutions as a line."""
    with _figure(3.0) as figure:
        axes = figure.add_subplot()
        labels = [f"{c.since:%b %d}" for c in report.series]
        labels[-1] = f"this {unit}" if unit != "period" else "period"
        bottom = [0] * len(report.series)
        for severity, look in SEVERITY.items():
            counts = [c.opened[severity] for c in report.series]
            axes.bar(labels, counts, bottom=bottom, color=look.colour, label=severity, width=0.6)
            bottom = [b + n for b, n in zip(bottom, counts, strict=True)]
        axes.plot(
            labels,
            [c.resolved for c in report.series],
            color="#1c7ed6",
            marker="o",
            label="resolved",
        )
        axes.set_ylabel(f"escalations per {unit}")
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(ncols=5, loc="upper left", bbox_to_anchor=(0, 1.18), frameon=False)
        return _svg(figure, f"Escalations per {unit} by severity")


def time_to_resolve(report: Report) -> str:
    """Each resolution's time to resolve as a share of its severity's target."""
    with _figure(3.0) as figure:
        axes = figure.add_subplot()
        if not report.resolutions:
            _empty(axes, "no resolutions in these periods")
            return _svg(figure, "Time to resolve against target")
        axes.axvspan(report.since, report.until, color="#e7f5ff", zorder=0, label="this period")
        for severity, look in SEVERITY.items():
            points = [r for r in report.resolutions if r.severity == severity]
            if points:
                axes.scatter(
                    [r.resolved_at for r in points],
                    [100 * r.seconds / r.target_seconds for r in points],
                    color=look.colour,
                    label=severity,
                    zorder=3,
                    s=28,
                )
        axes.axhline(100, color="#333333", linestyle="--", linewidth=1, label="target")
        axes.set_xlim(report.comparison_since, report.until)
        axes.set_ylim(bottom=0)
        axes.set_ylabel("% of target time")
        _dates(axes)
        axes.legend(ncols=6, loc="upper left", bbox_to_anchor=(0, 1.18), frameon=False)
        return _svg(figure, "Time to resolve against target")


# -- the inspection outcomes: one row a mechanism, drawn here ---------------------------------
# matplotlib drew one 0.45-inch row per mechanism, each label as glyph paths: 3 s for 200
# mechanisms, in every report. This chart is a grid of squares, which SVG says directly.
_ROW = 16  # px per mechanism
_WIDTH = 600
_TOP = 30  # the legend
_BOTTOM = 26  # the dates
_CHAR = 6.2  # px per character of an 11 px label, on average


def _month(year: int, month: int) -> date:
    """The first day of a month counted on from January of `year` (month 13: next January)."""
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _ticks(low: date, high: date, count: int = 5) -> list[date]:
    """At most about `count` first days of a month, evenly spread from `low` to `high`."""
    start = low.month + (0 if low.day == 1 else 1)
    months = (high.year - low.year) * 12 + high.month - start + 1
    step = max(1, -(-months // count))
    found: list[date] = []
    while (day := _month(low.year, start + step * len(found))) <= high:
        found.append(day)
    return found


def inspection_outcomes(report: Report) -> str:
    """Each active mechanism's inspections over time, one square each, coloured by outcome."""
    label = "Inspection outcomes over time"
    rows = [r for r in report.inspections if r.outcomes]
    head = f'<svg role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"'
    font = 'font-family="sans-serif" font-size="11"'
    if not rows:
        height = 60
        return (
            f'{head} viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}">'
            f'<text x="{_WIDTH // 2}" y="34" text-anchor="middle" fill="#666666" {font}>'
            "no inspections recorded yet</text></svg>"
        )
    days = [point.date for r in rows for point in r.outcomes]
    low, high = min(days), max(days)
    if (high - low).days < 30:
        low, high = low - timedelta(days=15), high + timedelta(days=15)
    left = min(300, int(_CHAR * max(len(r.mechanism) for r in rows)) + 12)
    span = (high - low).days or 1
    usable = _WIDTH - left - 26  # 10 px clear of the labels, 16 of the right edge

    def x(day: date) -> float:
        return round(left + 10 + (day - low).days / span * usable, 1)

    height = _TOP + _ROW * len(rows) + _BOTTOM
    parts = [f'{head} viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}">']
    at = left
    for outcome, colour in OUTCOME_COLOURS.items():  # the legend
        parts.append(f'<path d="M{at} 8h10v10h-10z" fill="{colour}"/>')
        parts.append(f'<text x="{at + 14}" y="17" {font}>{outcome}</text>')
        at += 14 + int(_CHAR * len(outcome)) + 18
    bottom = _TOP + _ROW * len(rows)
    for tick in _ticks(low, high):
        where = x(tick)
        parts.append(
            f'<path d="M{where} {_TOP - 4}V{bottom}" stroke="#dddddd" stroke-width="1"/>'
            f'<text x="{where}" y="{bottom + 16}" text-anchor="middle" {font}>'
            f"{tick:%b %Y}</text>"
        )
    for index, result in enumerate(rows):
        middle = _TOP + _ROW * index + _ROW // 2
        parts.append(
            f'<text x="{left - 8}" y="{middle + 4}" text-anchor="end" {font}>'
            f"{escape(result.mechanism)}</text>"
        )
        for point in result.outcomes:
            colour = OUTCOME_COLOURS.get(point.outcome, "#868e96")
            parts.append(
                f'<path d="M{x(point.date) - 5} {middle - 5}h10v10h-10z" fill="{colour}">'
                f"<title>{escape(result.mechanism)} {point.date}: {point.outcome}</title></path>"
            )
    parts.append("</svg>")
    return "".join(parts)
