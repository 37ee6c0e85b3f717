"""What the site's pages are built from, read through the index (docs/design.md §7) with
plain SQL on its `files` table: one row per record file with its blob id and columns, so a
rebuild learns what changed without loading a single record it does not render.

Nothing here changes the index; it only reads an open `Index`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.models import EscalationStatus
from mechctl.models.enums import FailureMode, Severity
from mechctl.services.core.index import ESCALATION, MECHANISM, Index


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Fact:
    """What `analysis.recurring_failures` reads of an escalation, from the index's columns."""

    id: str
    mechanism: str | None
    failure_mode: FailureMode
    severity: Severity
    status: EscalationStatus
    raised_at: datetime


def files(index: Index) -> list[FileRow]:
    """Every record file, valid or not, in path order."""
    sql = (
        "SELECT path, kind, blob, valid, id, mechanism, status, raised_at, failure_mode, severity"
        " FROM files ORDER BY path"
    )
    rows = index.db.execute(sql)
    return [
        FileRow(path, kind, blob, bool(valid), ident, mech, status, raised, mode, severity)
        for (path, kind, blob, valid, ident, mech, status, raised, mode, severity) in rows
    ]


def facts(rows: Iterable[FileRow]) -> Iterator[Fact]:
    for row in rows:
        if row.kind == ESCALATION and row.valid and row.id and row.raised_at:
            yield Fact(
                row.id,
                row.mechanism,
                FailureMode(str(row.failure_mode)),
                Severity(str(row.severity)),
                EscalationStatus(str(row.status)),
                datetime.fromisoformat(row.raised_at),
            )


def mechanism_changes(index: Index) -> dict[str, list[tuple[str, int]]]:
    """By mechanism: the escalations whose resolution names a change to it, with its version."""
    sql = (  # the index's report columns: no record's JSON is parsed
        "SELECT id, change_mechanism, change_version FROM files WHERE kind = ? AND valid = 1"
        " AND change_mechanism IS NOT NULL ORDER BY path"
    )
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ident, mechanism, version in index.db.execute(sql, (ESCALATION,)):
        if mechanism is not None:
            found[str(mechanism)].append((str(ident), int(version)))
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
