"""Lint results kept between runs, in `.git/mechctl/lint-cache.sqlite3`.

- Per-file results are not kept here: the index's rows hold them (services/core/index/,
  the `lint` column), keyed by path, bytes and levels.
- The run memo: the findings of the last whole run, with the state they came from (every
  file's blob id, HEAD) and the time span over which no deadline, due date or 90-day window
  changes them. A run in the same state within that span answers from it at once.
- Places of cross-file findings (line and column by blob id and YAML path), and a few
  repository-wide facts (activation dates per HEAD, whether schemas are stale).

The store is opened, made under `derived.key()` (mechctl's format, version and, from a
source checkout, code) and given up on when corrupt as every derived store is
(docs/design.md §7, mechctl.derived). Within it, everything belongs to one *generation*: a
hash of that key, the Python version (marshal's format) and the bytes of `.mechctl.yaml`; a
change of generation empties all but the activation dates, which depend on history alone.
A cache that cannot be opened or written (read-only `.git`, a locked file) is skipped: lint
is then only slower. Kept free of heavy imports (cli/lint/warm.py uses it).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from mechctl import derived

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS places (rel TEXT, blob TEXT, path TEXT, line INT, col INT,
                                   PRIMARY KEY (rel, blob, path));
"""
# What a stored value that does not decode raises (marshal of another format, cut short).
_UNDECODABLE = (ValueError, EOFError, TypeError)


def cache_path(git_common_dir: Path) -> Path | None:
    """Where the cache lives; MECHCTL_LINT_CACHE=0 turns it off."""
    if os.environ.get("MECHCTL_LINT_CACHE", "1") in ("0", "off", "no"):
        return None
    return derived.path(git_common_dir, "lint-cache")


def generation(config_bytes: bytes) -> str:
    """The generation of the results for this configuration (see the module docstring)."""
    made = f"{derived.key()}|{sys.version}".encode()
    return hashlib.sha256(made + b"\0" + config_bytes).hexdigest()[:32]


class Cache:
    def __init__(self, path: Path | None, gen: str) -> None:
        self.gen = gen
        self.meta: dict[str, Any] = {}
        self.places: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._places_loaded = False
        self._db: sqlite3.Connection | None = None
        self._path: Path | None = None
        self._new_places: list[tuple[str, str, str, int, int]] = []
        self._new_meta: dict[str, Any] = {}
        if path is not None:
            self._open(path)

    def _open(self, path: Path) -> None:
        db = derived.connect(path, _SCHEMA)
        if db is None:
            return
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'gen'").fetchone()
            if row is None or row[0] != self.gen:
                db.executescript(
                    "BEGIN IMMEDIATE; DELETE FROM places;"
                    " DELETE FROM meta WHERE key != 'activations'; COMMIT;"
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('gen', ?)", (self.gen,))
            for key, value in db.execute(
                "SELECT key, value FROM meta WHERE key NOT IN ('gen', 'files')"  # 'files': older
            ):
                self.meta[key] = marshal.loads(value)
            self._db = db
            self._path = path
        except (sqlite3.Error, *_UNDECODABLE) as exc:
            derived.failed(db, path, exc)
            self.meta = {}

    def _load_places(self) -> None:
        if self._places_loaded:
            return
        self._places_loaded = True
        if self._db is not None:
            try:
                rows = self._db.execute("SELECT rel, blob, path, line, col FROM places")
                self.places = {(r, b, p): (line, col) for r, b, p, line, col in rows}
            except sqlite3.Error as exc:
                self._failed(exc)

    # -- the run memo --------------------------------------------------------------------

    def recall(self, key: str, now: datetime) -> tuple[int, list[tuple[Any, ...]]] | None:
        """(files, findings) of the last run, if it was in this state and still holds now."""
        memo = self.meta.get("memo")
        if not isinstance(memo, tuple) or len(memo) != 5 or memo[0] != key:
            return None
        start, until = datetime.fromisoformat(memo[1]), memo[2]
        if start.tzinfo is None or now.tzinfo is None or now < start:
            return None
        if until is not None and now > datetime.fromisoformat(until):
            return None
        return memo[3], memo[4]

    def remember(
        self,
        key: str,
        now: datetime,
        until: datetime | None,
        files: int,
        findings: list[tuple[Any, ...]],
    ) -> None:
        self.put_meta(
            "memo",
            (key, now.isoformat(), until.isoformat() if until else None, files, tuple(findings)),
        )

    # -- places of cross-file findings, and repository-wide facts ------------------------

    def place(self, rel: str, blob: str, path: str) -> tuple[int, int] | None:
        self._load_places()
        return self.places.get((rel, blob, path))

    def put_place(self, rel: str, blob: str, path: str, line: int, column: int) -> None:
        self.places[(rel, blob, path)] = (line, column)
        self._new_places.append((rel, blob, path, line, column))

    def put_meta(self, key: str, value: Any) -> None:
        self.meta[key] = value
        self._new_meta[key] = value

    # -- writing -------------------------------------------------------------------------

    def save(self, present: dict[str, str]) -> None:
        """Write what this run learnt. `present`: rel -> blob of the files there now; the
        places of other blobs go."""
        if self._db is None:
            return
        if not (self._places_loaded or self._new_places or self._new_meta):
            return  # answered from the memo: nothing read, nothing to write
        self._load_places()
        stale = sorted({(r, b) for r, b, _ in self.places if present.get(r) != b})
        if not (stale or self._new_places or self._new_meta):
            return
        try:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM places WHERE rel = ? AND blob = ?", stale)
            db.executemany("INSERT OR REPLACE INTO places VALUES (?, ?, ?, ?, ?)", self._new_places)
            db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, marshal.dumps(v)) for k, v in self._new_meta.items()],
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if derived.corrupt(exc):
                self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        """Give up the store for this run (removing it if it is damaged)."""
        if self._db is not None and self._path is not None:
            derived.failed(self._db, self._path, exc)
        self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
