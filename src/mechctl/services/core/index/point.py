"""Reads of one file's row that need no refresh (docs/design.md §7): `escalation show` asks
for one record, and bringing the whole index up to date (`git diff-files` over every tracked
file) would cost more than the answer.

A row is current without a refresh when the file's own stat data vouch for it, by the rule
a refresh uses (size, mtime, ctime and inode as when it was checked, and checked more than a
second after its mtime), and it was checked under the same levels. Which escalation files
exist is current when no record folder changed since the last refresh looked at them (a
file comes or goes only by changing its folder). Anything less certain says "unknown", and
the caller opens the index as usual: the answer is the same either way, only slower.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
from typing import TYPE_CHECKING, Any

import orjson

from mechctl import derived
from mechctl.services.core.index.changes import dirs_unchanged
from mechctl.services.core.index.store import (
    ESCALATION,
    SCHEMA,
    VERSION,
    Row,
    kind_of,
    read_meta,
    salt_of,
    store_file,
    trusted,
)

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from mechctl.services.core.context import Workspace

INVALID = "invalid"  # the file is as checked, and invalid: read it for its errors


class Point:
    """An index opened for single rows, without a refresh."""

    def __init__(self, db: sqlite3.Connection, root: Path, salt: str, meta: dict[str, Any]):
        self._db = db
        self._root = root
        self._salt = salt
        self._meta = meta

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Point:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def record(self, rel: str) -> Row | str | None:
        """The record of the file at `rel` when its row is current and valid, INVALID when
        it is current and invalid, None when that cannot be told without a refresh (or the
        store cannot be read: open_index deals with that)."""
        import sqlite3

        try:
            return self._record(rel)
        except (sqlite3.Error, ValueError, TypeError):  # orjson's errors are ValueErrors
            return None

    def _record(self, rel: str) -> Row | str | None:
        kind = kind_of(rel)
        if kind is None:
            return None
        found = self._db.execute(
            "SELECT salt, size, mtime_ns, ctime_ns, ino, seen_ns, valid, record FROM files"
            " WHERE path = ?",
            (rel,),
        ).fetchone()
        if found is None or found[0] != (self._salt if kind == ESCALATION else ""):
            return None
        try:
            stat = os.lstat(self._root / rel)
        except OSError:
            return None
        if not stat_module.S_ISREG(stat.st_mode) or not trusted(found[1:6], stat):
            return None
        if not found[6]:
            return INVALID
        value = orjson.loads(found[7])
        return value if isinstance(value, dict) else None

    def escalation_stems(self, wanted: str) -> list[str] | None:
        """As Index.escalation_stems, when no record folder changed since the last refresh
        (so the index names exactly the files there are); else None."""
        import sqlite3

        try:
            return self._stems(wanted)
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def _stems(self, wanted: str) -> list[str] | None:
        if not dirs_unchanged(self._root, self._meta.get("dirs"), self._meta.get("dirs_seen", 0)):
            return None
        sql = "SELECT path FROM files WHERE kind = ? AND (path GLOB ? OR path GLOB ?)"
        args = (ESCALATION, f"*/*/*/{wanted}*", f"*/*/*/esc-????????-{wanted}*")
        paths = sorted((str(row[0]) for row in self._db.execute(sql, args)), key=_order)
        return [path.rsplit("/", 1)[1].rsplit(".", 1)[0] for path in paths]


def _order(path: str) -> list[str]:
    return path.split("/")  # by folder, then name: layout.escalation_rels's order


def open_point(ws: Workspace) -> Point | None:
    """The index for single rows, or None when there is none usable (then open_index)."""
    import sqlite3

    file = store_file(ws)
    if not file.is_file():
        return None
    db = derived.connect(file, SCHEMA)
    if db is None:
        return None
    try:
        meta = read_meta(db)
        from mechctl.services.core.index.facts import config_facts

        salt = salt_of(list(config_facts(ws, db)["levels"]))
        if meta.get("version") != VERSION or meta.get("salt") != salt:
            db.close()
            return None
        return Point(db, ws.root, salt, meta)
    except (sqlite3.Error, orjson.JSONDecodeError, ValueError, TypeError, AttributeError):
        with contextlib.suppress(sqlite3.Error):
            db.close()
        return None
