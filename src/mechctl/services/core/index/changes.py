"""What changed since the index was last written, and writing it (docs/design.md §7).

Found from git's own index and the files' stat data, as git does: `git diff-files` names the
tracked files whose stat data differ from git's index; git's index itself (`ls-files -s`) is
read again only when `.git/index` changed; the untracked files (`ls-files -o`) only when a
record folder changed. A file that is untracked or differs from git's index is trusted by its
own stat data (size, mtime, ctime, inode) when it was last seen more than a second after its
mtime (as git's "racy" rule: a change within the file system's tick could otherwise hide,
and some file systems count whole seconds); otherwise it is read and hashed, and checked
again only when its blob id changed. Unchanged files are never read.

Concurrent runs: each refresh writes in one `BEGIN IMMEDIATE` transaction, after checking
that nobody else wrote since it looked (else it looks again).
"""

from __future__ import annotations

import os
import stat as stat_module
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mechctl.services.core.index.build import Job, check_chunks
from mechctl.services.core.index.store import (
    ESCALATION,
    FILES_SCHEMA,
    FRESH_SCHEMA,
    FROM_FRESH,
    INSERT_FRESH,
    RACY_NS,
    VERSION,
    WHERE_PATHS,
    Progress,
    file_stat,
    kind_of,
    read_meta,
    salt_of,
    trusted,
)
from mechctl.store import layout

if TYPE_CHECKING:
    import sqlite3

    from mechctl.services.core.context import Workspace


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


def dirs_unchanged(root: Path, known: Any, seen: int) -> bool:
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


class Raced(Exception):
    """Another process wrote the index after this one looked: look again."""


def refresh(
    db: sqlite3.Connection, ws: Workspace, levels: list[str], progress: Progress | None
) -> None:
    root = ws.root
    salt = salt_of(levels)
    meta = read_meta(db)
    fresh = meta.get("version") != VERSION
    generation = meta.get("generation", 0)
    git_index = file_stat(ws.git.git_dir / "index")
    full = fresh or meta.get("git_index") != git_index or meta.get("salt") != salt
    started = time.time_ns()
    dirs_same = not full and dirs_unchanged(root, meta.get("dirs"), meta.get("dirs_seen", 0))
    dirs = None if dirs_same else _dirs(root)
    dirty_list, staged_list, untracked_list = ws.git.record_changes(
        WHERE_PATHS, staged=full, untracked=not dirs_same
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
        if row is not None and row[1] == salt_for(kind) and trusted(row[2:7], stat):
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

    checked = 0  # rows waiting in temp.fresh
    if jobs:
        db.execute(FRESH_SCHEMA)
        db.execute("DELETE FROM temp.fresh")  # left by an attempt that raced
        for chunk, results in check_chunks(str(root), levels, jobs, progress):
            batch = []
            for (rel, _kind, _old, origin), result in zip(chunk, results, strict=True):
                if result is None:
                    deleted.append(rel)
                elif len(result) == 6:  # same bytes: new stat data only
                    stat_only.append((*result[1:], origin, rel))
                else:
                    batch.append(result)
            if batch:
                # The temporary store is this connection's own: no lock on the index.
                db.execute("BEGIN")
                db.executemany(INSERT_FRESH, batch)
                db.execute("COMMIT")
                checked += len(batch)

    nothing = not (checked or stat_only or origins or deleted or full or dirs is not None)
    if nothing:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        now_generation = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
        if (orjson.loads(now_generation[0]) if now_generation else 0) != generation:
            raise Raced
        if fresh:
            # Made by another VERSION: its table may lack columns; it is made again (issue 11).
            db.execute("DROP TABLE IF EXISTS files")
            for statement in FILES_SCHEMA:
                db.execute(statement)
        db.executemany("DELETE FROM files WHERE path = ?", [(rel,) for rel in deleted])
        if checked:
            db.execute(FROM_FRESH)
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
    if checked:
        db.execute("DELETE FROM temp.fresh")
