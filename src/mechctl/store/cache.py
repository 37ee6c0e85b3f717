"""A derived cache of checked records, in SQLite under `.git/mechctl/`, keyed by git blob id.

It never changes a result: a row holds exactly what checking those bytes gave (the record
as JSON, or its problems), under a key made of the blob id and what else the check depended
on (the model, the configured levels); the store as a whole is made under `derived.key()`
(mechctl's format, version and, from a source checkout, code). Deleting the file only costs
time. Concurrent runs are safe (WAL, busy timeout, INSERT OR REPLACE of identical values);
opening, staleness and a corrupt file follow the one policy of mechctl.derived.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from mechctl import derived

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
        self._tried = False

    def _connect(self) -> sqlite3.Connection | None:
        if not self._tried:
            self._tried = True  # one attempt per run: a store that failed stays off
            self._db = derived.connect(self.path, _SCHEMA)
        return self._db

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
        except (sqlite3.Error, orjson.JSONDecodeError) as exc:
            self._failed(exc)
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
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO checked VALUES (?, ?, ?)", encoded)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if self._db is not None:
            derived.failed(self._db, self.path, exc)
        self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
