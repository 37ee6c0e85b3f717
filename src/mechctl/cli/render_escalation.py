"""Escalations for people: the list's rows (drawn by cli/listing.py) and the detail view."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from mechctl.cli.deadline import State, deadline, duration
from mechctl.cli.listing import Column, Grid, Row
from mechctl.cli.styles import SEVERITY_STYLE
from mechctl.models import Config, Escalation, EscalationStatus, TimelineAction
from mechctl.services.core import analysis
from mechctl.store import layout

ID_WIDTH = len("esc-20261101-abcdefgh")  # every escalation id: esc-DATE-8 random letters
DEADLINE_WIDTH = len("overdue 9999d")  # 27 years: wider ones push their row right
_ACKED = TimelineAction.ACKNOWLEDGED.value
_RESOLVED = TimelineAction.RESOLVED.value
_SETTLED = (EscalationStatus.RESOLVED.value, EscalationStatus.CLOSED.value)
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


def escalation_columns(config: Config, root: Path | None = None) -> list[Column]:
    """The list's columns, each as wide as its widest possible cell where that is known up
    front, so that rows far down a long listing line up with the first ones: ids, severities,
    statuses, the configured levels, ages and deadlines up to 9999 days, and the mechanisms'
    ids (the files under `root`'s mechanisms folder)."""
    level = max((len(name) for name in config.escalation.levels), default=0)
    mechanism = len("(none)")
    if root is not None:
        with suppress(OSError):
            names = (p.stem for p in (root / layout.MECHANISMS).glob("*.yaml"))
            mechanism = max([mechanism, *(len(name) for name in names)])
    return [
        Column("ID", ID_WIDTH),
        Column("AGE", len("9999d")),
        Column("SEV", 4),
        Column("LEVEL", level),
        Column("STATUS", max(len(s.value) for s in EscalationStatus)),
        Column("MECHANISM", mechanism),
        Column("ACK", DEADLINE_WIDTH),
        Column("RESOLVE", DEADLINE_WIDTH),
        Column("TITLE", wrap=True),
    ]


def escalation_rows(rows: Iterable[dict[str, Any]], config: Config, now: datetime) -> Iterator[Row]:
    """The list's cells for each record given as JSON (`model_dump(mode="json")`), one at a
    time: no model objects, so that tens of thousands of rows draw in a moment. The rules are
    the model's own (time_to_acknowledge, time_to_resolve) and `_ack_cell`'s."""
    ack = {sev.value: target for sev, target in config.escalation.ack_within.items()}
    resolve = {sev.value: target for sev, target in config.escalation.resolve_within.items()}
    at = datetime.fromisoformat  # Python 3.11 reads the trailing Z
    for row in rows:
        raised = at(row["raised_at"])
        severity = row["severity"]
        status = row["status"]
        acked = next((e["at"] for e in row["timeline"] if e["action"] == _ACKED), None)
        resolved = [e["at"] for e in row["timeline"] if e["action"] == _RESOLVED]
        settled = status in _SETTLED and resolved
        ack_text, ack_state = deadline(
            taken=None if acked is None else (at(acked) - raised).total_seconds(),
            target=ack[severity].total_seconds(),
            left=(raised + ack[severity] - now).total_seconds(),
            waiting=status == EscalationStatus.OPEN.value,
        )
        resolve_text, resolve_state = deadline(
            taken=(at(resolved[-1]) - raised).total_seconds() if settled else None,
            target=resolve[severity].total_seconds(),
            left=(raised + resolve[severity] - now).total_seconds(),
        )
        yield (
            (row["id"], ""),
            (duration((now - raised).total_seconds()), ""),
            (severity, SEVERITY_STYLE[severity]),
            (row["level"], ""),
            (status, _STATUS_STYLE[status]),
            (row.get("mechanism") or "(none)", ""),
            (ack_text, _DEADLINE_STYLE[ack_state]),
            (resolve_text, _DEADLINE_STYLE[resolve_state]),
            (row["title"], ""),
        )


def escalation_grid(
    rows: Iterable[dict[str, Any]], config: Config, now: datetime, root: Path | None = None
) -> Grid:
    return Grid(escalation_columns(config, root), escalation_rows(rows, config, now))


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
