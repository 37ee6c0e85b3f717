"""Words and small pictures for the report's figures, which `model.py` puts in place for every
view, so each says the same thing the same way (docs/design.md §4). Durations and deadlines
are `cli/deadline.py`'s, shared with `escalation list`."""

from __future__ import annotations

from datetime import datetime, timedelta

from mechctl.services.report.data import Compare, InspectionResult, Report, Skipped
from mechctl.services.report.mechanisms import last_day

SPARKS = "▁▂▃▄▅▆▇█"


def unit(report: Report) -> str:
    """What one period is called: a week by default."""
    length = report.until - report.since
    return {timedelta(days=7): "week", timedelta(days=1): "day"}.get(length, "period")


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}Z"


def span(start: datetime, end: datetime) -> str:
    """A period as people read it: whole days as dates (the end inclusive), else times."""
    whole = start.time() == end.time() == datetime.min.time()
    if whole:
        last = end - timedelta(days=1)
        return (
            f"{start:%Y-%m-%d}"
            if last.date() == start.date()
            else (f"{start:%Y-%m-%d} to {last:%Y-%m-%d}")
        )
    return f"{when(start)} to {when(end)}"


def title(report: Report) -> str:
    return f"Mechanism review, {span(report.since, report.until)}"


def subtitle(report: Report) -> str:
    n = report.comparison_periods
    records = report.records
    return (
        f"Compared with the {n} {unit(report)}s before"
        f" ({span(report.comparison_since, report.since)})."
        f" From {records['mechanisms']} mechanisms and {records['escalations']} escalations"
        f" as the files say at {when(report.generated_at)}; nothing is stored."
    )


def previous(compare: Compare, report: Report, *, stock: bool = False) -> str:
    """The comparison in words. A stock (open at the end) is averaged, never summed."""
    n, each = report.comparison_periods, unit(report)
    if stock:
        return (
            f"before: {compare.previous_average:g} on average at the end of each of the {n} {each}s"
        )
    return (
        f"before: {compare.previous_average:g} per {each} over the {n} {each}s"
        f" ({compare.previous_total} in all)"
    )


def change(compare: Compare) -> str:
    """An arrow against the average before: ▲ more, ▼ fewer, = the same."""
    if compare.period > compare.previous_average:
        return "▲"
    if compare.period < compare.previous_average:
        return "▼"
    return "="


def pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def numeric(values: list[object]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def sparkline(values: list[object]) -> str:
    """▁▂▃▅▇ from the numeric values, scaled between their own minimum and maximum."""
    numbers = numeric(values)
    if not numbers:
        return ""
    low, high = min(numbers), max(numbers)
    if high == low:
        return SPARKS[3] * len(numbers)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((n - low) / (high - low) * top)] for n in numbers)


def value(item: object) -> str:
    if item is None:
        return "-"
    if isinstance(item, float):
        return f"{item:g}"
    return str(item)


def last_inspection(result: InspectionResult) -> str:
    if result.last_date is None:
        return "never inspected"
    return f"{result.last_outcome} on {result.last_date} by {result.last_by}"


def next_due(result: InspectionResult, report: Report) -> str:
    if result.next_due is None:
        return "next: unknown (no cadence or activation on record)"
    days = (result.next_due - last_day(min(report.until, report.generated_at))).days
    if days < 0:
        return f"next was due {result.next_due} ({-days}d ago)"
    return f"next due {result.next_due}"


def skipped(item: Skipped) -> str:
    return f"{item.path}:{item.line}:{item.column}: {item.message}"


def outcome_trail(result: InspectionResult, last: int = 6) -> tuple[str, list[str]]:
    """A label and the latest outcomes, oldest first."""
    shown = [point.outcome for point in result.outcomes[-last:]]
    label = f"last {len(shown)} outcomes" if len(result.outcomes) > last else "outcomes"
    return label, shown
