"""The report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts.

Its Content-Security-Policy forbids every fetch, so the page cannot reach the network when
it is viewed. Readable on a phone (fluid layout, tables scroll sideways) and on paper (print
CSS: no backgrounds, no split tables or charts).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from mechctl import __version__
from mechctl.cli.report import format as fmt
from mechctl.cli.report.style import CSS as _CSS
from mechctl.errors import MechctlError
from mechctl.services.report.data import Report, SeverityTimes

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


class Html(str):
    """Markup that is already escaped."""


def _e(value: object) -> str:
    return value if isinstance(value, Html) else escape(str(value))


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _span(text: str, cls: str) -> Html:
    return Html(f'<span class="{cls}">{escape(text)}</span>') if cls else Html(escape(text))


def _flag(text: str, late: bool) -> Html:
    return _span(text, "bad" if late else "")


def require_charts() -> None:
    """Fail fast, in one line, when the optional chart library is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MechctlError(
            "--format html needs matplotlib, which is not installed",
            hint="pip install 'mechctl[report]' (or use --format text, markdown or json)",
        ) from None


def _times(rows: list[SeverityTimes], what: str) -> str:
    shown = [r for r in rows if r.period.count or r.previous.count]
    if not shown:
        return f'<p class="muted">Time to {what}: nothing in these periods.</p>'
    body = [
        [
            _span(r.severity, r.severity),
            r.period.count,
            _flag(
                fmt.human(r.period.median_seconds),
                (r.period.median_seconds or 0) > r.target_seconds,
            ),
            _flag(fmt.human(r.period.p90_seconds), (r.period.p90_seconds or 0) > r.target_seconds),
            fmt.human(r.target_seconds),
            f"{r.period.within_target}/{r.period.count}" if r.period.count else "-",
            f"{r.previous.count}: {fmt.human(r.previous.median_seconds)} / "
            f"{fmt.human(r.previous.p90_seconds)}",
        ]
        for r in shown
    ]
    header = [
        "severity",
        "n",
        "median",
        "p90",
        "target",
        "within target",
        "before (n: median / p90)",
    ]
    return f"<h3>Time to {what}</h3>" + _table(header, body)


def _headline(report: Report) -> str:
    head = report.headline
    cards = "".join(
        f'<div class="card">{escape(label)}<b>{c.period} <small>{fmt.change(c)}</small></b>'
        f'<span class="muted">{escape(fmt.previous(c, report, stock=c is head.open_at_end))}'
        "</span></div>"
        for label, c in (
            ("Opened", head.opened),
            ("Resolved", head.resolved),
            ("Open at end", head.open_at_end),
        )
    )
    return (
        f'<div class="cards">{cards}</div>'
        + _times(head.time_to_acknowledge, "acknowledge")
        + _times(head.time_to_resolve, "resolve")
    )


def _charts(report: Report) -> str:
    from mechctl.cli.report import charts

    unit = fmt.unit(report)
    figures = (
        (f"Escalations per {unit}, by severity", charts.escalations_per_period(report, unit)),
        ("Time to resolve against target", charts.time_to_resolve(report)),
        ("Inspection outcomes over time", charts.inspection_outcomes(report)),
    )
    inner = "".join(
        f"<figure><figcaption>{escape(t)}</figcaption>{svg}</figure>" for t, svg in figures
    )
    return f'<div class="charts">{inner}</div>'


def _open(report: Report) -> str:
    if not report.open_escalations:
        return '<p class="good">None: every escalation is resolved.</p>'
    rows = [
        [
            _span(e.severity, e.severity),
            fmt.human(e.age_seconds),
            e.level,
            e.status,
            e.mechanism or "(none)",
            _flag(*fmt.ack_state(e)),
            _flag(*fmt.resolve_state(e)),
            Html(f"<code>{escape(e.id)}</code>"),
            e.title,
        ]
        for e in report.open_escalations
    ]
    return _table(
        ["sev", "age", "level", "status", "mechanism", "ack", "resolve", "id", "title"], rows
    )


def _strain(report: Report) -> str:
    s = report.strain
    n, unit = report.comparison_periods, fmt.unit(report)
    parts = ["<h3>Escalations by mechanism and failure mode</h3>"]
    rows = [
        [r.mechanism or "(none)", r.failure_mode, r.period, r.previous_total]
        for r in s.by_mechanism
    ]
    parts.append(
        _table(["mechanism", "failure mode", "period", f"{n} {unit}s before"], rows)
        if rows
        else '<p class="muted">None in these periods.</p>'
    )
    parts.append("<h3>Recurring failures (3 or more alike within 90 days)</h3><ul>")
    parts += [
        f'<li class="bad">{escape(r.mechanism)} · {escape(r.failure_mode)}: '
        f"{escape(', '.join(r.escalations))}</li>"
        for r in s.recurring
    ] or ["<li>none</li>"]
    parts.append("</ul><h3>Active mechanisms not inspected within their cadence</h3><ul>")
    for gap in s.inspection_overdue:
        last = f"last inspected {gap.last_inspection}" if gap.last_inspection else "never inspected"
        due = f"due {gap.due}, {gap.days_overdue}d overdue" if gap.due else "due date unknown"
        parts.append(
            f'<li class="bad">{escape(gap.mechanism)} ({escape(str(gap.cadence))},'
            f" owner {escape(gap.owner)}): {escape(last)}; {escape(due)}</li>"
        )
    if not s.inspection_overdue:
        parts.append("<li>none</li>")
    parts.append(
        f"</ul><h3>Resolved without a mechanism change: {s.no_change.period}</h3>"
        f'<p class="muted">{escape(fmt.previous(s.no_change, report))}</p><ul>'
    )
    parts += [
        f"<li><code>{escape(r.id)}</code> {escape(r.title)}: {escape(r.reason)}</li>"
        for r in s.no_change_escalations
    ]
    return "".join(parts) + "</ul>"


