"""Listing escalations from the index, and the figures derived from their timelines.

This is the read path of `escalation list` (and of the rows `status` prints): it needs the
index and the configuration's facts only (services/core/index/facts.py), so a warm listing
imports neither pydantic nor ruamel (docs/design.md §7, §8). The rules are the model's own
(`Escalation.time_to_acknowledge`, `time_to_resolve`) and analysis's; tests compare them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from mechctl.errors import Problem
from mechctl.services.core import index

UNRESOLVED = ("open", "acknowledged")
STATUSES = ("open", "acknowledged", "resolved", "closed")
_SETTLED = ("resolved", "closed")


def deriver_of_times(
    facts: dict[str, Any], now: datetime
) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """`deriver`'s figures from the index's columns (index.TIMES: raised_at, severity,
    status, the first acknowledgement and the last resolution) instead of the timeline:
    the same values (a test compares them), without walking a record."""
    ack_seconds: dict[str, int] = facts["ack_within"]
    resolve_seconds: dict[str, int] = facts["resolve_within"]
    ack = {sev: timedelta(seconds=s) for sev, s in ack_seconds.items()}
    resolve = {sev: timedelta(seconds=s) for sev, s in resolve_seconds.items()}
    at = datetime.fromisoformat

    def derive(times: tuple[Any, ...]) -> dict[str, Any]:
        raised_at, severity, status, acked, resolved = times
        raised = at(raised_at)
        settled = status in _SETTLED
        tta = at(acked) - raised if acked else None
        ttr = at(resolved) - raised if settled and resolved else None
        return {
            "age_seconds": int((now - raised).total_seconds()),
            "time_to_acknowledge_seconds": None if tta is None else int(tta.total_seconds()),
            "time_to_resolve_seconds": None if ttr is None else int(ttr.total_seconds()),
            "ack_target_seconds": ack_seconds[severity],
            "resolve_target_seconds": resolve_seconds[severity],
            "ack_overdue": status == "open" and now > raised + ack[severity],
            "resolve_overdue": status in UNRESOLVED and now > raised + resolve[severity],
        }

    return derive


_DERIVED = (
    b'%s,\n    "derived": {\n      "age_seconds": %d,\n      "time_to_acknowledge_seconds": %s,'
    b'\n      "time_to_resolve_seconds": %s,\n      "ack_target_seconds": %d,'
    b'\n      "resolve_target_seconds": %d,\n      "ack_overdue": %s,'
    b'\n      "resolve_overdue": %s\n    }\n  }'
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = 1_000_000  # in microseconds


def derived_json(facts: dict[str, Any], now: datetime) -> Callable[[bytes, tuple[Any, ...]], bytes]:
    """A function from a record as the index keeps it (build.shown) and its times since the
    epoch (index.EPOCH_TIMES) to the record with `deriver_of_times`'s figures as its last
    key: the bytes stream_json would write for `{**record, "derived": figures}` (a test
    compares them), in whole-number arithmetic, without a dict or a parse per row: `list
    --status all --json` writes 100,000 of them."""
    ack: dict[str, int] = facts["ack_within"]
    resolve: dict[str, int] = facts["resolve_within"]
    now_us = (now - _EPOCH) // timedelta(microseconds=1)

    def write(shown: bytes, times: tuple[Any, ...]) -> bytes:
        raised, severity, status, acked, resolved = times
        since = now_us - raised * _SECOND
        age = since // _SECOND if since >= 0 else -(-since // _SECOND)  # towards zero
        ack_s, resolve_s = ack[severity], resolve[severity]
        return _DERIVED % (
            shown[:-4],
            age,
            b"null" if acked is None else b"%d" % (acked - raised),
            b"%d" % (resolved - raised) if status in _SETTLED and resolved is not None else b"null",
            ack_s,
            resolve_s,
            b"true" if status == "open" and now_us > (raised + ack_s) * _SECOND else b"false",
            b"true"
            if status in UNRESOLVED and now_us > (raised + resolve_s) * _SECOND
            else b"false",
        )

    return write


def times_of(row: dict[str, Any]) -> tuple[Any, ...]:
    """What deriver_of_times reads, from a record's JSON instead of the index's columns (the
    same values the index stores: the first acknowledgement and the last resolution)."""
    timeline = row["timeline"]
    acked = next((e["at"] for e in timeline if e["action"] == "acknowledged"), None)
    resolved = [e["at"] for e in timeline if e["action"] == "resolved"]
    return (
        row["raised_at"],
        row["severity"],
        row["status"],
        acked,
        resolved[-1] if resolved else None,
    )


def deriver(facts: dict[str, Any], now: datetime) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function giving the figures computed from a record (as JSON) and the configured
    targets (`facts`: index.config_facts); never stored. It works on plain rows, so listing
    100,000 escalations needs no model objects."""
    by_times = deriver_of_times(facts, now)
    return lambda row: by_times(times_of(row))


def statuses_for(status: str | None) -> list[str] | None:
    """`--status`: None is the unresolved ones, 'all' every status (None here)."""
    if status is None:
        return list(UNRESOLVED)
    if status == "all":
        return None
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return [status]


@contextlib.contextmanager
def listing(
    ws: Any,
    *,
    status: str | None = None,
    mechanism: str | None = None,
    severity: str | None = None,
    failure_mode: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
    times: bool | str = False,
) -> Iterator[tuple[Iterator[Any], list[Problem], dict[str, Any]]]:
    """The records as JSON rows, oldest first, read from the index as they are consumed (a
    listing of 100,000 holds one row at a time) while the block runs; the problems of the
    invalid escalation files; and the configuration's facts. `status` None: unresolved;
    'all': every status. Only the rows asked for are read: the filters are the index's own
    (docs/design.md §7). `times`: each row as (row, the columns deriver_of_times reads);
    "epoch": as (row, what derived_json reads)."""
    with index.open_index(ws) as found:
        rows = found.escalations(
            statuses=statuses_for(status),
            mechanism=mechanism,
            severity=severity,
            failure_mode=failure_mode,
            owner=owner,
            limit=limit,
            times=times,
        )
        yield rows, found.problems(index.ESCALATION), found.facts
