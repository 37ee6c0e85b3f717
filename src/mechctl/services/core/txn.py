"""One change, one commit, nothing lost (docs/design.md §5).

A service opens a transaction, reads what it needs under the repository lock (so two mechctl
processes never overwrite each other's change), stages new file contents, and commits. Files
are written only at commit time. If git refuses the commit, every file and index entry goes
back to what it was, and what the user typed is saved as a draft.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mechctl import derived
from mechctl.errors import AlreadyExistsError, CommitFailedError, DirtyFileError, GitError
from mechctl.services.core.context import Workspace
from mechctl.store.files import atomic_write

_BLANK_RUN = re.compile(r"\n\s*\n+")


@dataclass
class FileChange:
    rel: str
    text: str
    before: str | None  # None: a new file


def _one_line(text: str, limit: int = 100) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def message(subject: str, action: str, record: str, body: str | None = None) -> str:
    """A readable subject, an optional body, then the trailers as the last paragraph.

    User text is folded so that it can never form a paragraph of its own after the body:
    only the final paragraph holds trailers, so a title or note cannot forge one.
    """
    parts = [_one_line(subject)]
    if body and body.strip():
        folded = _BLANK_RUN.sub("\n", body.strip())
        folded = "\n".join(
            "  " + line if line.lstrip().startswith("---") else line for line in folded.splitlines()
        )
        parts.append(folded)
    parts.append(f"Mechctl-Action: {action}\nMechctl-Record: {_one_line(record, 200)}")
    return "\n\n".join(parts) + "\n"


@dataclass
class Transaction:
    ws: Workspace
    changes: list[FileChange] = field(default_factory=list)
    committed: bool = False

    def write(self, rel: str, text: str, before: str | None) -> None:
        self.changes.append(FileChange(rel, text, before))

    def commit(
        self,
        subject: str,
        action: str,
        record: str,
        *,
        body: str | None = None,
        check_dirty: bool = True,
    ) -> None:
        if not self.changes:
            return
        git = self.ws.git
        rels = [change.rel for change in self.changes]
        for change in self.changes:
            if change.before is None and (self.ws.root / change.rel).exists():
                raise AlreadyExistsError(f"{change.rel} already exists")
        if check_dirty:
            dirty = git.changed(rels)
            if dirty:
                raise DirtyFileError(
                    f"{dirty[0]} has uncommitted changes; mechctl will not overwrite them",
                    hint="commit or stash them first (`git stash push -- <file>`)",
                )
        text = message(subject, action, record, body)
        written: list[FileChange] = []
        journal = _journal_path(self.ws)
        # If this process is killed (SIGKILL) from here on, the next mechctl command finds the
        # journal and puts the tree back (or keeps the commit, if it landed): see recover().
        atomic_write(journal, json.dumps([c.__dict__ for c in self.changes]))
        try:
            for change in self.changes:
                atomic_write(self.ws.root / change.rel, change.text)
                written.append(change)
            git.commit(rels, text)
        except BaseException as exc:
            landed = isinstance(exc, KeyboardInterrupt) and self._landed()
            if not landed:
                self._restore(written)
                journal.unlink(missing_ok=True)
                if isinstance(exc, GitError):
                    draft = self._save_draft(str(exc))
                    raise CommitFailedError(str(exc), draft, None) from None
            journal.unlink(missing_ok=True)
            raise
        journal.unlink(missing_ok=True)
        self.committed = True

    def _landed(self) -> bool:
        """After an interrupt: did the commit make it in before we were stopped?"""
        for change in self.changes:
            if self.ws.git.show("HEAD", change.rel) != change.text.encode("utf-8"):
                return False
        return True

    def _restore(self, written: list[FileChange]) -> None:
        for change in written:
            path = self.ws.root / change.rel
            if change.before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, change.before)
        if written:
            self.ws.git.unstage([change.rel for change in written])

    def _save_draft(self, reason: str) -> Path:
        return derived.save_draft(
            self.ws.git.common_dir,
            Path(self.changes[0].rel).stem,
            f"the commit failed ({_one_line(reason, 200)})",
            [(change.rel, change.text) for change in self.changes],
            self.ws.now(),
        )


def _journal_path(ws: Workspace) -> Path:
    return derived.path(ws.git.git_dir, "journal")


def recover(ws: Workspace) -> None:
    """Finish what a killed mechctl left: keep a commit that landed, else restore the files.

    Runs under the repository lock, so the journal's owner is certainly gone. A file that
    holds neither the old nor the new text was changed by someone since: it is left alone.
    """
    journal = _journal_path(ws)
    if not journal.is_file():
        return
    try:
        changes = [FileChange(**item) for item in json.loads(journal.read_text("utf-8"))]
    except (ValueError, TypeError):
        journal.unlink(missing_ok=True)
        return
    git = ws.git
    for change in changes:
        path = ws.root / change.rel
        for temp in path.parent.glob(f".{path.name}.*.tmp"):
            temp.unlink(missing_ok=True)  # an atomic write cut short before its rename
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        committed = git.show("HEAD", change.rel)
        if committed is not None and committed == change.text.encode("utf-8"):
            if current is None:
                atomic_write(path, change.text)
            git.unstage([change.rel])  # index back in step with the commit
            continue
        if current not in (change.text, change.before):
            continue
        if change.before is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, change.before)
        git.unstage([change.rel])
    journal.unlink(missing_ok=True)


@contextlib.contextmanager
def transaction(ws: Workspace) -> Iterator[Transaction]:
    """Hold the repository lock while the service reads, decides and commits; then, outside
    the lock, sync when asked to (--push or `sync.auto_push`)."""
    with ws.git.lock():
        recover(ws)
        ws.git.check_can_commit()
        _ = ws.identity  # fail before any work when git does not know who is acting
        txn = Transaction(ws)
        yield txn
    if txn.committed:
        push_if_wanted(ws)


def push_if_wanted(ws: Workspace) -> None:
    """After a commit, outside the lock: sync when asked (--push or `sync.auto_push`). A
    failure is kept on the workspace: the commit stands, and the command reports it."""
    if not _wants_push(ws):
        return
    from mechctl.errors import MechctlError
    from mechctl.services.sync import sync

    try:
        sync(ws)
    except MechctlError as exc:
        ws.sync_problem = MechctlError(
            f"committed locally, but the sync failed: {exc.message}",
            hint=exc.hint or "run `mechctl sync` when the remote is reachable",
        )


def _wants_push(ws: Workspace) -> bool:
    if ws.push is not None:
        return ws.push
    from mechctl.services.core.index import config_facts

    return bool(config_facts(ws).get("auto_push"))
