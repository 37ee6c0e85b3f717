"""rich renderings of escalations: the list table and the detail view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from mechctl.cli.deadline import State, deadline, duration
from mechctl.cli.styles import SEVERITY_STYLE
from mechctl.models import Config, Escalation, EscalationStatus, TimelineAction
from mechctl.services.core import analysis

_STATUS_STYLE = {"open": "red", "acknowledged": "yellow", "resolved": "green", "closed": "dim"}
# How a deadline's state looks here; the report flags only what is late (cli/report/sections.py).
_DEADLINE_STYLE: dict[State, str] = {
    "met": "green",
    "missed": "red",
    "due": "",
    "overdue": "bold red",
    "none": "dim",
}


def human(delta: timedelta) -> str:
    return duration(delta.total_seconds())


def _deadline(
    esc: Escalation, target: timedelta, taken: timedelta | None, now: datetime, waiting: bool
) -> Text:
    text, state = deadline(
        taken=None if taken is None else taken.total_seconds(),
        target=target.total_seconds(),
        left=(esc.raised_at + target - now).total_seconds(),
        waiting=waiting,
    )
    return Text(text, style=_DEADLINE_STYLE[state])


def _ack_cell(esc: Escalation, config: Config, now: datetime) -> Text:
    target, taken = analysis.ack_target(esc, config), esc.time_to_acknowledge()
    return _deadline(esc, target, taken, now, waiting=esc.status is EscalationStatus.OPEN)


def _resolve_cell(esc: Escalation, config: Config, now: datetime) -> Text:
    target, taken = analysis.resolve_target(esc, config), esc.time_to_resolve()
    return _deadline(esc, target, taken, now, waiting=True)  # due until resolved


def escalation_table(found: Sequence[Escalation], config: Config, now: datetime) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("ID", "AGE", "SEV", "LEVEL", "STATUS", "MECHANISM", "ACK", "RESOLVE", "TITLE"):
        table.add_column(column, no_wrap=column != "TITLE")
    # Every cell is Text, never a str: rich would read a title's "[...]" as markup.
    for esc in found:
        table.add_row(
            Text(esc.id),
            Text(human(now - esc.raised_at)),
            Text(esc.severity.value, style=SEVERITY_STYLE[esc.severity.value]),
            Text(esc.level),
            Text(esc.status.value, style=_STATUS_STYLE[esc.status.value]),
            Text(esc.mechanism or "(none)"),
            _ack_cell(esc, config, now),
            _resolve_cell(esc, config, now),
            Text(esc.title),
        )
    return table


def escalation_detail(esc: Escalation, config: Config, now: datetime) -> RenderableType:
    head = Text()
    head.append(esc.title, style="bold")
    head.append("  ")
    head.append(esc.status.value, style=_STATUS_STYLE[esc.status.value])
    parts: list[RenderableType] = [head]
    parts.append(
        Text(
            f"{esc.severity.value} · level {esc.level} · mechanism {esc.mechanism or '(none)'}"
            f" · failure mode {esc.failure_mode.value} · owner {esc.owner or '-'}"
        )
    )
    parts.append(
        Text(
            f"raised by {esc.raised_by} at {esc.raised_at:%Y-%m-%d %H:%M}Z"
            f" ({human(now - esc.raised_at)} ago)"
        )
    )
    parts.append(Text("\nCustomer impact", style="bold"))
    parts.append(Text(f"  {esc.customer_impact}"))
    if esc.ask:
        parts += [Text("\nAsk", style="bold"), Text(f"  {esc.ask}")]
    parts.append(Text("\nResponse times", style="bold"))
    line = Text("  acknowledge: ")
    line.append_text(_ack_cell(esc, config, now))
    line.append(f" (target {human(analysis.ack_target(esc, config))})   resolve: ")
    line.append_text(_resolve_cell(esc, config, now))
    line.append(f" (target {human(analysis.resolve_target(esc, config))})")
    parts.append(line)
    if esc.resolution:
        r = esc.resolution
        parts.append(Text("\nResolution", style="bold"))
        parts.append(Text(f"  {r.summary}"))
        if r.root_cause:
            parts.append(Text(f"  root cause: {r.root_cause}"))
        if r.mechanism_change:
            parts.append(
                Text(
                    f"  mechanism change: {r.mechanism_change.mechanism}"
                    f" v{r.mechanism_change.version}"
                )
            )
        if r.no_change_reason:
            parts.append(Text(f"  no change needed: {r.no_change_reason}"))
    if esc.links or esc.tags:
        parts.append(Text(""))
        for link in esc.links:
            parts.append(Text(f"  link: {link}"))
        if esc.tags:
            parts.append(Text("  tags: " + ", ".join(esc.tags)))
    parts.append(Text("\nTimeline", style="bold"))
    for entry in esc.timeline:
        row = Text(f"  {entry.at:%Y-%m-%d %H:%M}Z  {entry.action.value:<13} {entry.by}")
        if entry.action is TimelineAction.LEVEL_RAISED and entry.level:
            row.append(f"  → {entry.level}")
        if entry.note:
            row.append(f"  {entry.note}", style="italic")
        parts.append(row)
    return Group(*parts)
