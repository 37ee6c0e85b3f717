"""The index's store (docs/design.md §7): its schema, its place under `.git/mechctl/`, and
what a row's stat data vouch for.

`.git/mechctl/index.sqlite` holds one row per record file (every `mechanisms/*.yaml` and
`escalations/YYYY/MM/*.yaml` of the work tree, tracked or not): its path, blob id and stat
data, whether it is valid, its problems with their places, the columns reads filter, sort and
count on, and the record itself (`model_dump(mode="json")`, as orjson). What a row depends on
is its key: the path (an id must match its file name), the bytes (the blob id), the
configuration the check reads (the levels, as `salt`) and, for the store as a whole,
`derived.key()`. A row is reused only when all of them are the same.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mechctl import derived
from mechctl.store import layout

if TYPE_CHECKING:
    import sqlite3

    from mechctl.services.core.context import Workspace

Row = dict[str, Any]
Progress = Callable[[int, int], None]

ESCALATION = "escalation"
MECHANISM = "mechanism"
VERSION = "3"  # the shape of the tables below; a store of another version is made again
RACY_NS = 1_000_000_000  # a file changed this close to when it was seen is read again
PARALLEL_FROM = 400  # fewer files than this are checked in this process
CHUNK = 250

# -- lint (issue 11): lint's per-file results, beside the index's own -------------------------
# `lint`: JSON [findings, summary, teams] of services/lint/filecheck.indexed, for every file
# whose record loaded (valid, or valid but for its id); NULL otherwise (the problems say it
# all). It depends on what the row's key covers (path, bytes, levels), nothing else: the
# rules that read other configuration (teams) run at lint time over `teams`.
LINT_FIELDS = ("lint",)
LINT_COLUMNS = "lint BLOB                   -- JSON of lint's per-file result, or NULL"


def add_lint_columns(db: sqlite3.Connection) -> None:
    """A store of an earlier version lacks LINT_FIELDS: add them (it is emptied anyway)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(files)")}
    for name in LINT_FIELDS:
        if name not in have:
            db.execute(f"ALTER TABLE files ADD COLUMN {name} BLOB")


# -- end of lint -------------------------------------------------------------------------------

COLUMNS: tuple[str, ...] = (
    "id",
    "status",
    "severity",
    "level",
    "mechanism",
    "owner",
    "failure_mode",
    "raised_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "raised_by",
    "resolved_by",
    "mechanism_kind",
    "cadence",
    "last_inspected",
)

# -- report and status columns (issue 11: `report` and `status` read their counts and the rows
# they print in SQL, never every record; services/report/query.py, services/status.py) -------
# Escalations only (NULL for mechanisms); times as in the record's JSON, "YYYY-MM-DDTHH:MM:SSZ",
# so text order is time order.
REPORT_COLUMNS: dict[str, str] = {
    "title": "TEXT",
    "raised_ts": "INTEGER",  # raised_at as Unix seconds
    "settled_at": "TEXT",  # max(raised_at, resolved_at) when resolved or closed, else NULL
    "change_mechanism": "TEXT",  # resolution.mechanism_change.mechanism
    "change_version": "INTEGER",  # resolution.mechanism_change.version
    "no_change_reason": "TEXT",  # resolution.no_change_reason
    "resolved_lo": "TEXT",  # the earliest and latest `resolved` timeline entry
    "resolved_hi": "TEXT",
    "resolved_entries": "TEXT",  # JSON [[at, by], ...] of every `resolved` entry, in order
}
REPORT_INDEXES = """
CREATE INDEX IF NOT EXISTS files_raised_valid ON files (kind, valid, raised_at);
CREATE INDEX IF NOT EXISTS files_acked ON files (kind, valid, acknowledged_at, raised_at, severity);
CREATE INDEX IF NOT EXISTS files_resolved ON files (kind, valid, resolved_at);
CREATE INDEX IF NOT EXISTS files_settled ON files (kind, valid, settled_at);
CREATE INDEX IF NOT EXISTS files_resolved_hi ON files (kind, valid, resolved_hi);
CREATE INDEX IF NOT EXISTS files_groups
    ON files (kind, valid, mechanism, failure_mode, raised_at, id, path, raised_ts);
CREATE INDEX IF NOT EXISTS files_invalid ON files (kind, path) WHERE valid = 0;
"""
COLUMNS = (*COLUMNS, *REPORT_COLUMNS)
# -- end of the report and status columns ---------------------------------------------------

