"""Escalations for people: the list's rows (drawn by cli/listing.py) and the detail view."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from mechctl.cli import escalation_grid as grid
from mechctl.cli.deadline import deadline, duration
from mechctl.cli.listing import Grid

if TYPE_CHECKING:
    from mechctl.models import Config

_STATUS_STYLE = grid.STATUS_STYLE
_DEADLINE_STYLE = grid.DEADLINE_STYLE


def human(delta: timedelta) -> str:
    return duration(delta.total_seconds())


def escalation_grid(
    rows: Iterable[dict[str, Any]], config: Config, now: datetime, root: Path | None = None
) -> Grid:
    from mechctl.services.core.index import facts_of

    return grid.escalation_grid(rows, facts_of(config), now, root)


def _minute(at: str) -> str:
    """'2026-11-02T08:40:00Z' as '2026-11-02 08:40Z' (a record's times are always UTC)."""
    return f"{at[:10]} {at[11:16]}Z"


def _cell(taken: float | None, target: float, left: float, waiting: bool) -> Text:
    text, state = deadline(taken=taken, target=target, left=left, waiting=waiting)
    return Text(text, style=_DEADLINE_STYLE[state])


def escalation_detail(row: dict[str, Any], facts: dict[str, Any], now: datetime) -> RenderableType:
    """One escalation for people, from its JSON row (`model_dump(mode="json")`, as the index
    keeps it) and the configuration's facts: no model is needed (docs/design.md §8)."""
    raised = datetime.fromisoformat(row["raised_at"])
    status = row["status"]
    head = Text()
    head.append(row["title"], style="bold")
    head.append("  ")
    head.append(status, style=_STATUS_STYLE[status])
    parts: list[RenderableType] = [head]
    parts.append(
        Text(
            f"{row['severity']} · level {row['level']} · mechanism {row['mechanism'] or '(none)'}"
            f" · failure mode {row['failure_mode']} · owner {row['owner'] or '-'}"
        )
    )
    parts.append(
        Text(
            f"raised by {row['raised_by']} at {_minute(row['raised_at'])}"
            f" ({human(now - raised)} ago)"
        )
    )
    parts.append(Text("\nCustomer impact", style="bold"))
    parts.append(Text(f"  {row['customer_impact']}"))
    if row.get("ask"):
        parts += [Text("\nAsk", style="bold"), Text(f"  {row['ask']}")]
    parts.append(Text("\nResponse times", style="bold"))
    ack, resolve = facts["ack_within"][row["severity"]], facts["resolve_within"][row["severity"]]
    at = datetime.fromisoformat
    acked = next((e["at"] for e in row["timeline"] if e["action"] == "acknowledged"), None)
    resolved = [e["at"] for e in row["timeline"] if e["action"] == "resolved"]
    settled = status in ("resolved", "closed") and resolved
    line = Text("  acknowledge: ")
    line.append_text(
        _cell(
            None if acked is None else (at(acked) - raised).total_seconds(),
            ack,
            (raised + timedelta(seconds=ack) - now).total_seconds(),
            waiting=status == "open",
        )
    )
    line.append(f" (target {duration(ack)})   resolve: ")
    line.append_text(
        _cell(
            (at(resolved[-1]) - raised).total_seconds() if settled else None,
            resolve,
            (raised + timedelta(seconds=resolve) - now).total_seconds(),
            waiting=True,  # due until resolved
        )
    )
    line.append(f" (target {duration(resolve)})")
    parts.append(line)
    r = row.get("resolution")
    if r:
        parts.append(Text("\nResolution", style="bold"))
        parts.append(Text(f"  {r['summary']}"))
        if r.get("root_cause"):
            parts.append(Text(f"  root cause: {r['root_cause']}"))
        change = r.get("mechanism_change")
        if change:
            parts.append(Text(f"  mechanism change: {change['mechanism']} v{change['version']}"))
        if r.get("no_change_reason"):
            parts.append(Text(f"  no change needed: {r['no_change_reason']}"))
    links, tags = row.get("links") or [], row.get("tags") or []
    if links or tags:
        parts.append(Text(""))
        for link in links:
            parts.append(Text(f"  link: {link}"))
        if tags:
            parts.append(Text("  tags: " + ", ".join(tags)))
    parts.append(Text("\nTimeline", style="bold"))
    for entry in row["timeline"]:
        line = Text(f"  {_minute(entry['at'])}  {entry['action']:<13} {entry['by']}")
        if entry["action"] == "level-raised" and entry.get("level"):
            line.append(f"  → {entry['level']}")
        if entry.get("note"):
            line.append(f"  {entry['note']}", style="italic")
        parts.append(line)
    return Group(*parts)
