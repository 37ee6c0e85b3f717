"""What each section of the report says, described once for every view (docs/design.md §4):
`describe` turns the figures (`services/report/data.py`) into a `model.Document`.

Words for single figures are `format.py`'s; durations and deadline cells are
`cli/deadline.py`'s, shared with `escalation list`.
"""

from __future__ import annotations

from collections.abc import Sequence

from mechctl.cli.deadline import LATE, deadline, duration
from mechctl.cli.report import format as fmt
from mechctl.cli.report.model import (
    Alert,
    Block,
    Charts,
    Column,
    Document,
    Figure,
    Figures,
    Heading,
    Items,
    Line,
    Note,
    Para,
    Parts,
    Piece,
    Pieces,
    Quotes,
    Row,
    Rows,
    Section,
    Span,
    Table,
    Topic,
)
from mechctl.services.report.data import (
    InspectionGap,
    InspectionResult,
    OpenEscalation,
    Report,
    SeverityTimes,
)

SECTIONS = (
    "Headline",
    "Open escalations",
    "Mechanisms under strain",
    "Loop closure",
    "Inspection results",
    "Appreciation",
)


def _flag(text: str, late: bool) -> Piece:
    return Span(text, "late") if late else text


def _due(
    esc: OpenEscalation, target: int, taken: int | None, late: bool, waiting: bool = True
) -> Piece:
    """A deadline cell; `late` is the report's own overdue flag, decided from exact times."""
    left = target - esc.age_seconds
    text, state = deadline(taken=taken, target=target, left=left, waiting=waiting, overdue=late)
    return _flag(text, state in LATE)


def _codes(ids: Sequence[str]) -> Pieces:
    """Ids, each as code, comma-separated."""
    pieces: list[Piece] = []
    for index, item in enumerate(ids):
        pieces += [", "] if index else []
        pieces.append(Span(item, "code"))
    return tuple(pieces)


def _times(rows: list[SeverityTimes], what: str) -> Table:
    columns = (
        Column("severity", short="sev"),
        Column(f"{what} (n)", short="n"),
        Column("median"),
        Column("p90"),
        Column("target"),
        Column("within target"),
        Column("before", split=("n", "median", "p90")),
    )
    body: list[Row] = []
    for row in rows:
        now, before = row.period, row.previous
        if now.count == 0 and before.count == 0:
            continue
        body.append(
            (
                Span(row.severity, row.severity),
                str(now.count),
                _flag(duration(now.median_seconds), (now.median_seconds or 0) > row.target_seconds),
                _flag(duration(now.p90_seconds), (now.p90_seconds or 0) > row.target_seconds),
                duration(row.target_seconds),
                f"{now.within_target}/{now.count}" if now.count else "-",
                Parts(
                    (str(before.count), *map(duration, (before.median_seconds, before.p90_seconds)))
                ),
            )
        )
    return Table(columns, body, title=f"Time to {what}", empty="nothing in these periods")


def _headline(report: Report) -> list[Block]:
    head = report.headline
    figures = Figures(
        "escalations",
        tuple(
            Figure(
                label,
                str(c.period),
                fmt.change(c),
                fmt.previous(c, report, stock=c is head.open_at_end),
            )
            for label, c in (
                ("opened", head.opened),
                ("resolved", head.resolved),
                ("open at end", head.open_at_end),
            )
        ),
    )
    return [
        figures,
        _times(head.time_to_acknowledge, "acknowledge"),
        _times(head.time_to_resolve, "resolve"),
        Charts(report, fmt.unit(report)),
    ]


_OPEN_COLUMNS = tuple(
    Column(name, wrap=name == "title")
    for name in ("sev", "age", "level", "status", "mechanism", "ack", "resolve", "id", "title")
)


def _open_row(e: OpenEscalation) -> Row:
    taken, waiting = e.time_to_acknowledge_seconds, e.status == "open"
    return (
        Span(e.severity, e.severity),
        duration(e.age_seconds),
        e.level,
        e.status,
        e.mechanism or "(none)",
        _due(e, e.ack_target_seconds, taken, e.ack_overdue, waiting),
        _due(e, e.resolve_target_seconds, None, e.resolve_overdue),
        Span(e.id, "code"),
        e.title,
    )


def _open(report: Report) -> list[Block]:
    if not report.open_escalations:
        return [Note("None: every escalation is resolved.", "good")]
    return [Table(_OPEN_COLUMNS, Rows(report.open_escalations, _open_row))]


def _gap_line(gap: InspectionGap) -> Line:
    last = f"last inspected {gap.last_inspection}" if gap.last_inspection else "never inspected"
    due = f"due {gap.due}, {gap.days_overdue}d overdue" if gap.due else "due date unknown"
    return Line(
        (Span(gap.mechanism, "strong"), f" ({gap.cadence}, owner {gap.owner}): {last}; {due}"),
        "bad",
    )