def _loop(report: Report) -> str:
    loop = report.loop
    text = (
        f"<p>Resolutions that changed a mechanism: <b>{fmt.pct(loop.share_changed)}</b>"
        f" ({loop.changed_mechanism.period} of {loop.resolved.period}); before:"
        f" {fmt.pct(loop.previous_share_changed)} ({loop.changed_mechanism.previous_total}"
        f" of {loop.resolved.previous_total}).<br>Changes that held so far: {loop.held};"
        f" came back: {loop.recurred}.</p>"
    )
    rows = [
        [
            Html(f"<code>{escape(c.id)}</code>"),
            c.mechanism,
            c.failure_mode,
            f"v{c.version}",
            fmt.when(c.resolved_at),
            _span("escalated again: " + ", ".join(c.recurred_by), "bad")
            if c.recurred_by
            else _span("held", "good"),
        ]
        for c in loop.changes
    ]
    if rows:
        text += _table(
            ["escalation", "mechanism", "failure mode", "change", "resolved", "since"], rows
        )
    return text


def _inspections(report: Report) -> str:
    if not report.inspections:
        return '<p class="muted">No active mechanisms.</p>'
    parts = []
    for r in report.inspections:
        parts.append(
            f"<h3>{escape(r.mechanism)}: {escape(r.title)}</h3><p>"
            f"{escape(r.cadence or 'no cadence')} · "
            f"{_span(fmt.last_inspection(r), r.last_outcome or 'muted')} · "
            f"{escape(fmt.next_due(r, report))}</p>"
        )
        if r.outcomes:
            label, shown = fmt.outcome_trail(r)
            trail = " → ".join(_span(o, o) for o in shown)
            parts.append(f"<p>{escape(label.capitalize())}: {trail}</p>")
        rows = [
            [
                s.name,
                s.kind or "-",
                fmt.value(s.target),
                _span(fmt.sparkline([p.value for p in s.values]) or "-", "spark"),
                fmt.value(s.values[-1].value),
            ]
            for s in r.signals
            if s.values
        ]
        if rows:
            parts.append(_table(["signal", "kind", "target", "trend", "latest"], rows))
        parts += [f"<blockquote>{escape(a)}</blockquote>" for a in r.anecdotes]
        if r.last_date is not None and not r.anecdotes:
            parts.append(
                '<p class="bad">No anecdote at the last inspection: data alone misleads.</p>'
            )
    return "".join(parts)


def _appreciation(report: Report) -> str:
    if not report.appreciation:
        return '<p class="muted">Nobody escalated or resolved in this period.</p>'
    rows = [[p.person, p.raised or "", p.resolved or ""] for p in report.appreciation]
    return "<p>Thank you for escalating early and for closing the loop:</p>" + _table(
        ["thanks to", "escalated", "resolved"], rows
    )


def render(report: Report) -> str:
    warning = ""
    if report.skipped:
        items = "".join(f"<li><code>{escape(fmt.skipped(i))}</code></li>" for i in report.skipped)
        warning = (
            f'<div class="warn"><b class="bad">{len(report.skipped)} invalid file(s) are'
            f" not counted</b> (<code>mechctl lint</code> explains):<ul>{items}</ul></div>"
        )
    sections = [
        _headline(report) + _charts(report),
        _open(report),
        _strain(report),
        _loop(report),
        _inspections(report),
        _appreciation(report),
    ]
    body = "".join(
        f'<section id="s{n}"><h2>{n}. {escape(name)}'
        f"{f' ({len(report.open_escalations)})' if n == 2 else ''}</h2>{html}</section>"
        for n, (name, html) in enumerate(zip(fmt.SECTIONS, sections, strict=True), 1)
    )
    title = escape(fmt.title(report))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="mechctl {__version__}">'
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
        f'<header><h1>{title}</h1><p class="muted">{escape(fmt.subtitle(report))}</p></header>'
        f'{warning}{body}<footer class="muted"><p>Made by mechctl {__version__} from the'
        " records and git history at run time.</p></footer></main></body></html>\n"
    )
