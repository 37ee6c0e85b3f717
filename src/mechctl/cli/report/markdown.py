"""The report as GitHub-flavoured markdown, for a wiki page or a pull-request comment."""

from __future__ import annotations

from collections.abc import Sequence

from mechctl.cli.report import format as fmt
from mechctl.services.report.data import Report, SeverityTimes


def _cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _flag(text: str, late: bool) -> str:
    return f"**{text}**" if late else text


def _times(rows: list[SeverityTimes], what: str) -> list[str]:
    shown = [r for r in rows if r.period.count or r.previous.count]
    if not shown:
        return [f"Time to {what}: nothing in these periods.", ""]
    body = []
    for row in shown:
        now, before = row.period, row.previous
        body.append(
            [
                row.severity,
                now.count,
                _flag(
                    fmt.human(now.median_seconds), (now.median_seconds or 0) > row.target_seconds
                ),
                _flag(fmt.human(now.p90_seconds), (now.p90_seconds or 0) > row.target_seconds),
                fmt.human(row.target_seconds),
                f"{now.within_target}/{now.count}" if now.count else "-",
                f"{before.count}: {fmt.human(before.median_seconds)}"
                f" / {fmt.human(before.p90_seconds)}",
            ]
        )
    header = [
        "severity",
        f"{what} (n)",
        "median",
        "p90",
        "target",
        "within target",
        "before (n: median / p90)",
    ]
    return [f"Time to {what}:", "", *_table(header, body)]


def _headline(report: Report) -> list[str]:
    head = report.headline
    rows = [
        [label, c.period, fmt.change(c), fmt.previous(c, report, stock=c is head.open_at_end)]
        for label, c in (
            ("opened", head.opened),
            ("resolved", head.resolved),
            ("open at end", head.open_at_end),
        )
    ]
    return [
        *_table(["escalations", "period", "", "compared with"], rows),
        *_times(head.time_to_acknowledge, "acknowledge"),
        *_times(head.time_to_resolve, "resolve"),
    ]


def _open(report: Report) -> list[str]:
    if not report.open_escalations:
        return ["None: every escalation is resolved.", ""]
    rows = [
        [
            e.severity,
            fmt.human(e.age_seconds),
            e.level,
            e.status,
            e.mechanism or "(none)",
            _flag(*fmt.ack_state(e)),
            _flag(*fmt.resolve_state(e)),
            f"`{e.id}`",
            e.title,
        ]
        for e in report.open_escalations
    ]
    header = ["sev", "age", "level", "status", "mechanism", "ack", "resolve", "id", "title"]
    return _table(header, rows)


def _strain(report: Report) -> list[str]:
    strain = report.strain
    n, unit = report.comparison_periods, fmt.unit(report)
    lines = ["Escalations by mechanism and failure mode:", ""]
    if strain.by_mechanism:
        rows = [
            [r.mechanism or "(none)", r.failure_mode, r.period, r.previous_total]
            for r in strain.by_mechanism
        ]
        lines += _table(["mechanism", "failure mode", "period", f"{n} {unit}s before"], rows)
    else:
        lines += ["None in these periods.", ""]
    lines += ["Recurring failures (3 or more alike within 90 days):", ""]
    lines += [
        f"- **{r.mechanism}** · {r.failure_mode}: " + ", ".join(f"`{i}`" for i in r.escalations)
        for r in strain.recurring
    ] or ["- none"]
    lines += ["", "Active mechanisms not inspected within their cadence:", ""]
    for gap in strain.inspection_overdue:
        last = f"last inspected {gap.last_inspection}" if gap.last_inspection else "never inspected"
        due = f"due {gap.due}, {gap.days_overdue}d overdue" if gap.due else "due date unknown"
        lines.append(f"- **{gap.mechanism}** ({gap.cadence}, owner {gap.owner}): {last}; {due}")
    if not strain.inspection_overdue:
        lines.append("- none")
    lines += [
        "",
        f"Resolved without a mechanism change: **{strain.no_change.period}**;"
        f" {fmt.previous(strain.no_change, report)}",
        "",
    ]
    lines += [
        f"- `{r.id}` {_cell(r.title)}: {_cell(r.reason)}" for r in strain.no_change_escalations
    ]
    return [*lines, ""] if strain.no_change_escalations else lines


def _loop(report: Report) -> list[str]:
    loop = report.loop
    lines = [
        f"Resolutions that changed a mechanism: **{fmt.pct(loop.share_changed)}**"
        f" ({loop.changed_mechanism.period} of {loop.resolved.period});"
        f" before: {fmt.pct(loop.previous_share_changed)}"
        f" ({loop.changed_mechanism.previous_total} of {loop.resolved.previous_total}).",
        "",
        f"Changes that held so far: {loop.held}; came back: {loop.recurred}.",
        "",
    ]
    if loop.changes:
        rows = [
            [
                f"`{c.id}`",
                c.mechanism,
                c.failure_mode,
                f"v{c.version}",
                fmt.when(c.resolved_at),
                ("**escalated again**: " + ", ".join(f"`{i}`" for i in c.recurred_by))
                if c.recurred_by
                else "held",
            ]
            for c in loop.changes
        ]
        lines += _table(
            ["escalation", "mechanism", "failure mode", "change", "resolved", "since"], rows
        )
    return lines


def _inspections(report: Report) -> list[str]:
    if not report.inspections:
        return ["No active mechanisms.", ""]
    lines: list[str] = []
    for result in report.inspections:
        lines += [
            f"**{result.mechanism}**: {_cell(result.title)} · {result.cadence or 'no cadence'}"
            f" · {fmt.last_inspection(result)} · {fmt.next_due(result, report)}",
            "",
        ]
        if result.outcomes:
            label, shown = fmt.outcome_trail(result)
            lines += [f"{label.capitalize()}: " + " → ".join(shown) + ".", ""]
        signals = [s for s in result.signals if s.values]
        if signals:
            rows = [
                [
                    s.name,
                    s.kind or "-",
                    fmt.value(s.target),
                    fmt.sparkline([p.value for p in s.values]) or "-",
                    fmt.value(s.values[-1].value),
                ]
                for s in signals
            ]
            lines += _table(["signal", "kind", "target", "trend", "latest"], rows)
        lines += [f"> {_cell(a)}" for a in result.anecdotes]
        if result.anecdotes:
            lines.append("")
        elif result.last_date is not None:
            lines += ["*No anecdote at the last inspection: data alone misleads.*", ""]
    return lines


def _appreciation(report: Report) -> list[str]:
    if not report.appreciation:
        return ["Nobody escalated or resolved in this period.", ""]
    rows = [[p.person, p.raised or "", p.resolved or ""] for p in report.appreciation]
    return [
        "Thank you for escalating early and for closing the loop:",
        "",
        *_table(["thanks to", "escalated", "resolved"], rows),
    ]


def render(report: Report) -> str:
    lines = [f"# {fmt.title(report)}", "", fmt.subtitle(report), ""]
    if report.skipped:
        lines += [
            f"**{len(report.skipped)} invalid file(s) are not counted** (`mechctl lint` explains):",
            "",
        ]
        lines += [f"- `{fmt.skipped(item)}`" for item in report.skipped] + [""]
    sections = (_headline, _open, _strain, _loop, _inspections, _appreciation)
    for number, (name, section) in enumerate(zip(fmt.SECTIONS, sections, strict=True), 1):
        suffix = f" ({len(report.open_escalations)})" if number == 2 else ""
        lines += [f"## {number}. {name}{suffix}", "", *section(report)]
    return "\n".join(lines).rstrip("\n") + "\n"
