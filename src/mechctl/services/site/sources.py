"""What the site's pages are built from, read through the index (docs/design.md §7) with
plain SQL on its `files` table: one row per record file with its blob id and columns, so a
rebuild learns what changed without loading a single record it does not render.

Nothing here changes the index; it only reads an open `Index`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.models.enums import FailureMode
from mechctl.services.core.analysis import RecurringFailure
from mechctl.services.core.index import ESCALATION, MECHANISM, Index


@dataclass(frozen=True, slots=True)  # 100,000 of them at once: no __dict__ each
class FileRow:
    """One record file as the index has it (columns only, never the record)."""

    path: str
    kind: str
    blob: str
    valid: bool
    id: str | None
    mechanism: str | None
    status: str | None
    raised_at: str | None
    failure_mode: str | None
    severity: str | None
    change: tuple[str, int] | None  # the mechanism and version its resolution changed


def files(index: Index) -> list[FileRow]:
    """Every record file, valid or not, in path order."""
    sql = (
        "SELECT path, kind, blob, valid, id, mechanism, status, raised_at, failure_mode, severity,"
        " change_mechanism, change_version FROM files ORDER BY path"
    )
    rows = index.db.execute(sql)
    # The few values that repeat on every row are kept once (100,000 rows at once).
    once: dict[Any, Any] = {}
    same = once.setdefault
    return [
        FileRow(
            path,
            same(kind, kind),
            blob,
            bool(valid),
            ident,
            same(mech, mech),
            same(status, status),
            raised,
            same(mode, mode),
            same(severity, severity),
            None if changed is None else (str(changed), int(version)),
        )
        for (
            path,
            kind,
            blob,
            valid,
            ident,
            mech,
            status,
            raised,
            mode,
            severity,
            changed,
            version,
        ) in rows
    ]


def mechanism_changes(rows: Iterable[FileRow]) -> dict[str, list[tuple[str, int]]]:
    """By mechanism: the escalations whose resolution names a change to it, with its version
    (`rows`: the valid escalations, in path order)."""
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        if row.change is not None:
            found[row.change[0]].append((str(row.id), row.change[1]))
    return found


def recurring(index: Index, now: datetime) -> list[RecurringFailure]:
    """analysis.recurring_failures over the escalations raised before `now`, by the report's
    rule over the index's groups (the same figures, without a fact object per record), one
    (mechanism, failure mode) group in memory at a time."""
    import itertools

    from mechctl.services.report.build import _recurring
    from mechctl.services.report.query import bound

    sql = (  # ReportRows.groups, streamed
        "SELECT mechanism, failure_mode, raised_at, id, raised_ts FROM files"
        " WHERE kind = ? AND valid = 1 AND mechanism IS NOT NULL AND raised_at < ?"
        " ORDER BY mechanism, failure_mode, raised_at, id, path"
    )
    rows = index.db.execute(sql, (ESCALATION, bound(now)))
    found = []
    for _, group in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
        for r in _recurring(list(group), now):
            found.append(
                RecurringFailure(r.mechanism, FailureMode(r.failure_mode), tuple(r.escalations))
            )
    return found


def record(index: Index, rel: str) -> dict[str, Any] | None:
    return index.record_at(rel)


def digest(*parts: object) -> str:
    """A short, stable key of what a page was built from."""
    hasher = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        hasher.update(repr(part).encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def kinds(rows: Iterable[FileRow]) -> tuple[list[FileRow], list[FileRow]]:
    """The valid mechanisms and the valid escalations."""
    mechanisms, escalations = [], []
    for row in rows:
        if row.valid and row.kind == MECHANISM:
            mechanisms.append(row)
        elif row.valid and row.kind == ESCALATION:
            escalations.append(row)
    return mechanisms, escalations