FIELDS = (
    "path",
    "kind",
    "blob",
    "salt",
    "size",
    "mtime_ns",
    "ctime_ns",
    "ino",
    "seen_ns",
    "origin",
    "valid",
    "problems",
    *COLUMNS,
    "record",
    *LINT_FIELDS,
)
_FILES_COLUMNS = f"""
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,         -- 'escalation' or 'mechanism'
    blob TEXT NOT NULL,         -- git's blob id of the bytes checked
    salt TEXT NOT NULL,         -- the configuration the check read (the levels)
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,
    seen_ns INTEGER,            -- when the stat data above were taken
    origin INTEGER NOT NULL,    -- 0: as in git's index; 1: differs from it; 2: untracked
    valid INTEGER NOT NULL,
    problems BLOB,              -- JSON [[line, column, rule, message], ...], or NULL
    {", ".join(f"{name} {REPORT_COLUMNS.get(name, 'TEXT')}" for name in COLUMNS)},
    record BLOB,                -- JSON of the valid record (build.shown), or NULL
    {LINT_COLUMNS}
"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS files ({_FILES_COLUMNS});
-- Listings come out in raising order without sorting the records: by status, or all of them.
DROP INDEX IF EXISTS files_open;
CREATE INDEX IF NOT EXISTS files_status ON files (kind, status, raised_at, id, path);
CREATE INDEX IF NOT EXISTS files_raised ON files (kind, raised_at, id, path);
CREATE INDEX IF NOT EXISTS files_id ON files (kind, id);
CREATE INDEX IF NOT EXISTS files_loose ON files (origin) WHERE origin != 0;
-- The invalid files, which every listing warns of: found without reading the valid ones.
CREATE INDEX IF NOT EXISTS files_invalid ON files (kind, path) WHERE valid = 0;
CREATE TABLE IF NOT EXISTS staged (path TEXT PRIMARY KEY, blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
{REPORT_INDEXES}"""
# The files table and its indexes, statement by statement (made again inside a transaction).
FILES_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS files ({_FILES_COLUMNS})",
    *dict.fromkeys(
        part.strip().rstrip(";")
        for part in (*SCHEMA.split("\n"), *REPORT_INDEXES.split(";"))
        if part.strip().startswith("CREATE INDEX") and "ON files" in part
    ),
]
INSERT = (
    f"INSERT OR REPLACE INTO files ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})"
)
# The rows a refresh has checked, kept on disk (in SQLite's temporary store, this
# connection's own) until they are written in one transaction: a cold build of 100,000 files
# then holds one chunk of rows in memory at a time, never all of them.
FRESH_SCHEMA = f"CREATE TEMP TABLE IF NOT EXISTS fresh ({_FILES_COLUMNS});"
INSERT_FRESH = INSERT.replace("INTO files", "INTO temp.fresh", 1)
_NAMES = ", ".join(FIELDS)
FROM_FRESH = f"INSERT OR REPLACE INTO files ({_NAMES}) SELECT {_NAMES} FROM temp.fresh"
WHERE_PATHS = (layout.ESCALATIONS, layout.MECHANISMS)


def kind_of(rel: str) -> str | None:
    """Which kind of record a path holds, when it is where records live (docs/design.md §2)."""
    if not rel.endswith((".yaml", ".yml")):
        return None
    parts = rel.split("/")
    if len(parts) == 4 and parts[0] == layout.ESCALATIONS:
        return ESCALATION
    if len(parts) == 2 and parts[0] == layout.MECHANISMS:
        return MECHANISM
    return None


_SALTS: dict[tuple[str, ...], str] = {}  # every row of a build asks for the same one


def salt_of(levels: Sequence[str]) -> str:
    key = tuple(levels)
    salt = _SALTS.get(key)
    if salt is None:
        digest = hashlib.sha1("\0".join(key).encode(), usedforsecurity=False).hexdigest()
        salt = _SALTS[key] = digest[:16]
    return salt


def stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def trusted(row: Sequence[Any], stat: os.stat_result) -> bool:
    """Whether a row's stat data still vouch for the file's bytes (size, mtime, ctime,
    inode), and were taken long enough after the file last changed."""
    size, mtime, ctime, ino, seen = row
    if (size, mtime, ctime, ino) != stat_key(stat):
        return False
    return seen is not None and mtime + RACY_NS < seen


def file_stat(path: Path) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class Raced(Exception):
    """Another process wrote the index after this one looked: look again."""


def read_meta(db: sqlite3.Connection) -> dict[str, Any]:
    return {name: orjson.loads(value) for name, value in db.execute("SELECT * FROM meta")}


def store_file(ws: Workspace) -> Path:
    return derived.path(ws.git.git_dir, "index")


def memory() -> sqlite3.Connection:
    import sqlite3

    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    return db
