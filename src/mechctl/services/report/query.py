"""What `mechctl report` reads of the escalations, in SQL (docs/design.md §7): the counts, and
only the rows of the period and its comparison periods (and the unresolved ones), as plain
tuples; never every record as a model. The figures are computed from these in `build.py`,
`loop.py`, by the same rules as before, so the report is the same with or without the index.

Times in the index are the records' JSON times, `YYYY-MM-DDTHH:MM:SSZ`: their text order is
their time order, and they are whole seconds, so `t < bound` and `t >= bound` hold exactly
when they hold against the bound rounded up to the second (`bound`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from mechctl.services.core.index import ESCALATION

if TYPE_CHECKING:
    from mechctl.services.core.index import Index

_VALID = f"kind = '{ESCALATION}' AND valid = 1"
SETTLED = ("resolved", "closed")
UNRESOLVED = ("open", "acknowledged")


def bound(moment: datetime) -> str:
    """`moment` rounded up to the second, as the index writes times."""
    whole = moment.astimezone(UTC).replace(microsecond=0)
    if whole != moment:
        whole = datetime.fromtimestamp(math.ceil(moment.timestamp()), UTC)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def maybe(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(slots=True)
class Raised:
    """An escalation raised in the windows (the period or a comparison period)."""

    raised_at: datetime
    severity: str
    mechanism: str | None
    failure_mode: str
    raised_by: str


@dataclass(slots=True)
class Settled:
    """An escalation whose final resolution (`time_to_resolve`) falls in the windows."""

    id: str
    title: str
    severity: str
    mechanism: str | None
    failure_mode: str
    raised_at: datetime
    resolved_at: datetime
    change_mechanism: str | None
    change_version: int | None
    no_change_reason: str | None


@dataclass(slots=True)
class Unresolved:
    id: str
    title: str
    severity: str
    level: str
    status: str
    mechanism: str | None
    owner: str | None
    raised_at: datetime
    acked_at: datetime | None


Group = tuple[str, str, str, str, int]  # mechanism, failure mode, raised_at, id, raised_ts


class ReportRows:
    """The report's reads of one open index, for the windows from `since` to `until`."""

    def __init__(self, index: Index, since: datetime, until: datetime) -> None:
        self._index = index
        self._since = bound(since)
        self._until = bound(until)

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        return self._index.rows(sql, args)

    def count(self) -> int:
        return int(next(self._rows(f"SELECT count(*) FROM files WHERE {_VALID}"))[0])

    def raised(self) -> list[Raised]:
        sql = (
            "SELECT raised_at, severity, mechanism, failure_mode, raised_by FROM files"
            f" WHERE {_VALID} AND raised_at >= ? AND raised_at < ? ORDER BY path"
        )
        return [
            Raised(when(row[0]), *row[1:]) for row in self._rows(sql, (self._since, self._until))
        ]

    def acknowledged(self) -> list[tuple[datetime, datetime, str]]:
        """(acknowledged at, raised at, severity) of the first acknowledgements in the windows."""
        sql = (
            "SELECT acknowledged_at, raised_at, severity FROM files"
            f" WHERE {_VALID} AND acknowledged_at >= ? AND acknowledged_at < ?"
        )
        return [(when(a), when(r), s) for a, r, s in self._rows(sql, (self._since, self._until))]

    def settled(self) -> list[Settled]:
        sql = (
            "SELECT id, title, severity, mechanism, failure_mode, raised_at, resolved_at,"
            " change_mechanism, change_version, no_change_reason FROM files"
            f" WHERE {_VALID} AND resolved_at >= ? AND resolved_at < ?"
            f" AND status IN {SETTLED} ORDER BY path"
        )
        found = []
        for row in self._rows(sql, (self._since, self._until)):
            esc_id, title, severity, mechanism, mode, raised, resolved, change, version, reason = (
                row
            )
            found.append(
                Settled(
                    esc_id,
                    title,
                    severity,
                    mechanism,
                    mode,
                    when(raised),
                    when(resolved),
                    change,
                    version,
                    reason,
                )
            )
        return found

    def unresolved(self, as_of: datetime) -> list[Unresolved]:
        # Through the index by kind and status: the few thousand unresolved rows, never a
        # walk over every escalation raised before `as_of`.
        sql = (
            "SELECT id, title, severity, level, status, mechanism, owner, raised_at,"
            " acknowledged_at FROM files INDEXED BY files_status"
            f" WHERE kind = '{ESCALATION}' AND status IN {UNRESOLVED} AND valid = 1"
            " AND raised_at < ? ORDER BY path"
        )
        found = []
        for row in self._rows(sql, (bound(as_of),)):
            esc_id, title, severity, level, status, mechanism, owner, raised, acked = row
            found.append(
                Unresolved(
                    esc_id,
                    title,
                    severity,
                    level,
                    status,
                    mechanism,
                    owner,
                    when(raised),
                    maybe(acked),
                )
            )
        return found

    def open_at(self, moment: datetime) -> int:
        """Open at `moment`: raised before it, and not settled before it."""
        end = bound(moment)
        raised = f"SELECT count(*) FROM files WHERE {_VALID} AND raised_at < ?"
        settled = f"SELECT count(*) FROM files WHERE {_VALID} AND settled_at < ?"
        return int(next(self._rows(raised, (end,)))[0]) - int(next(self._rows(settled, (end,)))[0])

    def groups(self) -> list[Group]:
        """Every escalation on a mechanism raised before `until`, by mechanism and failure
        mode, then (raised at, id), then path."""
        sql = (
            "SELECT mechanism, failure_mode, raised_at, id, raised_ts FROM files"
            f" WHERE {_VALID} AND mechanism IS NOT NULL AND raised_at < ?"
            " ORDER BY mechanism, failure_mode, raised_at, id, path"
        )
        return self._index.fetch(sql, (self._until,))

    def resolvers(self, since: datetime, until: datetime) -> list[str]:
        """Who made each `resolved` timeline entry dated from `since` to before `until`."""
        low, high = bound(since), bound(until)
        sql = (
            f"SELECT resolved_entries FROM files WHERE {_VALID} AND resolved_hi >= ?"
            " AND resolved_lo < ? ORDER BY path"
        )
        found = []
        for (entries,) in self._rows(sql, (low, high)):
            for at, by in orjson.loads(entries):
                if low <= at < high:
                    found.append(by)
        return found
