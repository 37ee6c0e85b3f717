"""Everything mechctl keeps beside the records, under `.git/mechctl/` (docs/design.md §7).

This module is the one table of those paths, and the one place that decides how that data
is kept:

- **What lives there** is derived or transient: the caches only make reads faster (deleting
  them changes no result), the lock and the journal only live while a command runs, and
  drafts and crash reports are kept for the user to read. Nothing else spells out
  `.git/mechctl`.
- **When derived data is stale**: `key()`. It hashes `FORMAT` (bumped by hand below), the
  version of mechctl and, when mechctl runs from a source checkout (an editable install or
  `PYTHONPATH=src`), the size and modification time of its own modules, so a changed
  validator refreshes `escalation list`, `report` and the escalate facts as it does `lint`.
  A checkout is recognised by where the package lives: outside any `site-packages` or
  `dist-packages` folder. That costs no file read (a `direct_url.json` would need the
  installed metadata found first), and an installed package only changes with its version.
  The fingerprint takes one directory scan and one `stat` per module (about 0.5 ms for
  mechctl's ~110 modules), once per process, and nothing at all in an installed package.
- **How SQLite is opened**: `connect()`, with one busy timeout, WAL without an fsync per
  commit (a cache needs integrity, not durability), 16 KB pages for a new file, and the
  store's key in a `derived` table: a store made under another key is emptied (its tables
  dropped and made again).
- **A corrupt file**: removed and rebuilt, silently; a file that cannot be opened or
  written at all (read-only `.git`, no permission, locked past the timeout) is ignored for
  this run. Either way the command prints exactly what it would have printed without the
  store, only slower, so there is nothing to tell the user about.

Light on imports: `escalate` reads its facts through here on its fast path (sqlite3 is
imported only when a store is opened).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import mechctl

if TYPE_CHECKING:
    import sqlite3

FOLDER = "mechctl"

# Bump by hand when the shape of anything stored under .git/mechctl/ changes in a way the
# version number does not cover. History:
#   2: lint's cache stores per-file results as one marshal blob.
#   3: one key for every store (this function); the record cache and the facts are keyed
#      by it instead of the version alone, and SQLite stores carry it in a `derived` table.
#   4: one index of the record files (index.sqlite) replaces the record cache and the facts.
FORMAT = 4

# name -> (file or folder under .git/mechctl/, what it is). Every entry lives in git's
# common folder, shared by all worktrees, except the journal (a command in progress belongs
# to one worktree) and the index (it mirrors one work tree and its git index).
PATHS: dict[str, tuple[str, str]] = {
    "index": ("index.sqlite", "one row per record file, checked: every read goes through it"),
    "lock": ("lock", "the mutation lock (flock)"),
    "journal": ("journal.json", "what a killed command leaves for the next one to finish"),
    "drafts": ("drafts", "what the user typed, when a commit was refused"),
    "edit": ("edit", "the scratch files of `mechanism edit`"),
    "crash": ("crash", "reports of internal errors"),
}

# What earlier versions kept here and the index replaced (FORMAT 4): the record cache,
# escalate's facts and lint's cache (its tables are in the index now). Removed once, when
# the index is first made (remove_leftovers).
LEFTOVERS = tuple(
    f"{name}{suffix}"
    for name in ("cache.sqlite", "lint-cache.sqlite3")
    for suffix in ("", "-wal", "-shm", "-journal")
)
LEFTOVER_FOLDERS = ("facts",)


def folder(git_dir: Path) -> Path:
    """`.git/mechctl/` of a repository, given its git common folder (or a worktree's)."""
    return git_dir / FOLDER


def path(git_dir: Path, name: str) -> Path:
    """One entry of PATHS, under `git_dir` (the common folder; a worktree's for the journal)."""
    return folder(git_dir) / PATHS[name][0]


def remove_leftovers(common_dir: Path) -> None:
    """Remove what earlier versions kept under `.git/mechctl/` and nothing reads any more
    (LEFTOVERS); what cannot be removed is left, harmless."""
    import shutil

    where = folder(common_dir)
    for name in LEFTOVERS:
        with contextlib.suppress(OSError):
            (where / name).unlink(missing_ok=True)
    for name in LEFTOVER_FOLDERS:
        shutil.rmtree(where / name, ignore_errors=True)


# -- when derived data is stale --------------------------------------------------------------

_PACKAGE = os.path.dirname(os.path.abspath(mechctl.__file__))
_fingerprints: dict[str, str] = {}


def editable(package: str | None = None) -> bool:
    """Whether mechctl (or `package`) runs from a source checkout, whose code can change
    under one version number."""
    parts = Path(package or _PACKAGE).parts
    return "site-packages" not in parts and "dist-packages" not in parts


def fingerprint(package: str | None = None) -> str:
    """Size and modification time of every module of mechctl (or under `package`), hashed;
    once per process."""
    package = package or _PACKAGE
    known = _fingerprints.get(package)
    if known is not None:
        return known
    digest = hashlib.sha256()
    pending = [package]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in listed:
            if entry.name.endswith(".py"):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                where = os.path.relpath(entry.path, package)
                digest.update(f"{where}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
    _fingerprints[package] = digest.hexdigest()
    return _fingerprints[package]


def key() -> str:
    """The key every derived store is made under; data made under another key is stale."""
    code = fingerprint() if editable() else ""
    return hashlib.sha256(f"{FORMAT}|{mechctl.__version__}|{code}".encode()).hexdigest()[:32]


# -- SQLite ----------------------------------------------------------------------------------

TIMEOUT = 5.0  # seconds to wait for another process's write; then the store is skipped
PAGE_SIZE = 16384  # bytes; SQLite takes it only when it makes the file
_KEY_TABLE = "CREATE TABLE IF NOT EXISTS derived (name TEXT PRIMARY KEY, value TEXT);"
_SUFFIXES = ("", "-wal", "-shm", "-journal")
# Primary result codes that mean the bytes are not a sound database (not "busy" or "locked").
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def connect(file: Path, schema: str) -> sqlite3.Connection | None:
    """Open the store `file` (creating it and `schema`), made under `key()`; None when it
    cannot be used this run. A corrupt file is removed and made again."""
    import sqlite3

    for attempt in range(2):
        db: sqlite3.Connection | None = None
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(file, timeout=TIMEOUT, isolation_level=None)
            # Before the file exists (then it is fixed): an index row is ~2.5 KB, and 4 KB
            # pages hold one each; 16 KB pages hold six, and a cold build writes 30% less.
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_KEY_TABLE + schema)
            current = key()
            row = db.execute("SELECT value FROM derived WHERE name = 'key'").fetchone()
            if row is None or row[0] != current:
                _empty(db, schema, current)
            return db
        except sqlite3.Error as exc:
            if db is not None:
                db.close()
            if attempt or not corrupt(exc):
                return None
            discard(file)
        except OSError:
            if db is not None:
                db.close()
            return None
    return None


def _empty(db: sqlite3.Connection, schema: str, current: str) -> None:
    """Drop every table of a store made under another key and make them again, in one
    transaction: another process may be reading it."""
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    drops = "".join(f'DROP TABLE IF EXISTS "{name}";' for name in tables)
    # The key is hex digits: safe to place in the script itself.
    db.executescript(
        f"BEGIN IMMEDIATE;{drops}{_KEY_TABLE}{schema};"
        f"INSERT OR REPLACE INTO derived VALUES ('key', '{current}');COMMIT;"
    )


def corrupt(exc: BaseException) -> bool:
    """Whether an error from SQLite says the file itself is damaged (so removing it helps)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _CORRUPT


def discard(file: Path) -> None:
    """Remove a store and its side files, so the next use makes it again."""
    for suffix in _SUFFIXES:
        # One that cannot be removed keeps failing, and is skipped each time.
        with contextlib.suppress(OSError):
            Path(f"{file}{suffix}").unlink(missing_ok=True)


def failed(db: sqlite3.Connection, file: Path, exc: BaseException) -> None:
    """After an error while using an open store: close it, and remove the file when the
    error says it is damaged (any error that is not SQLite's own means undecodable content)."""
    import sqlite3

    with contextlib.suppress(sqlite3.Error):
        db.close()
    if not isinstance(exc, sqlite3.Error) or corrupt(exc):
        discard(file)


# -- drafts ----------------------------------------------------------------------------------

DRAFT_MARK = "# mechctl draft: "
DRAFT_FILE_MARK = "# file: "


def save_draft(
    git_dir: Path, name: str, why: str, files: Sequence[tuple[str, str]], when: datetime
) -> Path:
    """Keep what the user typed under `drafts/`, as `STAMP-NAME.yaml` (`-2`, `-3`... when
    taken): a `# mechctl draft: WHY` line, then each file's text after `# file: REL`, apart
    by `---`. `--from-file` skips those lines. Returns the path as the user would type it
    (relative to the current folder when under it)."""
    drafts = path(git_dir, "drafts")
    drafts.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    text = f"{DRAFT_MARK}{' '.join(why.split())}\n" + "---\n".join(
        f"{DRAFT_FILE_MARK}{rel}\n{body}" for rel, body in files
    )
    counter = 1
    while True:
        suffix = "" if counter == 1 else f"-{counter}"
        target = drafts / f"{stamp}-{name}{suffix}.yaml"
        try:
            handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        except FileExistsError:
            counter += 1
            continue
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        except BaseException:
            target.unlink(missing_ok=True)  # no half draft that looks whole
            raise
        break
    try:
        return target.relative_to(Path.cwd())
    except ValueError:
        return target
