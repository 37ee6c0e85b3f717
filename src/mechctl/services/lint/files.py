"""Which files lint reads, and the git blob id that keys each one's cached result.

Kept free of heavy imports (pydantic, ruamel): the warm path (cli/lint/warm.py) uses it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from mechctl.errors import UsageError
from mechctl.git.repo import Git

# Copies of store.layout's names: importing it would load the models (test_lint checks).
CONFIG_FILE = ".mechctl.yaml"
MECHANISM = "m"
ESCALATION = "e"
FOLDERS = {"mechanisms": MECHANISM, "escalations": ESCALATION}
SCHEMA_FILES = (
    "schemas/mechanism.schema.json",
    "schemas/escalation.schema.json",
    "schemas/config.schema.json",
)
CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's search order
ISSUE_FORM = ".github/ISSUE_TEMPLATE/escalate.yml"  # services/github/form.py's FORM_REL


@dataclass
class RecordFile:
    rel: str
    kind: str  # MECHANISM or ESCALATION
    blob: str | None  # the git blob id of its content, once known
    problem: str | None = None  # why it is not read (a symbolic link out of the repository)
    data: bytes | None = None  # its bytes, when they were read to compute the blob id


@dataclass
class Snapshot:
    """The record files as they are now, and HEAD."""

    records: list[RecordFile]
    head: str | None
    generated: tuple[tuple[str, str | None], ...] = ()  # schemas, CODEOWNERS: (rel, digest)


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes, so a file hashed here matches its committed blob."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _link_problem(root: Path, path: Path) -> str | None:
    """A symbolic link is read only when it leads to a file inside the repository."""
    target = Path(os.path.realpath(path))
    inside = target.is_relative_to(root) and not target.is_relative_to(root / ".git")
    if not inside:
        return "symbolic link to a file outside the repository; not followed"
    if not target.is_file():
        return "symbolic link to nothing (or to a folder); not followed"
    return None


def _record_kind(rel: str) -> str | None:
    """The kind of record a path holds, or None when lint does not read it: other file
    types, and hidden files and folders (editor swap files, drafts)."""
    if not rel.endswith((".yaml", ".yml")) or "/." in rel or rel.startswith("."):
        return None
    top, slash, _ = rel.partition("/")
    return FOLDERS.get(top) if slash else None


def discover(root: Path, git: Git) -> Snapshot:
    """Every record file under mechanisms/ and escalations/ that git tracks or would track,
    wherever it sits (a record in the wrong place is a finding, not invisible), each with its
    blob id: from git's index when the file is unmodified, else by hashing its bytes (kept
    for the checks). Files git ignores are not records."""
    tree = git.index_state(list(FOLDERS)).collect()
    found: list[RecordFile] = []
    for rel, (mode, blob) in tree.index.items():
        kind = _record_kind(rel)
        if kind is None or mode == "160000":  # not a record, or a submodule
            continue
        if mode == "120000":
            found.append(_linked(root, rel, kind))
        elif rel in tree.dirty:
            record = _read(root, rel, kind)
            if record is not None:  # None: deleted from the work tree
                found.append(record)
        else:
            found.append(RecordFile(rel, kind, blob))
    for rel in [*tree.untracked, *(r for r in tree.dirty if r not in tree.index)]:
        kind = _record_kind(rel)
        if kind is None:
            continue
        if os.path.islink(root / rel):
            found.append(_linked(root, rel, kind))
        else:
            record = _read(root, rel, kind)
            if record is not None:
                found.append(record)
    found.sort(key=lambda f: f.rel)
    generated = []
    for rel in (*SCHEMA_FILES, *CODEOWNERS, ISSUE_FORM):
        path = root / rel
        generated.append((rel, git_blob_id(path.read_bytes()) if path.is_file() else None))
    return Snapshot(found, tree.head, tuple(generated))


_primed: dict[Path, Snapshot] = {}


def prime(root: Path, snapshot: Snapshot) -> None:
    """Hand a snapshot just taken to the `discover` that follows in this same process: the
    warm path took it, found no memo, and the full command now runs (saves a second look)."""
    _primed[root] = snapshot


def primed(root: Path) -> Snapshot | None:
    return _primed.pop(root, None)


def _linked(root: Path, rel: str, kind: str) -> RecordFile:
    """A symbolic link is read only when it leads to a file inside the repository."""
    problem = _link_problem(root, root / rel)
    if problem is None:
        record = _read(root, rel, kind)
        if record is not None:
            return record
        problem = "symbolic link to nothing (or to a folder); not followed"
    return RecordFile(rel, kind, None, problem)


def _read(root: Path, rel: str, kind: str) -> RecordFile | None:
    try:
        data = (root / rel).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return RecordFile(rel, kind, None, f"cannot read the file: {exc.strerror or exc}")
    return RecordFile(rel, kind, git_blob_id(data), data=data)


def state_key(gen: str, snapshot: Snapshot) -> str:
    """One id for everything a whole lint run depends on, apart from the clock."""
    text = "".join(f"{r.rel}\0{r.blob}\0{r.problem}\n" for r in snapshot.records)
    head = f"{gen}\n{snapshot.head}\n{snapshot.generated}\n"
    return hashlib.sha1(
        (head + text).encode("utf-8", "surrogateescape"), usedforsecurity=False
    ).hexdigest()


def lintable(rel: str) -> bool:
    """Files whose findings lint reports: records, the schemas, CODEOWNERS, the issue form."""
    top = rel.split("/", 1)[0]
    if top in FOLDERS:
        return rel.endswith((".yaml", ".yml"))
    return rel in SCHEMA_FILES or rel in CODEOWNERS or rel == ISSUE_FORM


def selection(root: Path, base: Path, args: list[str]) -> list[str] | None:
    """The repository-relative files and folders named on the command line (None: all).

    Relative arguments are taken from `base` (the current folder, or -C). Each must exist
    inside the repository; a file must be one lint checks.
    """
    if not args:
        return None
    chosen: list[str] = []
    for arg in args:
        path = Path(os.path.abspath(base / arg))
        if not path.is_relative_to(root):
            raise UsageError(f"{arg}: outside the repository ({root})")
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            raise UsageError(f"{arg}: inside .git, not a record")
        if not os.path.lexists(path):
            raise UsageError(f"{arg}: no such file or folder")
        if path.is_dir() and not path.is_symlink():
            chosen.append("" if rel == "." else rel + "/")
        elif lintable(rel):
            chosen.append(rel)
        else:
            raise UsageError(
                f"{arg}: not a file mechctl lint checks (records under mechanisms/ and"
                " escalations/, schemas/*.schema.json, CODEOWNERS)"
            )
    return chosen


def selected(rel: str, chosen: list[str] | None) -> bool:
    if chosen is None:
        return True
    return any(c == "" or rel == c or (c.endswith("/") and rel.startswith(c)) for c in chosen)
