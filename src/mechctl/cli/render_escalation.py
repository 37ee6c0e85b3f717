"""Escalations for people: the list's rows (drawn by cli/listing.py) and the detail view."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from mechctl.cli import escalation_grid as grid
from mechctl.cli.deadline import deadline, duration
from mechctl.cli.listing import Grid
from mechctl.models import Config, Escalation, EscalationStatus, TimelineAction
from mechctl.services.core import analysis

_STATUS_STYLE = grid.STATUS_STYLE
_DEADLINE_STYLE = grid.DEADLINE_STYLE


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


def config_facts(config: Config) -> dict[str, Any]:
    """The facts cli/escalation_grid.py draws with, of a validated configuration."""
    return {
        "levels": list(config.escalation.levels),
        "ack_within": {
            sev.value: int(t.total_seconds()) for sev, t in config.escalation.ack_within.items()
        },
        "resolve_within": {
            sev.value: int(t.total_seconds()) for sev, t in config.escalation.resolve_within.items()
        },
    }


def escalation_grid(
    rows: Iterable[dict[str, Any]], config: Config, now: datetime, root: Path | None = None
) -> Grid:
    return grid.escalation_grid(rows, config_facts(config), now, root)


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
