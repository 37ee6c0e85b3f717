"""Which files lint reads, and what a command line selects of them.

Kept free of heavy imports (pydantic, ruamel): the warm path (cli/lint/warm.py) uses it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from mechctl.errors import UsageError

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


def record_kind(rel: str) -> str | None:
    """The kind of record a path holds, or None when lint does not read it: other file
    types, and hidden files and folders (editor swap files, drafts)."""
    if not rel.endswith((".yaml", ".yml")) or "/." in rel or rel.startswith("."):
        return None
    top, slash, _ = rel.partition("/")
    return FOLDERS.get(top) if slash else None


def linked(root: Path, rel: str, kind: str) -> RecordFile:
    """A symbolic link is read only when it leads to a file inside the repository."""
    problem = _link_problem(root, root / rel)
    if problem is None:
        record = read_record(root, rel, kind)
        if record is not None:
            return record
        problem = "symbolic link to nothing (or to a folder); not followed"
    return RecordFile(rel, kind, None, problem)


def read_record(root: Path, rel: str, kind: str) -> RecordFile | None:
    try:
        data = (root / rel).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return RecordFile(rel, kind, None, f"cannot read the file: {exc.strerror or exc}")
    return RecordFile(rel, kind, git_blob_id(data), data=data)


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
