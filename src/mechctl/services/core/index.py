"""The one derived index of the record files (docs/design.md §7), and the reads through it.

`.git/mechctl/index.sqlite` holds one row per record file (every `mechanisms/*.yaml` and
`escalations/YYYY/MM/*.yaml` of the work tree, tracked or not): its path, blob id and stat
data, whether it is valid, its problems with their places, the columns reads filter, sort and
count on, and the record itself (`model_dump(mode="json")`, as orjson). Deleting it changes no
result, only speed.

- **What a row depends on is its key**: the path (an id must match its file name), the bytes
  (the blob id), the configuration the check reads (the levels, as `salt`) and, for the store
  as a whole, `derived.key()`. A row is reused only when all of them are the same.
- **Kept current incrementally**, from git's own index and the files' stat data, as git does:
  `git diff-files` names the tracked files whose stat data differ from git's index; git's
  index itself (`ls-files -s`) is read again only when `.git/index` changed; the untracked
  files (`ls-files -o`) only when a record folder changed. A file that is untracked or differs
  from git's index is trusted by its own stat data (size, mtime, ctime, inode) when it was
  last seen more than a second after its mtime (as git's "racy" rule: a change within the
  file system's tick could otherwise hide, and some file systems count whole seconds);
  otherwise it is read and hashed, and checked again only when its blob id changed.
  Unchanged files are never read.
- **Built on all cores when cold**: files are checked by a process pool in chunks, with a
  `progress(done, total)` callback.
- **Concurrent runs**: WAL; each refresh writes in one `BEGIN IMMEDIATE` transaction, after
  checking that nobody else wrote since it looked (else it looks again); readers read in one
  transaction, so they never see half an update. A corrupt file is removed and built again,
  and a store that cannot be used at all is replaced, for the run, by one in memory
  (mechctl.derived's policy): the output is the same either way.

The index lives in the worktree's git folder (the common one for the main worktree): it
mirrors one work tree and one git index. `escalate` reads its facts (the levels, a
mechanism's owner and status) here without pydantic, ruamel or GitPython: `config_facts`
and `mechanism_facts` import neither.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat as stat_module
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mechctl import derived
from mechctl.errors import Location, Problem
from mechctl.store import layout

if TYPE_CHECKING:
    import sqlite3

    from mechctl.services.core.context import Workspace

Row = dict[str, Any]
Progress = Callable[[int, int], None]

ESCALATION = "escalation"
MECHANISM = "mechanism"
VERSION = "1"  # the shape of the tables below; a store of another version is made again
RACY_NS = 1_000_000_000  # a file changed this close to when it was seen is read again
PARALLEL_FROM = 400  # fewer files than this are checked in this process
CHUNK = 250

_COLUMNS = (
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
_FIELDS = (
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
    *_COLUMNS,
    "record",
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,         -- 'escalation' or 'mechanism'
    blob TEXT NOT NULL,         -- git's blob id of the bytes checked
    salt TEXT NOT NULL,         -- the configuration the check read (the levels)
    size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, ino INTEGER,
    seen_ns INTEGER,            -- when the stat data above were taken
    origin INTEGER NOT NULL,    -- 0: as in git's index; 1: differs from it; 2: untracked
    valid INTEGER NOT NULL,
    problems BLOB,              -- JSON [[line, column, rule, message], ...], or NULL
    {", ".join(f"{name} TEXT" for name in _COLUMNS)},
    record BLOB                 -- JSON of the valid record, or NULL
);
CREATE INDEX IF NOT EXISTS files_open ON files (kind, status, raised_at, id);
CREATE INDEX IF NOT EXISTS files_id ON files (kind, id);
CREATE INDEX IF NOT EXISTS files_loose ON files (origin) WHERE origin != 0;
CREATE TABLE IF NOT EXISTS staged (path TEXT PRIMARY KEY, blob TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
"""
_INSERT = (
    f"INSERT OR REPLACE INTO files ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})"
)
_WHERE_PATHS = (layout.ESCALATIONS, layout.MECHANISMS)


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


