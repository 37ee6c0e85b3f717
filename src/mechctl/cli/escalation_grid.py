"""The escalation list's columns and rows (drawn by cli/listing.py), from JSON rows and the
configuration's facts: no models and no rich, so a listing of 100,000 starts at once and draws
each row in microseconds (docs/design.md §8)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mechctl.cli.deadline import State, deadline, duration
from mechctl.cli.listing import Column, Grid, Row
from mechctl.cli.styles import SEVERITY_STYLE
from mechctl.store import layout

ID_WIDTH = len("esc-20261101-abcdefgh")  # every escalation id: esc-DATE-8 random letters
DEADLINE_WIDTH = len("overdue 9999d")  # 27 years: wider ones push their row right
STATUS_WIDTH = len("acknowledged")  # the longest status
_SETTLED = ("resolved", "closed")
STATUS_STYLE = {"open": "red", "acknowledged": "yellow", "resolved": "green", "closed": "dim"}
# How a deadline's state looks here; the report flags only what is late (cli/report/sections.py).
DEADLINE_STYLE: dict[State, str] = {
    "met": "green",
    "missed": "red",
    "due": "",
    "overdue": "bold red",
    "none": "dim",
}


def escalation_columns(levels: Iterable[str], root: Path | None = None) -> list[Column]:
    """The list's columns, each as wide as its widest possible cell where that is known up
    front, so that rows far down a long listing line up with the first ones: ids, severities,
    statuses, the configured levels, ages and deadlines up to 9999 days, and the mechanisms'
    ids (the files under `root`'s mechanisms folder)."""
    level = max((len(name) for name in levels), default=0)
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
        Column("STATUS", STATUS_WIDTH),
        Column("MECHANISM", mechanism),
        Column("ACK", DEADLINE_WIDTH),
        Column("RESOLVE", DEADLINE_WIDTH),
        Column("TITLE", wrap=True),
    ]


def escalation_rows(
    rows: Iterable[dict[str, Any]], facts: dict[str, Any], now: datetime
) -> Iterator[Row]:
    """The list's cells for each record given as JSON (`model_dump(mode="json")`), one at a
    time. The rules are the model's own (time_to_acknowledge, time_to_resolve) and those of
    `escalation show`'s deadline cells (cli/render_escalation.py)."""
    ack = {sev: timedelta(seconds=s) for sev, s in facts["ack_within"].items()}
    resolve = {sev: timedelta(seconds=s) for sev, s in facts["resolve_within"].items()}
    ack_s = {sev: float(s) for sev, s in facts["ack_within"].items()}
    resolve_s = {sev: float(s) for sev, s in facts["resolve_within"].items()}
    at = datetime.fromisoformat  # Python 3.11 reads the trailing Z
    for row in rows:
        raised = at(row["raised_at"])
        severity = row["severity"]
        status = row["status"]
        acked = None
        resolved = None
        for entry in row["timeline"]:
            action = entry["action"]
            if action == "acknowledged" and acked is None:
                acked = entry["at"]
            elif action == "resolved":
                resolved = entry["at"]  # the last one counts
        ack_text, ack_state = deadline(
            taken=None if acked is None else (at(acked) - raised).total_seconds(),
            target=ack_s[severity],
            left=(raised + ack[severity] - now).total_seconds(),
            waiting=status == "open",
        )
        settled = status in _SETTLED and resolved is not None
        resolve_text, resolve_state = deadline(
            taken=(at(resolved) - raised).total_seconds() if settled else None,  # type: ignore[arg-type]
            target=resolve_s[severity],
            left=(raised + resolve[severity] - now).total_seconds(),
        )
        yield (
            (row["id"], ""),
            (duration((now - raised).total_seconds()), ""),
            (severity, SEVERITY_STYLE[severity]),
            (row["level"], ""),
            (status, STATUS_STYLE[status]),
            (row.get("mechanism") or "(none)", ""),
            (ack_text, DEADLINE_STYLE[ack_state]),
            (resolve_text, DEADLINE_STYLE[resolve_state]),
            (row["title"], ""),
        )


def escalation_grid(
    rows: Iterable[dict[str, Any]], facts: dict[str, Any], now: datetime, root: Path | None = None
) -> Grid:
    return Grid(escalation_columns(facts["levels"], root), escalation_rows(rows, facts, now))
