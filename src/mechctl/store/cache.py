"""A derived cache of checked records, in SQLite under `.git/mechctl/`, keyed by git blob id.

It never changes a result: a row holds exactly what checking those bytes gave (the record
as JSON, or its problems), under a key made of the blob id and everything else the check
depended on (mechctl's version, the configured levels). Deleting the file only costs time.
Concurrent runs are safe (WAL, busy timeout, INSERT OR REPLACE of identical values); a
corrupt file is deleted and rebuilt.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checked (
    key TEXT PRIMARY KEY,
    record TEXT,      -- model_dump(mode="json") of a valid record, else NULL
    problems TEXT     -- JSON list of [line, column, rule, message], else NULL
)
"""
_BATCH = 500


class RecordCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
                db.execute("SELECT count(*) FROM checked WHERE key = ''").fetchone()
                self._db = db
                return db
            except sqlite3.DatabaseError:
                if attempt:
                    return None  # no cache today; results are the same, only slower
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            except OSError:
                return None
        return None

    def get_many(self, keys: Sequence[str]) -> dict[str, tuple[Any, Any]]:
        db = self._connect()
        if db is None or not keys:
            return {}
        found: dict[str, tuple[Any, Any]] = {}
        try:
            for start in range(0, len(keys), _BATCH):
                chunk = keys[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                for key, record, problems in db.execute(
                    f"SELECT key, record, problems FROM checked WHERE key IN ({marks})",
                    chunk,
                ):
                    found[key] = (
                        orjson.loads(record) if record is not None else None,
                        orjson.loads(problems) if problems is not None else None,
                    )
        except (sqlite3.DatabaseError, orjson.JSONDecodeError):
            self._reset()
            return {}
        return found

    def put_many(self, rows: Iterable[tuple[str, Any, Any]]) -> None:
        db = self._connect()
        if db is None:
            return
        encoded = [
            (
                key,
                None if record is None else orjson.dumps(record),
                None if problems is None else orjson.dumps(problems),
            )
            for key, record, problems in rows
        ]
        if not encoded:
            return
        try:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO checked VALUES (?, ?, ?)", encoded)
            db.execute("COMMIT")
        except sqlite3.DatabaseError:
            self._reset()

    def _reset(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