def salt_of(levels: Sequence[str]) -> str:
    return hashlib.sha1("\0".join(levels).encode(), usedforsecurity=False).hexdigest()[:16]


def _stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def _trusted(row: Sequence[Any], stat: os.stat_result) -> bool:
    """Whether a row's stat data still vouch for the file's bytes (size, mtime, ctime,
    inode), and were taken long enough after the file last changed."""
    size, mtime, ctime, ino, seen = row
    if (size, mtime, ctime, ino) != _stat_key(stat):
        return False
    return seen is not None and mtime + RACY_NS < seen


# -- checking files (in worker processes when many) -----------------------------------------


def _columns(kind: str, rec: dict[str, Any]) -> tuple[Any, ...]:
    if kind == ESCALATION:
        timeline = rec.get("timeline") or []
        acked = next((e["at"] for e in timeline if e["action"] == "acknowledged"), None)
        resolved = [e for e in timeline if e["action"] == "resolved"]
        closed = [e["at"] for e in timeline if e["action"] == "closed"]
        return (
            rec["id"],
            rec["status"],
            rec["severity"],
            rec["level"],
            rec["mechanism"],
            rec["owner"],
            rec["failure_mode"],
            rec["raised_at"],
            acked,
            resolved[-1]["at"] if resolved else None,
            closed[-1] if closed else None,
            rec["raised_by"],
            resolved[-1]["by"] if resolved else None,
            None,
            None,
            None,
        )
    inspections = rec.get("inspections") or []
    return (
        rec["id"],
        rec["status"],
        None,
        None,
        None,
        rec["owner"],
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        rec["kind"],
        (rec.get("inspection") or {}).get("cadence"),
        max((i["date"] for i in inspections), default=None),
    )


