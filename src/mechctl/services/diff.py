"""`mechctl diff [REV_RANGE]`: the field-level change of every record between two revisions.

The default compares the working tree (untracked record files included) with HEAD. `A..B`
compares two commits, `A...B` compares B with its merge base with A (the pull-request form),
and a single `A` compares A with the working tree, as `git diff A` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mechctl.errors import MechctlError, UsageError
from mechctl.git.log import FileChange
from mechctl.models import Escalation, Mechanism
from mechctl.services.core.context import Workspace
from mechctl.services.core.fielddiff import RecordDelta, jsonable, record_delta
from mechctl.store import layout
from mechctl.store.records import check_bytes

WORKING_TREE = "working tree"
_FACTS = {
    "mechanism": ("title", "status", "version"),
    "escalation": ("title", "status", "severity", "level"),
}


@dataclass
class Side:
    data: dict[str, Any] | None = None
    invalid: str | None = None  # the first problem when the record is not valid there


@dataclass
class RecordDiff:
    kind: str  # mechanism | escalation
    id: str
    path: str
    change: str  # added, removed, modified, renamed
    old_path: str | None = None
    old: Side = field(default_factory=Side)
    new: Side = field(default_factory=Side)
    delta: RecordDelta | None = None  # when both sides parse

    @property
    def formatting_only(self) -> bool:
        return self.delta is not None and self.delta.empty()

    def facts(self) -> dict[str, Any]:
        """A few fields that name the record: its title, status and so on."""
        data = self.new.data if self.new.data is not None else self.old.data
        return {key: jsonable(data.get(key)) for key in _FACTS[self.kind] if data and key in data}

    def as_json(self) -> dict[str, Any]:
        delta = self.delta
        return {
            "kind": self.kind,
            "id": self.id,
            "path": self.path,
            "old_path": self.old_path,
            "change": self.change,
            **self.facts(),
            "invalid": {"old": self.old.invalid, "new": self.new.invalid},
            "formatting_only": self.formatting_only,
            "version": None
            if not (delta and delta.version)
            else {"old": delta.version[0], "new": delta.version[1]},
            "why": delta.why() if delta else [],
            "definition": [c.as_json() for c in delta.definition] if delta else [],
            "state": [c.as_json() for c in delta.state] if delta else [],
            "appended": jsonable(delta.appended) if delta else {},
            "log_edits": [c.as_json() for c in delta.log_edits] if delta else [],
        }


@dataclass
class DiffResult:
    spec: str  # the range as the user gave it, or "HEAD" against the working tree
    base: str  # the commit compared from
    target: str | None  # the commit compared to; None: the working tree
    records: list[RecordDiff]

    def as_json(self) -> dict[str, Any]:
        return {
            "range": self.spec,
            "base": self.base,
            "target": self.target or WORKING_TREE,
            "records": [record.as_json() for record in self.records],
        }


def parse_range(spec: str | None) -> tuple[str, str | None, bool]:
    """(from, to or None for the working tree, whether `from` is really a merge base)."""
    if spec is None:
        return "HEAD", None, False
    text = spec.strip()
    if not text or text in ("..", "..."):
        raise UsageError(f"invalid REV_RANGE {spec!r}: expected REV, A..B or A...B")
    for operator, symmetric in (("...", True), ("..", False)):
        if operator in text:
            left, right = text.split(operator, 1)
            return left or "HEAD", right or "HEAD", symmetric
    return text, None, False


def _kind(rel: str) -> str | None:
    parts = rel.split("/")
    if not rel.endswith((".yaml", ".yml")):
        return None
    if parts[0] == layout.MECHANISMS and len(parts) == 2:
        return "mechanism"
    if parts[0] == layout.ESCALATIONS and len(parts) == 4:
        return "escalation"
    return None


def _side(blob: bytes | None, rel: str, kind: str) -> Side:
    if blob is None:
        return Side()
    model: type[Mechanism] | type[Escalation] = Mechanism if kind == "mechanism" else Escalation
    checked = check_bytes(blob, rel, model)
    return Side(checked.data, str(checked.problems[0]) if checked.problems else None)


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _changes(ws: Workspace, base: str, target: str | None) -> list[FileChange]:
    folders = [layout.MECHANISMS, layout.ESCALATIONS]
    changes = ws.git.raw_diff(base, target, folders)
    if target is None:
        changes += [FileChange("A", rel, None, None, None) for rel in ws.git.untracked(folders)]
    changes = [c for c in changes if _kind(c.path)]
    # A record is its id: a file that left one folder and arrived in another under the same
    # name (an escalation moved by hand) is one record renamed; anything else is not.
    gone = {(_kind(c.path), _stem(c.path)): c for c in changes if c.status == "D"}
    paired = []
    for change in changes:
        left = (
            gone.pop((_kind(change.path), _stem(change.path)), None)
            if change.status == "A"
            else None
        )
        if left is not None:
            change = FileChange("R", change.path, left.path, left.old_blob, change.new_blob)
        paired.append(change)
    moved = {c.old_path for c in paired if c.status == "R"}
    return [c for c in paired if not (c.status == "D" and c.path in moved)]


def diff_records(ws: Workspace, spec: str | None) -> DiffResult:
    old_rev, new_rev, symmetric = parse_range(spec)
    if not ws.git.has_commits():
        raise MechctlError(
            "the repository has no commits yet, so there is nothing to compare with",
            hint="make a first commit (`mechctl init` does) and try again",
        )
    base = ws.git.resolve_commit(old_rev)
    target = ws.git.resolve_commit(new_rev) if new_rev is not None else None
    if symmetric and target is not None:
        base = ws.git.merge_base(base, target)
    changes = _changes(ws, base, target)
    wanted = [c.old_blob for c in changes if c.old_blob]
    if target is not None:
        wanted += [c.new_blob for c in changes if c.new_blob]
    blobs = ws.git.read_blobs(wanted)
    records = []
    for change in changes:
        kind = _kind(change.path)
        assert kind is not None
        if target is not None:
            new_bytes = blobs.get(change.new_blob or "")
        else:
            path = ws.root / change.path
            new_bytes = path.read_bytes() if change.status != "D" and path.is_file() else None
        old_rel = change.old_path or change.path
        record = RecordDiff(
            kind=kind,
            id=change.path.rsplit("/", 1)[1].rsplit(".", 1)[0],
            path=change.path,
            change={"A": "added", "D": "removed", "R": "renamed"}.get(change.status, "modified"),
            old_path=change.old_path,
            old=_side(blobs.get(change.old_blob or ""), old_rel, kind),
            new=_side(new_bytes, change.path, kind),
        )
        if record.old.data is not None and record.new.data is not None:
            record.delta = record_delta(kind, record.old.data, record.new.data)
        records.append(record)
    records.sort(key=lambda r: (r.kind != "mechanism", r.id))
    return DiffResult(spec=spec or "HEAD", base=base, target=target, records=records)
