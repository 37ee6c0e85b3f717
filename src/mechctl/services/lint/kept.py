"""What lint keeps between runs, in tables of its own in the index's SQLite
(`.git/mechctl/index.sqlite`, docs/design.md §6): all of it derived, keyed by everything it
depends on, and gone with the index.

- `lint_runs`: the timed findings of the last whole run (its untimed ones are its state's
  `lint_static` row), under the key of the state it came from
  (services/lint/state.py: the index's generation, the files the index does not hold, HEAD,
  the generated files, `.mechctl.yaml`, mechctl itself), with the span of time over which no
  deadline, due date or 90-day window changes them. A run in the same state within that
  span answers from it (`lint_outputs`, each format's whole output, is no longer written:
  on a real clock a span is often under a second, and `lint_pieces` serve every run).
- `lint_pieces`: per format, the untimed findings of the state's `lint_static` row
  rendered, a piece per file (cli/lint/merge.py): a run after the clock moved renders only
  the timed findings and writes the kept pieces around them.
- `lint_places`: where a cross-file finding's YAML path is in a file, by path and blob id.
- `lint_facts`: a few repository-wide facts, each stored with what it depends on
  (activation dates per HEAD, whether the schemas are stale, the tracked files the index
  does not hold per state of git's index).

Writes happen after the reads, each in a transaction of its own; one that fails (a read-only
`.git`, a lock held past the timeout) is skipped: lint is then only slower. Kept free of
heavy imports (cli/lint/warm.py uses it).
"""

from __future__ import annotations