def check_file(
    root: str, rel: str, kind: str, levels: list[str], old_blob: str | None, origin: int
) -> tuple[Any, ...] | str | None:
    """One file's row; its rel alone when its bytes are `old_blob`'s (only its stat data
    are new: the caller updates them); None when it is gone or is no regular file."""
    from mechctl.models import Escalation, Mechanism
    from mechctl.store.files import blob_id
    from mechctl.store.records import check_bytes, id_problem

    seen = time.time_ns()
    try:
        stat = os.lstat(os.path.join(root, rel))
        if not stat_module.S_ISREG(stat.st_mode):
            return None
        with open(os.path.join(root, rel), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    blob = blob_id(data)
    if blob == old_blob:
        return (rel, *_stat_key(stat), seen)
    model: type[Any] = Escalation if kind == ESCALATION else Mechanism
    context = {"levels": levels} if kind == ESCALATION else None
    checked = check_bytes(data, rel, model, context)
    mismatch = id_problem(checked, rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    issues = [*checked.problems, *([mismatch] if mismatch else [])]
    record = None
    columns: tuple[Any, ...] = (None,) * len(_COLUMNS)
    if not issues and checked.model is not None:
        dumped = checked.model.model_dump(mode="json")
        record = orjson.dumps(dumped)
        columns = _columns(kind, dumped)
    problems = (
        orjson.dumps([[p.location.line, p.location.column, p.rule, p.message] for p in issues])
        if issues
        else None
    )
    salt = salt_of(levels) if kind == ESCALATION else ""
    return (
        rel,
        kind,
        blob,
        salt,
        *_stat_key(stat),
        seen,
        origin,
        0 if issues else 1,
        problems,
        *columns,
        record,
    )


Job = tuple[str, str, str | None, int]  # rel, kind, old blob, origin


def _check_chunk(root: str, levels: list[str], jobs: list[Job]) -> list[Any]:
    return [check_file(root, rel, kind, levels, old, origin) for rel, kind, old, origin in jobs]


def _check_all(
    root: str, levels: list[str], jobs: list[Job], progress: Progress | None
) -> list[Any]:
    """Every job's outcome, in order: on all cores when there are many."""
    total = len(jobs)
    cores = os.cpu_count() or 1
    if total < PARALLEL_FROM or cores < 2:
        out = []
        for done, (rel, kind, old, origin) in enumerate(jobs, 1):
            out.append(check_file(root, rel, kind, levels, old, origin))
            if progress is not None and (done % CHUNK == 0 or done == total):
                progress(done, total)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with mechctl already imported (spawn would import it anew).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [jobs[start : start + CHUNK] for start in range(0, total, CHUNK)]
    results: list[list[Any]] = []
    done = 0
    with ProcessPoolExecutor(max_workers=min(cores, len(chunks)), mp_context=context) as pool:
        for chunk, result in zip(
            chunks,
            pool.map(_check_chunk, [root] * len(chunks), [levels] * len(chunks), chunks),
            strict=True,
        ):
            results.append(result)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return [item for chunk_result in results for item in chunk_result]


# -- keeping the index current ---------------------------------------------------------------


def _dirs(root: Path) -> dict[str, tuple[int, int, int] | None]:
    """The record folders (escalations/, each year and month, mechanisms/) and their stat
    data: a file comes or goes there only by changing them."""
    found: dict[str, tuple[int, int, int] | None] = {}

    def one(rel: str) -> bool:
        try:
            stat = os.lstat(root / rel)
        except OSError:
            found[rel] = None
            return False
        if not stat_module.S_ISDIR(stat.st_mode):
            found[rel] = None
            return False
        found[rel] = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        return True

    if one(layout.ESCALATIONS):
        top = root / layout.ESCALATIONS
        with os.scandir(top) as years:
            year_names = sorted(e.name for e in years if e.is_dir(follow_symlinks=False))
        for year in year_names:
            if one(f"{layout.ESCALATIONS}/{year}"):
                with os.scandir(top / year) as months:
                    names = sorted(e.name for e in months if e.is_dir(follow_symlinks=False))
                for month in names:
                    one(f"{layout.ESCALATIONS}/{year}/{month}")
    one(layout.MECHANISMS)
    return found


def _dirs_unchanged(root: Path, known: Any, seen: int) -> bool:
    if not isinstance(known, dict):
        return False
    for rel, before in known.items():
        try:
            stat = os.lstat(root / rel)
        except OSError:
            if before is not None:
                return False
            continue
        if before is None or not stat_module.S_ISDIR(stat.st_mode):
            return False
        now = [stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        if now != list(before) or now[0] + RACY_NS >= seen:
            return False
    return True


def _file_stat(path: Path) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class _Raced(Exception):
    """Another process wrote the index after this one looked: look again."""


def _meta(db: sqlite3.Connection) -> dict[str, Any]:
    return {name: orjson.loads(value) for name, value in db.execute("SELECT * FROM meta")}


def _refresh(
    db: sqlite3.Connection, ws: Workspace, levels: list[str], progress: Progress | None
) -> None:
    root = ws.root
    salt = salt_of(levels)
    meta = _meta(db)
    fresh = meta.get("version") != VERSION
    generation = meta.get("generation", 0)
    git_index = _file_stat(ws.git.git_dir / "index")
    full = fresh or meta.get("git_index") != git_index or meta.get("salt") != salt
    started = time.time_ns()
    dirs_same = not full and _dirs_unchanged(root, meta.get("dirs"), meta.get("dirs_seen", 0))
    dirs = None if dirs_same else _dirs(root)
    dirty_list, staged_list, untracked_list = ws.git.record_changes(
        _WHERE_PATHS, staged=full, untracked=not dirs_same
    ).collect()
    dirty = {rel for rel in dirty_list if kind_of(rel)}
    jobs: list[Job] = []
    stat_only: list[tuple[Any, ...]] = []  # (origin, rel) to set
    origins: list[tuple[int, str]] = []
    deleted: list[str] = []

    def salt_for(kind: str) -> str:
        return salt if kind == ESCALATION else ""

    def look(rel: str, kind: str, origin: int, row: Sequence[Any] | None) -> None:
        """A file that differs from git's index, or is untracked: trusted by stat data."""
        try:
            stat = os.lstat(root / rel)
        except OSError:
            if row is not None:
                deleted.append(rel)
            return
        if not stat_module.S_ISREG(stat.st_mode):
            if row is not None:
                deleted.append(rel)
            return
        if row is not None and row[1] == salt_for(kind) and _trusted(row[2:7], stat):
            if row[7] != origin:
                origins.append((origin, rel))
            return
        old = row[0] if row is not None and row[1] == salt_for(kind) else None
        jobs.append((rel, kind, old, origin))

    if full:
        assert staged_list is not None and untracked_list is not None
        staged = {
            rel: blob
            for mode, blob, rel in staged_list
            if mode in ("100644", "100755") and kind_of(rel)
        }
        untracked = [rel for rel in untracked_list if kind_of(rel)]
        rows: dict[str, list[Any]] = {}  # made by another version: nothing in it is reused
        if not fresh:
            rows = {
                rel: rest
                for rel, *rest in db.execute(
                    "SELECT path, blob, salt, size, mtime_ns, ctime_ns, ino, seen_ns, origin"
                    " FROM files"
                )
            }
        present = set(staged).union(untracked)
        deleted.extend(rel for rel in rows if rel not in present)
        for rel, blob in staged.items():
            kind = kind_of(rel)
            assert kind is not None
            row = rows.get(rel)
            if rel in dirty:
                look(rel, kind, 1, row)
            elif row is None or row[0] != blob or row[1] != salt_for(kind):
                jobs.append((rel, kind, row[0] if row and row[1] == salt_for(kind) else None, 0))
            elif row[7] != 0:
                origins.append((0, rel))
        for rel in untracked:
            if rel not in staged:
                kind = kind_of(rel)
                assert kind is not None
                look(rel, kind, 2, rows.get(rel))
    else:
        loose = {
            rel: rest
            for rel, *rest in db.execute(
                "SELECT path, blob, salt, size, mtime_ns, ctime_ns, ino, seen_ns, origin"
                " FROM files WHERE origin != 0"
            )
        }
        if untracked_list is None:  # no record folder changed: the same untracked files
            outside = {rel for rel, row in loose.items() if row[7] == 2}
        else:
            outside = {rel for rel in untracked_list if kind_of(rel)}
        for rel in sorted(dirty | outside | set(loose)):
            kind = kind_of(rel)
            assert kind is not None
            row = loose.get(rel)
            if row is None and (rel in dirty or rel in outside):
                found = db.execute(
                    "SELECT blob, salt, size, mtime_ns, ctime_ns, ino, seen_ns, origin"
                    " FROM files WHERE path = ?",
                    (rel,),
                ).fetchone()
                row = list(found) if found is not None else None
            if rel in outside and rel not in dirty:
                look(rel, kind, 2, row)
            elif rel in dirty:
                look(rel, kind, 1, row)
            else:  # it was loose, and is now as git's index has it, or gone
                known = db.execute("SELECT blob FROM staged WHERE path = ?", (rel,)).fetchone()
                if known is None:
                    deleted.append(rel)
                elif row is not None and row[0] == known[0] and row[1] == salt_for(kind):
                    origins.append((0, rel))
                else:
                    jobs.append((rel, kind, row[0] if row else None, 0))
        staged = None

    results = _check_all(str(root), levels, jobs, progress) if jobs else []
    for (rel, _kind, _old, origin), result in zip(jobs, results, strict=True):
        if result is None:
            deleted.append(rel)
        elif len(result) == 6:  # same bytes: new stat data only
            stat_only.append((*result[1:], origin, rel))
    rows_new = [result for result in results if result is not None and len(result) > 6]

    nothing = not (rows_new or stat_only or origins or deleted or full or dirs is not None)
    if nothing:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        now_generation = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        if (orjson.loads(now_generation[0]) if now_generation else 0) != generation:
            raise _Raced
        if fresh:
            db.execute("DELETE FROM files")
        db.executemany("DELETE FROM files WHERE path = ?", [(rel,) for rel in deleted])
        db.executemany(_INSERT, rows_new)
        db.executemany(
            "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, seen_ns = ?,"
            " origin = ? WHERE path = ?",
            stat_only,
        )
        db.executemany("UPDATE files SET origin = ? WHERE path = ?", origins)
        updates: dict[str, Any] = {"generation": generation + 1}
        if full:
            assert staged is not None
            db.execute("DELETE FROM staged")
            db.executemany("INSERT INTO staged VALUES (?, ?)", staged.items())
            updates.update(version=VERSION, git_index=git_index, salt=salt)
        if dirs is not None:
            updates.update(dirs=dirs, dirs_seen=started)
        db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [(name, orjson.dumps(value)) for name, value in updates.items()],
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# -- the store, and reads through it --------------------------------------------------------


def _file(ws: Workspace) -> Path:
    return derived.path(ws.git.git_dir, "index")


def _memory() -> sqlite3.Connection:
    import sqlite3

    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    return db


class Index:
    """The index, current as of when it was opened; reads run in one transaction. Should
    the store turn out damaged while it is read, it is removed and the read goes on from one
    built in memory (the same rows, in the same order)."""

    def __init__(
        self, db: sqlite3.Connection, levels: list[str], ws: Workspace, file: Path | None
    ) -> None:
        self.db = db
        self.levels = levels
        self._ws = ws
        self._file = file

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.execute("COMMIT")
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _query(
        self, sql: str, args: Sequence[Any], decode: Callable[[tuple[Any, ...]], Any]
    ) -> Iterator[Any]:
        import sqlite3

        done = 0
        while True:
            try:
                for position, row in enumerate(self.db.execute(sql, args)):
                    if position < done:  # yielded before the store was found damaged
                        continue
                    value = decode(row)
                    done += 1
                    yield value
                return
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                if self._file is None:
                    raise
                derived.failed(self.db, self._file, exc)
                self._file = None
                self.db = _memory()
                _refresh(self.db, self._ws, self.levels, None)
                self.db.execute("BEGIN")

    # -- rows ------------------------------------------------------------------------

    def escalations(
        self,
        *,
        statuses: Sequence[str] | None = None,
        mechanism: str | None = None,
        severity: str | None = None,
        failure_mode: str | None = None,
        owner: str | None = None,
        order: str = "raised",
        limit: int | None = None,
    ) -> Iterator[Row]:
        """Valid escalations as JSON rows (model_dump's field names), oldest first
        (`order="path"`: in path order), filtered in SQL."""
        where, args = self._where(
            ESCALATION,
            statuses=statuses,
            mechanism=mechanism,
            severity=severity,
            failure_mode=failure_mode,
            owner=owner,
        )
        by = "raised_at, id, path" if order == "raised" else "path"
        sql = f"SELECT record FROM files WHERE {where} ORDER BY {by}"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, limit))
        return self._query(sql, args, _record)

    def count(self, kind: str, **filters: Any) -> int:
        where, args = self._where(kind, **filters)
        sql = f"SELECT count(*) FROM files WHERE {where}"
        return int(next(self._query(sql, args, lambda row: row[0])))

    def columns(self, kind: str, names: Sequence[str], **filters: Any) -> list[tuple[Any, ...]]:
        """Only some columns of the valid rows, in path order: for counts and figures that
        need no whole record."""
        for name in names:
            if name not in _COLUMNS:
                raise ValueError(f"no column {name!r}")
        where, args = self._where(kind, **filters)
        sql = f"SELECT {', '.join(names)} FROM files WHERE {where} ORDER BY path"
        return list(self._query(sql, args, tuple))

    def escalation(self, escalation_id: str) -> Row | None:
        """One valid escalation by id (the first by path, should two files hold it)."""
        sql = "SELECT record FROM files WHERE kind = ? AND valid = 1 AND id = ? ORDER BY path"
        return next(self._query(sql + " LIMIT 1", (ESCALATION, escalation_id), _record), None)

    def mechanisms(
        self, *, status: str | None = None, owner: str | None = None, limit: int | None = None
    ) -> Iterator[Row]:
        """Valid mechanisms as JSON rows, in id (file name) order."""
        where, args = self._where(MECHANISM, statuses=[status] if status else None, owner=owner)
        sql = f"SELECT record FROM files WHERE {where} ORDER BY path"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, limit))
        return self._query(sql, args, _record)

    def problems(self, kind: str | None = None) -> list[Problem]:
        """Every problem of the invalid files (of one kind), in path order."""
        sql = "SELECT path, problems FROM files WHERE valid = 0"
        args: list[Any] = []
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)

        def decode(row: tuple[Any, ...]) -> list[Problem]:
            rel, problems = row
            return [
                Problem(Location(rel, line, column), message, rule)
                for line, column, rule, message in orjson.loads(problems)
            ]

        return [p for found in self._query(sql + " ORDER BY path", args, decode) for p in found]

    def paths(self, kind: str) -> list[str]:
        """Every file of a kind, valid or not, in path order."""
        sql = "SELECT path FROM files WHERE kind = ? ORDER BY path"
        return list(self._query(sql, (kind,), lambda row: row[0]))

    @staticmethod
    def _where(
        kind: str,
        *,
        statuses: Sequence[str] | None = None,
        mechanism: str | None = None,
        severity: str | None = None,
        failure_mode: str | None = None,
        owner: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses = ["kind = ?", "valid = 1"]
        args: list[Any] = [kind]
        if statuses is not None:
            clauses.append(f"status IN ({', '.join('?' * len(statuses))})")
            args.extend(statuses)
        for name, value in (
            ("mechanism", mechanism),
            ("severity", severity),
            ("failure_mode", failure_mode),
            ("owner", owner),
        ):
            if value is not None:
                clauses.append(f"{name} = ?")
                args.append(value)
        return " AND ".join(clauses), args


def _record(row: tuple[Any, ...]) -> Row:
    value = orjson.loads(row[0])
    if not isinstance(value, dict):
        raise ValueError("a record is not a mapping")
    return value


def open_index(ws: Workspace, progress: Progress | None = None, *, _again: bool = True) -> Index:
    """The index, brought up to date with the work tree (docs/design.md §7)."""
    import sqlite3

    levels = list(ws.config.escalation.levels)
    file = _file(ws)
    db = derived.connect(file, SCHEMA)
    if db is not None:
        try:
            for _ in range(3):
                try:
                    _refresh(db, ws, levels, progress)
                    break
                except _Raced:
                    continue
            _remember_config(db, ws, levels)
            db.execute("BEGIN")  # every read of this run sees one state
            return Index(db, levels, ws, file)
        except (sqlite3.Error, orjson.JSONDecodeError, ValueError, TypeError) as exc:
            derived.failed(db, file, exc)
            if _again and isinstance(exc, sqlite3.Error) and derived.corrupt(exc):
                return open_index(ws, progress, _again=False)  # made again, once: the file is gone
    memory = _memory()
    _refresh(memory, ws, levels, progress)
    memory.execute("BEGIN")
    return Index(memory, levels, ws, None)


# -- escalate's facts: no pydantic, no ruamel, no GitPython ----------------------------------


def _facts_db(ws: Workspace) -> sqlite3.Connection | None:
    return derived.connect(_file(ws), SCHEMA)


def _stored(db: sqlite3.Connection, name: str) -> Any:
    found = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return orjson.loads(found[0]) if found else None


def _keep(db: sqlite3.Connection, name: str, stat: list[int] | None, facts: Any) -> None:
    value = {"stat": stat, "seen": time.time_ns(), "facts": facts}
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, orjson.dumps(value)))


