"""What a whole lint run depends on besides the clock, as one key (services/lint/kept.py).

The record files the index holds (services/core/index/) are current once it is opened; a
digest of what lint reads of its rows, kept per generation of the index (which changes with
every write to it), stands for all of them.
Lint reads a few files more and a few less than the index holds:

- more: a record file in the wrong place (`escalations/x.yaml`, `mechanisms/a/b.yaml`) and a
  symbolic link, which the index does not hold (its rows are regular files where records
  belong); these *loose* files are read and hashed at every run (they are few);
- less: a file git ignores, which the index holds (listings read the work tree) and lint
  does not, and hidden files (`.draft.yaml`).

So the key covers that digest, the untracked files git does not ignore (one `git ls-files
-o`), the loose files' paths and blob ids, HEAD (activation dates come from history), the
generated files lint compares (schemas, CODEOWNERS, the issue form), `.mechctl.yaml` and
`derived.key()`. The tracked loose files are listed from git's index (`ls-files -s`) only when
`.git/index` changed since they were last listed (kept in lint_facts).

Kept free of heavy imports: the warm path (cli/lint/warm.py) uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mechctl import derived
from mechctl.services.core.index.store import file_stat, kind_of, read_meta
from mechctl.services.lint import kept
from mechctl.services.lint.files import (
    CODEOWNERS,
    CONFIG_FILE,
    FOLDERS,
    ISSUE_FORM,
    SCHEMA_FILES,
    RecordFile,
    git_blob_id,
    linked,
    read_record,
    record_kind,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable
    from datetime import datetime

    from mechctl.git.proc import Running
    from mechctl.services.core.context import Workspace
    from mechctl.services.core.index import Index

_UNTRACKED = ["ls-files", "-o", "--exclude-standard", "-z", "--", *FOLDERS]
_TRACKED = ["ls-files", "-s", "-z", "--", *FOLDERS]
_HEAD = ["rev-parse", "-q", "--verify", "HEAD^{commit}"]


@dataclass
class State:
    key: str
    untracked: frozenset[str]  # untracked record files the index may hold, not ignored
    loose: list[RecordFile]  # files lint reads that the index does not hold
    head: str | None
    config: bytes
    writes: list[tuple[str, object, object]] = field(default_factory=list)  # facts to keep


class Started:
    """The git processes of `take`, started before the index is opened, to run alongside
    its refresh."""

    def __init__(self, ws: Workspace) -> None:
        git = ws.git
        self.untracked: Running = git.start(_UNTRACKED)
        self.head: Running = git.start(_HEAD)

    def discard(self) -> None:
        """Wait for the processes, their output unread (the run failed before `take`)."""
        for running in (self.untracked, self.head):
            with contextlib.suppress(Exception):
                running.wait(check=False)


def start(ws: Workspace) -> Started:
    return Started(ws)


def opened(ws: Workspace, clock: Callable[[], datetime]) -> tuple[Index, State, datetime]:
    """The index, opened while git's look at the untracked files and HEAD runs beside it
    (`start`), this run's state taken from both, and the moment it was taken at. A failure
    on the way stops what was started and closes the index."""
    from mechctl.services.core.index import open_index

    started = start(ws)
    try:
        index = open_index(ws)
    except BaseException:
        started.discard()
        raise
    try:
        now = clock()
        return index, take(ws, started, index.db, now), now
    except BaseException:
        started.discard()
        index.close()
        raise


def take(ws: Workspace, started: Started, db: sqlite3.Connection, now: datetime) -> State:
    """The state of this run. `db`: the index, inside the read transaction of this run."""
    root = ws.root
    untracked_out = started.untracked.wait(check=True).stdout
    head_run = started.head.wait(check=False)
    head = head_run.stdout.decode().strip() or None if head_run.ok else None
    writes: list[tuple[str, object, object]] = []
    rows = _rows_digest(db, writes)
    untracked: set[str] = set()
    loose: list[RecordFile] = []
    for rel in untracked_out.decode("utf-8", "surrogateescape").split("\0"):
        kind = record_kind(rel) if rel else None
        if kind is None:
            continue
        if os.path.islink(root / rel):
            loose.append(linked(root, rel, kind))
        elif kind_of(rel) is None:
            found = read_record(root, rel, kind)
            if found is not None:
                loose.append(found)
        else:
            untracked.add(rel)
    for rel, mode in _tracked_loose(ws, db, writes):
        kind = record_kind(rel)
        assert kind is not None
        found = linked(root, rel, kind) if mode == "120000" else read_record(root, rel, kind)
        if found is not None:
            loose.append(found)
    loose.sort(key=lambda r: r.rel)
    config_path = root / CONFIG_FILE
    config = config_path.read_bytes() if config_path.is_file() else b""
    generated = []
    for rel in (*SCHEMA_FILES, *CODEOWNERS, ISSUE_FORM):
        path = root / rel
        generated.append(f"{rel}\0{git_blob_id(path.read_bytes()) if path.is_file() else ''}")
    parts = [
        derived.key(),
        str(now.utcoffset()),
        rows,
        str(head),
        hashlib.sha1(config, usedforsecurity=False).hexdigest(),
        *generated,
        *sorted(untracked),
        *(f"{r.rel}\0{r.blob}\0{r.problem}" for r in loose),
    ]
    text = "\n".join(parts).encode("utf-8", "surrogateescape")
    key = hashlib.sha1(text, usedforsecurity=False).hexdigest()
    return State(key, frozenset(untracked), loose, head, config, writes)


def _rows_digest(db: sqlite3.Connection, writes: list[tuple[str, object, object]]) -> str:
    """A digest of what lint reads of the index's rows (path, blob id, levels, untracked or
    not), kept per generation of the index: a write that changed only stat data (a file
    touched, a folder seen again) changes the generation, not the digest."""
    generation = read_meta(db).get("generation", 0)
    known = kept.fact(db, "rows", generation)
    if isinstance(known, str):
        return known
    digest = hashlib.sha1(usedforsecurity=False)
    cursor = db.execute("SELECT path, blob, salt, origin = 2 FROM files ORDER BY path")
    while True:
        batch = cursor.fetchmany(5000)
        if not batch:
            break
        text = "".join(
            f"{path}\0{blob}\0{salt}\0{untracked}\n" for path, blob, salt, untracked in batch
        )
        digest.update(text.encode("utf-8", "surrogateescape"))
    found = digest.hexdigest()
    writes.append(("rows", generation, found))
    return found


def _tracked_loose(
    ws: Workspace, db: sqlite3.Connection, writes: list[tuple[str, object, object]]
) -> list[tuple[str, str]]:
    """(path, mode) of the tracked files lint reads that the index does not hold: those in
    the wrong place, symbolic links, conflicts, and regular files of git's index that the work tree
    holds as something else (a link)."""
    stat = file_stat(ws.git.git_dir / "index")
    found = kept.fact(db, "tracked-loose", stat) if stat is not None else None
    sound = isinstance(found, list) and all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        for item in found
    )
    if not sound:
        out = ws.git.run_bytes(_TRACKED).stdout.decode("utf-8", "surrogateescape")
        found = []
        for entry in out.split("\0"):
            meta, _, rel = entry.partition("\t")
            fields = meta.split(" ")
            if len(fields) != 3 or fields[0] == "160000" or record_kind(rel) is None:
                continue
            # A conflict (stage 1 to 3) is no row of the index: its file is read as it is.
            wanted = fields[0] == "120000" or fields[2] != "0" or kind_of(rel) is None
            if wanted and (not found or found[-1][0] != rel):  # a conflict: a line a stage
                found.append([rel, fields[0]])
        if stat is not None:
            writes.append(("tracked-loose", stat, found))
    pairs = [(str(rel), str(mode)) for rel, mode in found or ()]
    # A tracked record file the index lacks: deleted, or no longer a regular file.
    # Counted on indexes alone (files_loose holds the untracked rows), never the table.
    held = db.execute("SELECT count(*) FROM files").fetchone()[0]
    held -= db.execute("SELECT count(*) FROM files WHERE origin != 0 AND origin = 2").fetchone()[0]
    staged = db.execute("SELECT count(*) FROM staged").fetchone()[0]
    if held != staged:
        for (rel,) in db.execute(
            "SELECT path FROM staged s WHERE NOT EXISTS"
            " (SELECT 1 FROM files f WHERE f.path = s.path)"
        ):
            if record_kind(rel) is not None and os.path.islink(ws.root / rel):
                pairs.append((rel, "120000"))
    return pairs


def keep(db: sqlite3.Connection, state: State) -> None:
    """Write the facts this state learnt, once the reads are over."""
    with contextlib.suppress(Exception):
        db.execute("COMMIT")
    for name, depends, value in state.writes:
        kept.keep_fact(db, name, depends, value)
    state.writes.clear()


_handed: dict[object, tuple[object, State]] = {}


def hand_on(root: object, index: object, state: State) -> None:
    """Hand the index just opened and the state just taken to the full command that runs
    next in this same process (the warm path found no answer): it need not look again."""
    _handed[root] = (index, state)


def handed(root: object) -> tuple[object, State] | None:
    return _handed.pop(root, None)