import contextlib
import heapq
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS lint_runs (key TEXT PRIMARY KEY, start TEXT NOT NULL, until TEXT,
    files INTEGER NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
    findings BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lint_outputs (key TEXT NOT NULL, format TEXT NOT NULL,
    body BLOB NOT NULL, PRIMARY KEY (key, format));
CREATE TABLE IF NOT EXISTS lint_static (key TEXT PRIMARY KEY, files INTEGER NOT NULL,
    reused INTEGER NOT NULL, findings BLOB NOT NULL, extra BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lint_pieces (key TEXT NOT NULL, format TEXT NOT NULL,
    paths BLOB NOT NULL, body BLOB NOT NULL, PRIMARY KEY (key, format));
CREATE TABLE IF NOT EXISTS lint_places (path TEXT NOT NULL, blob TEXT NOT NULL,
    at TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL,
    PRIMARY KEY (path, blob, at));
CREATE TABLE IF NOT EXISTS lint_facts (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""
MAX_PLACES = 200_000  # past this many, the places are dropped and found again


@dataclass
class Run:
    """A whole run's findings, as (path, line, column, rule, severity, message) lists."""

    files: int
    errors: int
    warnings: int
    findings: list[list[Any]]


@dataclass
class Static:
    """The part of a whole run that does not depend on the clock (every finding but the
    deadlines, recurrences and inspections), and what the timed rules read besides the
    valid escalations' columns: [path, blob id, summary] of the mechanisms and of the
    escalations that are not valid rows of the index."""

    files: int
    reused: int
    findings: list[list[Any]]
    extra: list[list[Any]]


def ensure(db: sqlite3.Connection) -> bool:
    """Make lint's tables, outside any transaction; False when the store cannot be written."""
    import sqlite3

    try:
        db.executescript(SCHEMA)
        return True
    except sqlite3.Error:
        return False


def _has_tables(db: sqlite3.Connection) -> bool:
    row = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'lint_runs'"
    ).fetchone()
    return bool(row and row[0])


def _holds(start: str, until: str | None, now: datetime) -> bool:
    begun = datetime.fromisoformat(start)
    if now.tzinfo is None or now < begun:
        return False
    return until is None or now <= datetime.fromisoformat(until)


def recall(db: sqlite3.Connection, key: str, now: datetime) -> Run | None:
    """The last whole run, when it was in state `key` and its findings still hold `now`."""
    found = recall_parts(db, key, now)
    if found is None:
        return None
    run, static = found
    every = heapq.merge(static, run.findings, key=lambda f: (f[0], f[1], f[2], f[3], f[5]))
    return Run(run.files, run.errors, run.warnings, list(every))


def recall_parts(
    db: sqlite3.Connection, key: str, now: datetime
) -> tuple[Run, list[list[Any]]] | None:
    """The last whole run, as `recall`, in its two parts: the run with its timed findings
    only, and the untimed findings kept for the same state (`lint_static`)."""
    import sqlite3

    try:
        if not _has_tables(db):
            return None
        row = db.execute(
            "SELECT r.start, r.until, r.files, r.errors, r.warnings, r.findings, s.findings"
            " FROM lint_runs r JOIN lint_static s ON s.key = r.key WHERE r.key = ?",
            (key,),
        ).fetchone()
        if row is None or not _holds(row[0], row[1], now):
            return None
        timed = orjson.loads(zlib.decompress(row[5]))
        static = orjson.loads(zlib.decompress(row[6]))
        if not (isinstance(timed, dict) and isinstance(static, list)):
            return None  # kept whole by an earlier mechctl of the same version
        findings = timed.get("timed")
        if not isinstance(findings, list):
            return None
        return Run(row[2], row[3], row[4], findings), static
    except (sqlite3.Error, zlib.error, ValueError, TypeError):
        return None


def recall_static(db: sqlite3.Connection, key: str) -> Static | None:
    """The untimed part of the last whole run, when it was in state `key`."""
    import sqlite3

    try:
        if not _has_tables(db):
            return None
        row = db.execute(
            "SELECT files, reused, findings, extra FROM lint_static WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        findings = orjson.loads(zlib.decompress(row[2]))
        extra = orjson.loads(zlib.decompress(row[3]))
        if not (isinstance(findings, list) and isinstance(extra, list)):
            return None
        return Static(int(row[0]), int(row[1]), findings, extra)
    except (sqlite3.Error, zlib.error, ValueError, TypeError):
        return None


def remember_static(db: sqlite3.Connection, key: str, static: Static) -> None:
    findings = zlib.compress(orjson.dumps(static.findings), 1)
    extra = zlib.compress(orjson.dumps(static.extra), 1)
    _write(
        db,
        [
            ("DELETE FROM lint_static WHERE key != ?", [(key,)]),
            ("DELETE FROM lint_pieces WHERE key != ?", [(key,)]),
            (
                "INSERT OR REPLACE INTO lint_static VALUES (?, ?, ?, ?, ?)",
                [(key, static.files, static.reused, findings, extra)],
            ),
        ],
    )


def _write(db: sqlite3.Connection, statements: list[tuple[str, Any]]) -> None:
    """Run (sql, rows) pairs in one write transaction; on failure, nothing is written."""
    import sqlite3

    if not ensure(db):
        return
    try:
        db.execute("BEGIN IMMEDIATE")
        for sql, rows in statements:
            db.executemany(sql, rows)
        db.execute("COMMIT")
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def remember(
    db: sqlite3.Connection, key: str, now: datetime, until: datetime | None, run: Run
) -> None:
    """Keep a whole run under its state's key (the one run kept): its counts and its timed
    findings (`run.findings`); the untimed ones are those of `lint_static` for that key."""
    body = zlib.compress(orjson.dumps({"timed": run.findings}), 1)
    row = (key, now.isoformat(), until.isoformat() if until else None, run.files)
    _write(
        db,
        [
            ("DELETE FROM lint_outputs WHERE key != ?", [(key,)]),
            ("DELETE FROM lint_runs WHERE key != ?", [(key,)]),
            (
                "INSERT OR REPLACE INTO lint_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row, run.errors, run.warnings, body)],
            ),
        ],
    )


# -- places and facts -------------------------------------------------------------------


def places(
    db: sqlite3.Connection, wanted: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(path, blob, YAML path) -> (line, column), of those kept."""
    import sqlite3

    found: dict[tuple[str, str, str], tuple[int, int]] = {}
    try:
        if not wanted or not _has_tables(db):
            return found
        paths = sorted({path for path, _, _ in wanted})
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            sql = (
                "SELECT path, blob, at, line, col FROM lint_places"
                f" WHERE path IN ({', '.join('?' * len(chunk))})"
            )
            for path, blob, at, line, col in db.execute(sql, chunk):
                if type(line) is int and type(col) is int and line > 0 and col > 0:
                    found[(path, blob, at)] = (line, col)
    except sqlite3.Error:
        return {}
    return found


def keep_places(db: sqlite3.Connection, new: list[tuple[str, str, str, int, int]]) -> None:
    if not new:
        return
    statements: list[tuple[str, Any]] = []
    with contextlib.suppress(Exception):
        row = db.execute("SELECT count(*) FROM lint_places").fetchone()
        if row and row[0] + len(new) > MAX_PLACES:
            statements.append(("DELETE FROM lint_places", [()]))
    statements.append(("INSERT OR REPLACE INTO lint_places VALUES (?, ?, ?, ?, ?)", new))
    _write(db, statements)


def fact(db: sqlite3.Connection, name: str, depends: Any) -> Any:
    """The fact `name`, when it was kept for the same `depends`; else None."""
    import sqlite3

    try:
        if not _has_tables(db):
            return None
        row = db.execute("SELECT value FROM lint_facts WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        stored = orjson.loads(row[0])
        wanted = orjson.loads(orjson.dumps(depends))  # tuples as the lists kept
        if not isinstance(stored, list) or len(stored) != 2 or stored[0] != wanted:
            return None
        return stored[1]
    except (sqlite3.Error, ValueError, TypeError):
        return None


def keep_fact(db: sqlite3.Connection, name: str, depends: Any, value: Any) -> None:
    body = orjson.dumps([depends, value])
    _write(db, [("INSERT OR REPLACE INTO lint_facts VALUES (?, ?)", [(name, body)])])


def pieces(file: Path, key: str, form: str) -> tuple[list[str], list[int], bytes] | None:
    """The pieces of format `form` kept for the untimed findings of state `key` in the index
    at `file`: (paths, where each path's piece ends, the pieces)."""
    import sqlite3

    from mechctl import derived
    from mechctl.services.core.index.store import SCHEMA as INDEX_SCHEMA

    db = derived.connect(file, INDEX_SCHEMA)
    if db is None:
        return None
    try:
        row = db.execute(
            "SELECT p.paths, p.body FROM lint_pieces p JOIN lint_static s ON s.key = p.key"
            " WHERE p.key = ? AND p.format = ?",
            (key, form),
        ).fetchone()
        if row is None:
            return None
        paths, ends = orjson.loads(zlib.decompress(row[0]))
        body = zlib.decompress(row[1])
        if not (isinstance(paths, list) and isinstance(ends, list) and len(paths) == len(ends)):
            return None
        if ends and ends[-1] != len(body):
            return None
        return paths, ends, body
    except (sqlite3.Error, zlib.error, ValueError, TypeError):
        return None
    finally:
        db.close()


def keep_pieces(file: Path, key: str, form: str, found: tuple[list[str], list[int], bytes]) -> None:
    """Keep the pieces of format `form` beside the untimed findings of state `key`."""
    import sqlite3

    from mechctl import derived
    from mechctl.services.core.index.store import SCHEMA as INDEX_SCHEMA

    paths, ends, body = found
    db = derived.connect(file, INDEX_SCHEMA)
    if db is None:
        return
    row = (form, zlib.compress(orjson.dumps([paths, ends]), 1), zlib.compress(body, 1), key)
    try:
        sql = (
            "INSERT OR REPLACE INTO lint_pieces SELECT key, ?, ?, ? FROM lint_static WHERE key = ?"
        )
        _write(db, [(sql, [row])])
    except sqlite3.Error:
        pass
    finally:
        db.close()
