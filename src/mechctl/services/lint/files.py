"""Which files lint reads, and the git blob id that keys each one's cached result.

Kept free of heavy imports (pydantic, ruamel): the warm path (cli/warm.py) uses it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from mechctl.errors import UsageError
from mechctl.gitrepo import Git

MECHANISM = "m"
ESCALATION = "e"
FOLDERS = {"mechanisms": MECHANISM, "escalations": ESCALATION}
SCHEMA_FILES = ("schemas/mechanism.schema.json", "schemas/escalation.schema.json",
                "schemas/config.schema.json")  # layout.SCHEMA_FILES; test_lint checks they agree
CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's search order
_REGULAR = ("100644", "100755")


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


def _walk(root: Path, folder: str, kind: str, found: list[RecordFile]) -> None:
    # Plain strings, not pathlib: this visits every record on every run.
    prefix = len(str(root)) + 1
    stack = [os.path.join(root, folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            if not name.endswith((".yaml", ".yml")):
                continue
            rel = entry.path[prefix:].replace(os.sep, "/")
            problem = None
            if entry.is_symlink():
                problem = _link_problem(root, Path(entry.path))
            elif not entry.is_file(follow_symlinks=False):
                continue
            found.append(RecordFile(rel, kind, None, problem))


def _link_problem(root: Path, path: Path) -> str | None:
    """A symbolic link is read only when it leads to a file inside the repository."""
    target = Path(os.path.realpath(path))
    inside = target.is_relative_to(root) and not target.is_relative_to(root / ".git")
    if not inside:
        return "symbolic link to a file outside the repository; not followed"
    if not target.is_file():
        return "symbolic link to nothing (or to a folder); not followed"
    return None


def discover(root: Path, git: Git) -> Snapshot:
    """Every record file under mechanisms/ and escalations/, wherever it sits (a record in
    the wrong place is a finding, not invisible), each with its blob id: from git's index
    when the file is unmodified, else by hashing its bytes (kept for the checks)."""
    state = git.index_state(list(FOLDERS))  # git works while this process walks
    found: list[RecordFile] = []
    for folder, kind in FOLDERS.items():
        _walk(root, folder, kind, found)
    found.sort(key=lambda f: f.rel)
    index, dirty, head = state.collect()
    for record in found:
        if record.problem is not None:
            continue
        entry = index.get(record.rel)
        if entry and entry[0] in _REGULAR and record.rel not in dirty:
            record.blob = entry[1]
            continue
        try:
            record.data = (root / record.rel).read_bytes()
        except OSError as exc:
            record.problem = f"cannot read the file: {exc.strerror or exc}"
            continue
        record.blob = git_blob_id(record.data)
    generated = []
    for rel in (*SCHEMA_FILES, *CODEOWNERS):
        path = root / rel
        generated.append((rel, git_blob_id(path.read_bytes()) if path.is_file() else None))
    return Snapshot(found, head, tuple(generated))


def state_key(gen: str, snapshot: Snapshot) -> str:
    """One id for everything a whole lint run depends on, apart from the clock."""
    digest = hashlib.sha1(f"{gen}\n{snapshot.head}\n{snapshot.generated}\n".encode(),
                          usedforsecurity=False)
    for record in snapshot.records:
        digest.update(f"{record.rel}\0{record.blob}\0{record.problem}\n".encode())
    return digest.hexdigest()


def lintable(rel: str) -> bool:
    """Files whose findings lint reports: records, the schemas, CODEOWNERS."""
    top = rel.split("/", 1)[0]
    if top in FOLDERS:
        return rel.endswith((".yaml", ".yml"))
    return rel in SCHEMA_FILES or rel in CODEOWNERS


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
