"""`mechctl history ID`: a record's life from git, following renames.

One `git log --follow -z --raw` names every commit and the blob ids before and after it; one
`git cat-file --batch` reads those blobs; the fast loader parses each distinct blob once. No
commit object is opened per entry, which keeps a record in a 50,000-commit repository under a
second (bench/history_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from mechctl.errors import AmbiguousIdError, NotFoundError, UsageError
from mechctl.git.log import FileChange, FileCommit
from mechctl.models import Escalation, Mechanism
from mechctl.models.ids import ESCALATION_ID_RE, valid_mechanism_id
from mechctl.services.core.action import CommitAction
from mechctl.services.core.context import Workspace
from mechctl.services.core.fielddiff import Change, diff
from mechctl.services.escalation import read as escalation_read
from mechctl.services.mechanism import read as mechanisms
from mechctl.store import layout
from mechctl.store.locate import suggest
from mechctl.store.records import check_text
from mechctl.store.versions import VersionLoader
from mechctl.store.yamlio import YamlProblem, decode


@dataclass
class Entry(CommitAction):
    commit: str
    date: datetime
    author: str
    action: str | None  # the Mechctl-Action trailer; None for a hand edit
    subject: str
    path: str
    event: str  # created, changed, renamed, deleted, earliest (shallow clone)
    renamed_from: str | None = None
    changes: list[Change] = field(default_factory=list)
    invalid: str | None = None  # why the record is not valid at this revision
    merge: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            **self.commit_json(),
            "path": self.path,
            "event": self.event,
            "renamed_from": self.renamed_from,
            "changes": [change.as_json() for change in self.changes],
            "invalid": self.invalid,
        }


@dataclass
class History:
    record: str
    kind: str  # mechanism | escalation
    path: str
    partial: bool  # a shallow clone: older commits are missing
    entries: list[Entry]

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "kind": self.kind,
            "path": self.path,
            "partial": self.partial,
            "entries": [entry.as_json() for entry in self.entries],
        }


def locate(ws: Workspace, text: str) -> tuple[str, str, str]:
    """(kind, id, path) for a mechanism id, an escalation id, or an escalation abbreviation.
    A record deleted since is still found by its full id, from history."""
    wanted = text.strip()
    if ESCALATION_ID_RE.match(wanted.lower()):
        rel = layout.escalation_rel(wanted.lower())
        if (ws.root / rel).is_file() or ws.git.in_history(rel):
            return "escalation", wanted.lower(), rel
        raise NotFoundError(f"no escalation {wanted.lower()!r}")
    if valid_mechanism_id(wanted):
        rel = layout.mechanism_rel(wanted)
        if (ws.root / rel).is_file() or ws.git.in_history(rel):
            return "mechanism", wanted, rel
    try:
        found = escalation_read.resolve_id(ws, wanted)
    except AmbiguousIdError:
        raise
    except (NotFoundError, UsageError):
        known = mechanisms.mechanism_ids(ws)
        hint = suggest(wanted, known)
        raise NotFoundError(
            f"no mechanism or escalation {wanted!r}"
            + (f" (did you mean {hint!r}?)" if hint else ""),
            hint=None if hint else "list them with `mechctl mechanism list`",
        ) from None
    return "escalation", found, layout.escalation_rel(found)


@dataclass
class _Version:
    data: dict[str, Any] | None
    problem: str | None


def _versions(ws: Workspace, log: list[FileCommit], kind: str) -> dict[str, _Version]:
    model: type[Mechanism] | type[Escalation] = Mechanism if kind == "mechanism" else Escalation
    paths: dict[str, str] = {}
    for item in log:
        if item.change.new_blob:
            paths.setdefault(item.change.new_blob, item.change.path)
        if item.change.old_blob:
            paths.setdefault(item.change.old_blob, item.change.old_path or item.change.path)
    loader = VersionLoader()
    versions = {}
    blobs = ws.git.read_blobs(paths)
    for sha in reversed(paths):  # oldest first, so each version parses only what is new
        if sha not in blobs:
            continue
        rel = paths[sha]
        try:
            text = decode(blobs[sha], rel)
            data = loader.load(text, rel)
        except YamlProblem as exc:
            versions[sha] = _Version(None, str(exc.problem))
            continue
        try:
            model.model_validate(data)
            problem = None
        except ValidationError:
            # The slow path, with the line and column, only for the versions that need it.
            problems = check_text(text, rel, model).problems
            problem = str(problems[0]) if problems else "the record does not validate"
        versions[sha] = _Version(data, problem)
    return versions


def _own(log: list[FileCommit]) -> list[FileCommit]:
    """`--follow` also follows copies: a mechanism made from a template would inherit the
    template's history. A copy is where the record was created; older entries are another
    file's life."""
    for position, item in enumerate(log):
        change = item.change
        if change.status == "C":
            created = FileChange("A", change.path, None, None, change.new_blob)
            return [*log[:position], FileCommit(item.commit, created)]
    return log


def history(ws: Workspace, text: str) -> History:
    kind, record, rel = locate(ws, text)
    log = _own(ws.git.file_log(rel))
    partial = ws.git.is_shallow()
    versions = _versions(ws, log, kind)
    entries: list[Entry] = []
    last_valid: dict[str, Any] | None = None
    for position, item in enumerate(reversed(log)):  # oldest first: a diff needs the past
        commit, change = item.commit, item.change
        entry = Entry(
            commit=commit.sha,
            date=datetime.fromtimestamp(commit.time, UTC),
            author=commit.author,
            action=commit.action,
            subject=commit.subject,
            path=change.path,
            event="changed",
            merge=len(commit.parents) > 1,
        )
        new = versions.get(change.new_blob or "")
        old = versions.get(change.old_blob or "")
        if change.status == "D":
            entry.event = "deleted"
        elif change.old_blob is None:
            shallow_edge = partial and position == 0 and not commit.parents
            entry.event = "earliest" if shallow_edge else "created"
        else:
            if change.status == "R":
                entry.event, entry.renamed_from = "renamed", change.old_path
            base = old.data if old is not None and old.data is not None else last_valid
            if new is not None and new.data is not None and base is not None:
                entry.changes = diff(base, new.data)
        if new is not None:
            entry.invalid = new.problem
            if new.data is not None:
                last_valid = new.data
        entries.append(entry)
    entries.reverse()
    return History(record=record, kind=kind, path=rel, partial=partial, entries=entries)