def _remember_config(db: sqlite3.Connection, ws: Workspace, levels: list[str]) -> None:
    config = ws.config
    facts = {
        "levels": levels,
        "default_level": config.escalation.default_level,
        "auto_push": config.sync.auto_push,
    }
    stat = _file_stat(ws.root / layout.CONFIG_FILE)
    old = _stored(db, "config")
    if _vouches(old, stat) and old.get("facts") == facts:
        return  # nothing new to say
    _keep(db, "config", stat, facts)


def _vouches(value: Any, stat: list[int] | None) -> bool:
    if not isinstance(value, dict) or value.get("stat") != stat:
        return False
    return stat is None or stat[1] + RACY_NS < int(value.get("seen", 0))


def config_facts(ws: Workspace) -> dict[str, Any]:
    """levels (lowest first), default_level and auto_push, of the validated configuration:
    from the index when `.mechctl.yaml` is as it was when they were stored."""
    import sqlite3

    from mechctl.models.defaults import DEFAULT_LEVEL, DEFAULT_LEVELS

    stat = _file_stat(ws.root / layout.CONFIG_FILE)
    if stat is None:
        return {"levels": list(DEFAULT_LEVELS), "default_level": DEFAULT_LEVEL, "auto_push": False}
    db = _facts_db(ws)
    try:
        if db is not None:
            try:
                value = _stored(db, "config")
                if _vouches(value, stat):
                    return dict(value["facts"])
            except (sqlite3.Error, orjson.JSONDecodeError) as exc:
                derived.failed(db, _file(ws), exc)
                db = None
        config = ws.config  # full validation; raises ConfigError with its place
        levels = list(config.escalation.levels)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                _remember_config(db, ws, levels)
        return {
            "levels": levels,
            "default_level": config.escalation.default_level,
            "auto_push": config.sync.auto_push,
        }
    finally:
        if db is not None:
            db.close()


