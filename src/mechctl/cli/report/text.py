"""The report in the terminal: rich tables, with sparklines for the inspection trends."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from mechctl.cli.report import format as fmt
from mechctl.services.report.data import Report, SeverityTimes

_SEV_STYLE = {"sev1": "bold red", "sev2": "red", "sev3": "yellow", "sev4": "dim"}
_OUTCOME_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "bold red"}


def _table(*columns: str) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    for column in columns:
        table.add_column(column, no_wrap=column not in ("TITLE", "REASON"))
    return table


def _heading(number: int, extra: str = "") -> Text:
    text = Text(f"\n{number}. {fmt.SECTIONS[number - 1]}", style="bold underline")
    if extra:
        text.append(f" {extra}", style="bold")
    return text


def _late(text: str, late: bool) -> Text:
    return Text(text, style="bold red" if late else "")


def _times(rows: list[SeverityTimes]) -> Table:
    table = _table(
        "SEV", "N", "MEDIAN", "P90", "TARGET", "WITHIN TARGET", "│ BEFORE: N", "MEDIAN", "P90"
    )
    for row in rows:
        now, before = row.period, row.previous
        if now.count == 0 and before.count == 0:
            continue
        table.add_row(
            Text(row.severity, style=_SEV_STYLE[row.severity]),
            str(now.count),
            _late(fmt.human(now.median_seconds), (now.median_seconds or 0) > row.target_seconds),
            _late(fmt.human(now.p90_seconds), (now.p90_seconds or 0) > row.target_seconds),
            fmt.human(row.target_seconds),
            f"{now.within_target}/{now.count}" if now.count else "-",
            f"│ {before.count}",
            fmt.human(before.median_seconds),
            fmt.human(before.p90_seconds),
        )
    return table


def _headline(report: Report) -> list[RenderableType]:
    head = report.headline
    table = _table("", "", "", "")
    table.show_header = False
    for label, compare in (
        ("opened", head.opened),
        ("resolved", head.resolved),
        ("open at end", head.open_at_end),
    ):
        table.add_row(
            label,
            str(compare.period),
            fmt.change(compare),
            fmt.previous(compare, report, stock=compare is head.open_at_end),
        )
    parts: list[RenderableType] = [_heading(1), table]
    for what, rows in (
        ("acknowledge", head.time_to_acknowledge),
        ("resolve", head.time_to_resolve),
    ):
        if any(r.period.count or r.previous.count for r in rows):
            parts += [Text(f"\nTime to {what}", style="bold"), _times(rows)]
        else:
            parts.append(Text(f"\nTime to {what}: nothing in these periods", style="dim"))
    return parts


def _open(report: Report) -> list[RenderableType]:
    found = report.open_escalations
    parts: list[RenderableType] = [_heading(2, f"({len(found)})")]
    if not found:
        return [*parts, Text("none: every escalation is resolved", style="green")]
    table = _table("SEV", "AGE", "LEVEL", "STATUS", "MECHANISM", "ACK", "RESOLVE", "ID", "TITLE")
    for esc in found:
        table.add_row(
            Text(esc.severity, style=_SEV_STYLE[esc.severity]),
            fmt.human(esc.age_seconds),
            esc.level,
            esc.status,
            esc.mechanism or "(none)",
            _late(*fmt.ack_state(esc)),
            _late(*fmt.resolve_state(esc)),
            esc.id,
            esc.title,
        )
    return [*parts, table]


def _strain(report: Report) -> list[RenderableType]:
    strain = report.strain
    parts: list[RenderableType] = [_heading(3)]
    n, unit = report.comparison_periods, fmt.unit(report)
    if strain.by_mechanism:
        table = _table("MECHANISM", "FAILURE MODE", "PERIOD", f"{n} {unit.upper()}S BEFORE")
        for row in strain.by_mechanism:
            table.add_row(
                row.mechanism or "(none)",
                row.failure_mode,
                str(row.period),
                str(row.previous_total),
            )
        parts.append(table)
    else:
        parts.append(Text("no escalations in these periods", style="dim"))
    parts.append(Text("\nRecurring failures (3 or more alike within 90 days):", style="bold"))
    for item in strain.recurring:
        parts.append(
            Text(
                f"  {item.mechanism} · {item.failure_mode}: " + ", ".join(item.escalations),
                style="red",
            )
        )
    if not strain.recurring:
        parts.append(Text("  none", style="dim"))
    parts.append(Text("\nActive mechanisms not inspected within their cadence:", style="bold"))
    for gap in strain.inspection_overdue:
        last = f"last inspected {gap.last_inspection}" if gap.last_inspection else "never inspected"
        due = f"due {gap.due}, {gap.days_overdue}d overdue" if gap.due else "due date unknown"
        parts.append(
            Text(
                f"  {gap.mechanism} ({gap.cadence}, owner {gap.owner}): {last}; {due}", style="red"
            )
        )
    if not strain.inspection_overdue:
        parts.append(Text("  none", style="dim"))
    parts.append(
        Text(
            f"\nResolved without a mechanism change: {strain.no_change.period}"
            f"; {fmt.previous(strain.no_change, report)}",
            style="bold",
        )
    )
    for reason in strain.no_change_escalations:
        parts.append(Text(f"  {reason.id} {reason.title}: {reason.reason}"))
    return parts


def _loop(report: Report) -> list[RenderableType]:
    loop = report.loop
    parts: list[RenderableType] = [
        _heading(4),
        Text(
            f"Resolutions that changed a mechanism: {fmt.pct(loop.share_changed)}"
            f" ({loop.changed_mechanism.period} of {loop.resolved.period});"
            f" before: {fmt.pct(loop.previous_share_changed)}"
            f" ({loop.changed_mechanism.previous_total} of {loop.resolved.previous_total})"
        ),
        Text(f"Changes that held so far: {loop.held}; came back: {loop.recurred}"),
    ]
    if loop.changes:
        table = _table("ESCALATION", "MECHANISM", "FAILURE MODE", "CHANGE", "RESOLVED", "SINCE")
        for item in loop.changes:
            since = (
                Text("escalated again: " + ", ".join(item.recurred_by), style="bold red")
                if item.recurred_by
                else Text("held", style="green")
            )
            table.add_row(
                item.id,
                item.mechanism,
                item.failure_mode,
                f"v{item.version}",
                fmt.when(item.resolved_at),
                since,
            )
        parts.append(table)
    return parts


def _inspections(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [_heading(5)]
    if not report.inspections:
        return [*parts, Text("no active mechanisms", style="dim")]
    for result in report.inspections:
        line = Text()
        line.append(f"\n{result.mechanism}", style="bold")
        line.append(f"  {result.title} · {result.cadence or 'no cadence'} · ")
        line.append(
            fmt.last_inspection(result), style=_OUTCOME_STYLE.get(result.last_outcome or "", "dim")
        )
        line.append(f" · {fmt.next_due(result, report)}")
        parts.append(line)
        if result.outcomes:
            label, shown = fmt.outcome_trail(result)
            outcomes = Text(f"  {label}: ")
            for index, outcome in enumerate(shown):
                outcomes.append(" → " if index else "")
                outcomes.append(outcome, style=_OUTCOME_STYLE[outcome])
            parts.append(outcomes)
        signals = [s for s in result.signals if s.values]
        if signals:
            table = _table("  SIGNAL", "KIND", "TARGET", "TREND", "LATEST")
            for signal in signals:
                table.add_row(
                    f"  {signal.name}",
                    signal.kind or "-",
                    fmt.value(signal.target),
                    fmt.sparkline([p.value for p in signal.values]),
                    fmt.value(signal.values[-1].value),
                )
            parts.append(table)
        for anecdote in result.anecdotes:
            parts.append(Text(f"  “{anecdote}”", style="italic"))
        if result.last_date is not None and not result.anecdotes:
            parts.append(
                Text("  no anecdote at the last inspection: data alone misleads", style="yellow")
            )
    return parts


def _appreciation(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [_heading(6)]
    if not report.appreciation:
        return [*parts, Text("nobody escalated or resolved in this period", style="dim")]
    parts.append(Text("Thank you for escalating early and for closing the loop:"))
    table = _table("THANKS TO", "ESCALATED", "RESOLVED")
    for person in report.appreciation:
        table.add_row(person.person, str(person.raised or ""), str(person.resolved or ""))
    return [*parts, table]


def render(report: Report) -> Group:
    parts: list[RenderableType] = [
        Text(fmt.title(report), style="bold"),
        Text(fmt.subtitle(report), style="dim"),
    ]
    if report.skipped:
        parts.append(
            Text(
                f"{len(report.skipped)} invalid file(s) are not counted (`mechctl lint` explains):",
                style="bold red",
            )
        )
        for item in report.skipped[:10]:
            parts.append(Text(f"  {fmt.skipped(item)}", style="red"))
        if len(report.skipped) > 10:
            parts.append(Text(f"  … and {len(report.skipped) - 10} more", style="red"))
    for section in (_headline, _open, _strain, _loop, _inspections, _appreciation):
        parts.extend(section(report))
    return Group(*parts)
