"""`lint --base REV`: what changed since REV, checked against the rules of change.

- unversioned-change: a mechanism's definition changed, but its version did not go up with
  an `iterations` entry per new version, or earlier iterations entries were rewritten;
- invalid-transition: a status moved in a way the state machine forbids, or the escalation
  timeline (append-only) lost or changed entries;
- deleted-record: a record at REV is gone (moving a file keeps its id, and is no deletion).

Only files whose blob differs from REV's are read, so a pull request costs what it changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mechctl.errors import UsageError
from mechctl.git.repo import Git
from mechctl.models import Escalation, EscalationStatus, Mechanism, MechanismStatus
from mechctl.models.lifecycle import (
    TimelineAction,
    is_allowed,
    status_change_allowed,
    target_status,
)
from mechctl.services.lint.crossfile import Pending
from mechctl.services.lint.files import FOLDERS, MECHANISM
from mechctl.store.records import check_bytes

# Mechanisms only move forward: draft -> active -> retired (a draft may be retired unused).
MECHANISM_STEPS = {
    (MechanismStatus.DRAFT, MechanismStatus.ACTIVE),
    (MechanismStatus.DRAFT, MechanismStatus.RETIRED),
    (MechanismStatus.ACTIVE, MechanismStatus.RETIRED),
}


@dataclass(frozen=True)
class Current:
    """A record file in the work tree, as the engine found it."""

    rel: str
    kind: str
    blob: str
    data: bytes | None  # None: read it from disk when needed


def resolve(git: Git, rev: str) -> str:
    commit = git.commit_or_none(rev)
    if commit is None:
        raise UsageError(
            f"--base: unknown revision {rev!r}",
            hint="fetch it first (e.g. `git fetch origin main`); in GitHub Actions check out"
            " with `fetch-depth: 0`",
        )
    return commit


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def check(git: Git, root: Path, commit: str, current: list[Current]) -> list[Pending]:
    before = {
        rel: blob
        for rel, blob in git.tree_blobs(commit, list(FOLDERS)).items()
        if rel.endswith((".yaml", ".yml")) and rel.split("/", 1)[0] in FOLDERS
    }
    now_by_rel = {file.rel: file for file in current}
    now_ids = {(file.kind, _stem(file.rel)) for file in current}
    found: list[Pending] = []
    changed: list[tuple[str, str, Current]] = []
    for rel, blob in sorted(before.items()):
        kind = FOLDERS[rel.split("/", 1)[0]]
        file = now_by_rel.get(rel)
        if file is None:
            if (kind, _stem(rel)) not in now_ids:
                found.append(_deleted(rel, kind))
        elif file.blob != blob:
            changed.append((rel, blob, file))
    old = git.read_blobs([blob for _, blob, _ in changed])
    for rel, blob, file in changed:
        if blob not in old:
            continue
        data = file.data if file.data is not None else (root / rel).read_bytes()
        found += _compare(rel, file.kind, old[blob], data)
    return found


def _deleted(rel: str, kind: str) -> Pending:
    if kind == MECHANISM:
        message = (
            f"mechanism '{_stem(rel)}' was deleted; retire it instead"
            f" (`mechctl mechanism retire {_stem(rel)} --reason R`)"
        )
    else:
        message = f"escalation '{_stem(rel)}' was deleted; escalations are closed, never deleted"
    return rel, (), "deleted-record", message, ""


def _compare(rel: str, kind: str, old_bytes: bytes, new_bytes: bytes) -> Iterable[Pending]:
    model: type[Mechanism] | type[Escalation] = Mechanism if kind == MECHANISM else Escalation
    old = check_bytes(old_bytes, rel, model).model
    new = check_bytes(new_bytes, rel, model).model
    if old is None or new is None:
        return []  # an invalid side: the per-file rules report the current one
    if isinstance(old, Mechanism) and isinstance(new, Mechanism):
        return list(_mechanism(rel, old, new))
    assert isinstance(old, Escalation) and isinstance(new, Escalation)
    return list(_escalation(rel, old, new))


def _mechanism(rel: str, old: Mechanism, new: Mechanism) -> Iterable[Pending]:
    if old.status != new.status and (old.status, new.status) not in MECHANISM_STEPS:
        yield (
            rel,
            ("status",),
            "invalid-transition",
            (
                f"mechanism status went from {old.status.value} to {new.status.value};"
                " it only moves draft -> active -> retired"
            ),
            "",
        )
    old_log = [it.model_dump(mode="json") for it in old.iterations]
    new_log = [it.model_dump(mode="json") for it in new.iterations]
    if new_log[: len(old_log)] != old_log:
        yield (
            rel,
            ("iterations",),
            "unversioned-change",
            ("iterations is a log: entries recorded before were changed or removed"),
            "",
        )
    if new.version < old.version:
        yield (
            rel,
            ("version",),
            "unversioned-change",
            (f"version went down from {old.version} to {new.version}"),
            "",
        )
        return
    if old.definition() == new.definition():
        return
    if new.version == old.version:
        yield (
            rel,
            ("version",),
            "unversioned-change",
            (
                f"the definition changed but version stayed {old.version}; bump it to"
                f" {old.version + 1} with an iterations entry saying why (`mechctl mechanism set`"
                " and `edit` do both)"
            ),
            "",
        )
        return
    logged = {it.version for it in new.iterations}
    for version in range(old.version + 1, new.version + 1):
        if version not in logged:
            yield (
                rel,
                ("iterations",),
                "unversioned-change",
                (f"version {version} has no iterations entry saying why the definition changed"),
                "",
            )


def _escalation(rel: str, old: Escalation, new: Escalation) -> Iterable[Pending]:
    old_log = [entry.model_dump(mode="json") for entry in old.timeline]
    new_log = [entry.model_dump(mode="json") for entry in new.timeline]
    if new_log[: len(old_log)] != old_log:
        yield (
            rel,
            ("timeline",),
            "invalid-transition",
            ("the timeline is append-only: entries recorded before were changed or removed"),
            "",
        )
        return
    if old.status == new.status or _replayed(
        old.status, new.timeline[len(old.timeline) :], new.status
    ):
        return
    if status_change_allowed(old.status, new.status):
        return
    yield (
        rel,
        ("status",),
        "invalid-transition",
        (
            f"status went from {old.status.value} to {new.status.value}, which the escalation"
            " state machine does not allow (open -> acknowledged -> resolved -> closed; reopen"
            " from resolved or closed)"
        ),
        "",
    )


def _replayed(start: EscalationStatus, entries: Iterable[object], end: EscalationStatus) -> bool:
    """Whether the new timeline entries, one allowed step at a time, lead from start to end
    (a pull request may hold several steps: resolve, then close)."""
    status = start
    for entry in entries:
        action: TimelineAction = entry.action  # type: ignore[attr-defined]
        if action is TimelineAction.RAISED or not is_allowed(action, status):
            return False
        status = target_status(action, status)
    return status == end