def escalation_levels(ws: Workspace) -> tuple[list[str], str]:
    """The configured levels (lowest first) and the default level."""
    facts = config_facts(ws)
    return list(facts["levels"]), str(facts["default_level"])


@dataclass(frozen=True)
class MechanismFacts:
    owner: str | None
    status: str | None
    superseded_by: str | None


def mechanism_facts(ws: Workspace, mechanism_id: str) -> MechanismFacts:
    """Owner and status of a mechanism: from its index row when the file is as it was when
    checked and valid; otherwise read without validating the whole file. Raising an
    escalation must never be blocked by a form: even when the failed mechanism's file is
    itself broken, the escalation goes through (lint reports the broken file)."""
    import sqlite3

    rel = layout.mechanism_rel(mechanism_id)
    file = ws.root / rel
    try:
        stat = os.lstat(file)
    except OSError:
        stat = None
    if stat is None or not stat_module.S_ISREG(stat.st_mode):
        from mechctl.services.mechanism.read import not_found

        raise not_found(ws, mechanism_id)
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    db = _facts_db(ws)
    if db is None:
        return _read_mechanism_facts(file.read_bytes(), rel)
    try:
        row = db.execute(
            "SELECT size, mtime_ns, ctime_ns, ino, seen_ns, record FROM files"
            " WHERE path = ? AND valid = 1",
            (rel,),
        ).fetchone()
        if row is not None and _trusted(row[:5], stat):
            record = orjson.loads(row[5])
            retired = record.get("retired")
            return MechanismFacts(
                record.get("owner"),
                record.get("status"),
                retired.get("superseded_by") if isinstance(retired, dict) else None,
            )
        # What escalate itself learnt of this file, when no read has checked it yet.
        kept = _stored(db, f"facts:{rel}")
        if _vouches(kept, key):
            return MechanismFacts(*kept["facts"])
        found = _read_mechanism_facts(file.read_bytes(), rel)
        _keep(db, f"facts:{rel}", key, [found.owner, found.status, found.superseded_by])
        return found
    except (sqlite3.Error, orjson.JSONDecodeError, TypeError) as exc:
        derived.failed(db, _file(ws), exc)
        db = None
        return _read_mechanism_facts(file.read_bytes(), rel)
    finally:
        if db is not None:
            db.close()


def _read_mechanism_facts(data: bytes, rel: str) -> MechanismFacts:
    from mechctl.models.ids import valid_team
    from mechctl.store import yamlio

    try:
        parsed: dict[str, Any] = yamlio.load_fast(yamlio.decode(data, rel), rel)
    except yamlio.YamlProblem:
        parsed = {}

    def text(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    retired = parsed.get("retired")
    owner = text(parsed.get("owner"))
    return MechanismFacts(
        owner if owner and valid_team(owner) else None,
        text(parsed.get("status")),
        text(retired.get("superseded_by")) if isinstance(retired, dict) else None,
    )
