"""`mechctl undo`: revert the last mechctl commit, as a new commit (never a history rewrite).

HEAD must be a mechctl commit (it carries a `Mechctl-Action` trailer). The revert goes through
`git revert --no-commit` and then `git commit`, both the git CLI, so hooks and signing apply;
the commit says `undo: <original subject>` with trailers `Mechctl-Action: undo`, the original
`Mechctl-Record` and `Mechctl-Reverts: <sha>`. Undoing an undo is allowed: it is a redo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mechctl.errors import CommitFailedError, GitError, MechctlError
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import message, push_if_wanted

UNDO_ACTION = "undo"


class UndoRefusedError(MechctlError):
    """Undo would revert the wrong thing or lose the user's work."""


@dataclass(frozen=True)
class UndoPlan:
    sha: str
    subject: str
    action: str
    record: str | None
    author: str
    date: datetime
    files: tuple[str, ...]  # every path the commit touched (both sides of a rename)

    @property
    def redo(self) -> bool:
        return self.action == UNDO_ACTION


def _short(sha: str) -> str:
    return sha[:10]


def plan(ws: Workspace) -> UndoPlan:
    """What `undo` would revert, or the reason it will not."""
    if not ws.git.has_commits():
        raise UndoRefusedError("the repository has no commits; there is nothing to undo")
    commit, changes = ws.git.commit_info("HEAD")
    where = f"HEAD ({_short(commit.sha)} {commit.subject!r})"
    if commit.action is None:
        raise UndoRefusedError(
            f"{where} is not a mechctl commit (it has no Mechctl-Action trailer); undo only"
            " reverts mechctl's own last change",
            hint="to revert another commit, use `git revert <commit>`",
        )
    if len(commit.parents) > 1:
        raise UndoRefusedError(f"{where} is a merge commit; undo reverts single changes only")
    if not commit.parents:
        raise UndoRefusedError(
            f"{where} is the repository's first commit; there is nothing before it to go back to"
        )
    files = sorted({c.path for c in changes} | {c.old_path for c in changes if c.old_path})
    if not files:
        raise UndoRefusedError(f"{where} changes no files; there is nothing to undo")
    found = UndoPlan(
        sha=commit.sha,
        subject=commit.subject,
        action=commit.action,
        record=commit.record,
        author=commit.author,
        date=datetime.fromtimestamp(commit.time, UTC),
        files=tuple(files),
    )
    _check_unchanged(ws, found)
    return found


def _check_unchanged(ws: Workspace, planned: UndoPlan) -> None:
    """The record must be as the commit left it: no staged, unstaged or untracked edits."""
    codes = ws.git.status_codes(planned.files)
    for rel in planned.files:
        code = codes.get(rel)
        if code is None:
            continue
        if code[0] not in " ?!":
            raise UndoRefusedError(
                f"{rel} has staged changes; undo will not mix them into its commit",
                hint=f"commit them, or unstage them with `git restore --staged {rel}`",
            )
        raise UndoRefusedError(
            f"the record changed since {_short(planned.sha)}: {rel} has uncommitted edits that"
            " undo would overwrite",
            hint="commit or stash them first (`git stash push -- <file>`)",
        )


def undo_message(planned: UndoPlan) -> str:
    body = f"Reverts {planned.sha} ({planned.action})."
    text = message(f"undo: {planned.subject}", UNDO_ACTION, planned.record or "-", body=body)
    return text + f"Mechctl-Reverts: {planned.sha}\n"


def undo(ws: Workspace, planned: UndoPlan) -> str:
    """Revert the planned commit; returns the new commit's sha. Nothing is lost on failure."""
    git = ws.git
    with git.lock():
        git.check_can_commit()
        _ = ws.identity  # no identity, no commit: fail before touching anything
        if git.head_sha() != planned.sha:
            raise UndoRefusedError(
                f"HEAD moved while undo was waiting (it is no longer {_short(planned.sha)});"
                " nothing was changed",
                hint="run `mechctl undo` again to see what it would undo now",
            )
        _check_unchanged(ws, planned)
        only = not git.nothing_staged()
        try:
            git.revert_no_commit(planned.sha)
        except GitError as exc:
            git.abandon_revert(planned.files)
            raise UndoRefusedError(
                f"cannot undo {_short(planned.sha)}: git could not revert it ({exc});"
                " nothing was changed"
            ) from None
        try:
            git.commit_staged(planned.files, undo_message(planned), only=only)
        except BaseException as exc:
            if not (isinstance(exc, KeyboardInterrupt) and git.head_sha() != planned.sha):
                git.abandon_revert(planned.files)
            if isinstance(exc, GitError):
                raise CommitFailedError(str(exc), None, "mechctl undo --yes") from None
            raise
        sha = git.head_sha()
    push_if_wanted(ws)
    return sha
