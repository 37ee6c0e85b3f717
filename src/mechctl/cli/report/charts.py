"""The HTML report's charts: matplotlib figures rendered to inline SVG.

matplotlib is the optional `report` extra and is imported only here, only for
`--format html`, so every other command starts without it. Figures are built on `Figure`
directly (no pyplot, no GUI backend); text is drawn as paths, so the SVG needs no fonts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time
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


def inspection_outcomes(report: Report) -> str:
    """Each active mechanism's inspections over time, coloured by outcome."""
    rows = [r for r in report.inspections if r.outcomes]
    with _figure(max(1.6, 0.45 * len(rows) + 1.0)) as figure:
        axes = figure.add_subplot()
        if not rows:
            _empty(axes, "no inspections recorded yet")
            return _svg(figure, "Inspection outcomes over time")
        for outcome, colour in OUTCOME_COLOURS.items():
            xs, ys = [], []
            for y, result in enumerate(rows):
                for point in result.outcomes:
                    if point.outcome == outcome:
                        xs.append(datetime.combine(point.date, time(), UTC))
                        ys.append(y)
            axes.scatter(xs, ys, color=colour, label=outcome, s=60, marker="s", zorder=3)
        axes.set_yticks(range(len(rows)), [r.mechanism for r in rows])
        axes.set_ylim(-0.7, len(rows) - 0.3)
        axes.grid(axis="y", visible=False)
        _dates(axes)
        axes.legend(
            ncols=3,
            loc="upper left",
            bbox_to_anchor=(0, 1.0 + 0.5 / (len(rows) + 2)),
            frameon=False,
        )
        return _svg(figure, "Inspection outcomes over time")