def _strain(report: Report) -> list[Block]:
    strain = report.strain
    n, unit = report.comparison_periods, fmt.unit(report)
    blocks: list[Block] = [Heading(("Escalations by mechanism and failure mode",), terminal=False)]
    if strain.by_mechanism:
        columns = tuple(
            Column(name) for name in ("mechanism", "failure mode", "period", f"{n} {unit}s before")
        )
        rows: list[Row] = [
            (r.mechanism or "(none)", r.failure_mode, str(r.period), str(r.previous_total))
            for r in strain.by_mechanism
        ]
        blocks.append(Table(columns, rows))
    else:
        blocks.append(Note("None in these periods.", terminal="no escalations in these periods"))
    recurring = [
        Line((Span(r.mechanism, "strong"), f" · {r.failure_mode}: ", *_codes(r.escalations)), "bad")
        for r in strain.recurring
    ]
    gaps = [_gap_line(gap) for gap in strain.inspection_overdue]
    reasons = [
        Line((Span(r.id, "code"), f" {r.title}: {r.reason}")) for r in strain.no_change_escalations
    ]
    return [
        *blocks,
        Items(recurring, title="Recurring failures (3 or more alike within 90 days)", empty="none"),
        Items(gaps, title="Active mechanisms not inspected within their cadence", empty="none"),
        Heading(
            ("Resolved without a mechanism change: ", Span(str(strain.no_change.period), "strong")),
            aside=fmt.previous(strain.no_change, report),
        ),
        Items(reasons),
    ]


def _since(recurred_by: list[str]) -> Line:
    if recurred_by:
        return Line((Span("escalated again", "strong"), ": ", *_codes(recurred_by)), "bad")
    return Line(("held",), "good")


def _loop(report: Report) -> list[Block]:
    loop = report.loop
    changed, resolved = loop.changed_mechanism, loop.resolved
    share: Pieces = (
        "Resolutions that changed a mechanism: ",
        Span(fmt.pct(loop.share_changed), "strong"),
        f" ({changed.period} of {resolved.period});"
        f" before: {fmt.pct(loop.previous_share_changed)}"
        f" ({changed.previous_total} of {resolved.previous_total}).",
    )
    held = f"Changes that held so far: {loop.held}; came back: {loop.recurred}."
    blocks: list[Block] = [Para((share, (held,)))]
    if loop.changes:
        columns = tuple(
            Column(name)
            for name in ("escalation", "mechanism", "failure mode", "change", "resolved", "since")
        )
        rows: list[Row] = [
            (
                Span(c.id, "code"),
                c.mechanism,
                c.failure_mode,
                f"v{c.version}",
                fmt.when(c.resolved_at),
                _since(c.recurred_by),
            )
            for c in loop.changes
        ]
        blocks.append(Table(columns, rows))
    return blocks


_SIGNAL_COLUMNS = tuple(Column(name) for name in ("signal", "kind", "target", "trend", "latest"))


def _inspection(result: InspectionResult, report: Report) -> Topic:
    facts: Pieces = (
        result.cadence or "no cadence",
        Span(fmt.last_inspection(result), result.last_outcome or "muted"),
        fmt.next_due(result, report),
    )
    topic = Topic(result.mechanism, result.title, facts)
    if result.outcomes:
        label, shown = fmt.outcome_trail(result)
        trail: list[Piece] = [f"{label.capitalize()}: "]
        for index, outcome in enumerate(shown):
            trail += [" → "] if index else []
            trail.append(Span(outcome, outcome))
        topic.blocks.append(Para(((*trail, "."),)))
    rows: list[Row] = [
        (
            s.name,
            s.kind or "-",
            fmt.value(s.target),
            Span(fmt.sparkline([p.value for p in s.values]), "spark"),
            fmt.value(s.values[-1].value),
        )
        for s in result.signals
        if s.values
    ]
    if rows:
        topic.blocks.append(Table(_SIGNAL_COLUMNS, rows))
    if result.anecdotes:
        topic.blocks.append(Quotes(tuple(result.anecdotes)))
    elif result.last_date is not None:
        topic.blocks.append(
            Note("No anecdote at the last inspection: data alone misleads.", "warn")
        )
    return topic


def _inspections(report: Report) -> list[Block]:
    if not report.inspections:
        return [Note("No active mechanisms.")]
    return [_inspection(result, report) for result in report.inspections]


def _appreciation(report: Report) -> list[Block]:
    if not report.appreciation:
        return [Note("Nobody escalated or resolved in this period.")]
    columns = tuple(Column(name) for name in ("thanks to", "escalated", "resolved"))
    rows: list[Row] = [
        (p.person, str(p.raised or ""), str(p.resolved or "")) for p in report.appreciation
    ]
    return [
        Para((("Thank you for escalating early and for closing the loop:",),)),
        Table(columns, rows),
    ]


def _alert(report: Report) -> Alert | None:
    if not report.skipped:
        return None
    line: Pieces = (
        Span(f"{len(report.skipped)} invalid file(s) are not counted", "alarm"),
        " (",
        Span("mechctl lint", "command"),
        " explains):",
    )
    return Alert(line, [fmt.skipped(item) for item in report.skipped])


def describe(report: Report) -> Document:
    """Everything the report shows, in order, for any view."""
    parts = (_headline, _open, _strain, _loop, _inspections, _appreciation)
    sections = [
        Section(number, name, len(report.open_escalations) if number == 2 else None, part(report))
        for number, (name, part) in enumerate(zip(SECTIONS, parts, strict=True), 1)
    ]
    return Document(fmt.title(report), fmt.subtitle(report), _alert(report), sections)
