"""`mechctl sync`: `git pull --rebase`, then `git push`, again while someone else pushed first.

A rebase that stops on a conflict is aborted at once, so the repository is exactly as it was
before the sync; the conflicting records are named. With the merge driver set up
(`mechctl init` writes `.gitattributes`; `mechctl doctor` checks the clone), concurrent edits
to one record merge field by field and rarely conflict.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from mechctl.errors import GitError, MechctlError, UsageError
from mechctl.services.core.context import Workspace

ATTEMPTS = 8


class SyncConflictError(MechctlError):
    """The remote holds changes that conflict with ours; nothing was changed."""


@dataclass
class SyncResult:
    remote: str
    branch: str
    attempts: int
    pushed: bool


def sync(ws: Workspace, remote: str | None = None, attempts: int = ATTEMPTS) -> SyncResult:
    git = ws.git
    remote = remote or ws.config.sync.remote
    with git.lock():
        git.check_can_commit()
        ref = git.head_ref() or ""
        branch = ref.removeprefix("refs/heads/")
        if git.remote_url(remote) is None:
            raise UsageError(
                f"no remote {remote!r} in this repository",
                hint=f"add one with `git remote add {remote} URL`, or set sync.remote",
            )
        if not git.has_commits():
            raise MechctlError("nothing to sync: the repository has no commits yet")
        for attempt in range(1, attempts + 1):
            if git.remote_has_branch(remote, branch):
                conflicted = git.pull_rebase(remote, branch)
                if conflicted is not None:
                    raise SyncConflictError(
                        f"sync stopped: {', '.join(conflicted)} changed here and on"
                        f" {remote}/{branch} in ways that do not merge; nothing was changed",
                        hint="pull and resolve by hand (`git pull --rebase`), or check that"
                        " the merge driver is set up (`mechctl doctor`)",
                    )
            outcome = git.push(remote, branch)
            if outcome is None:
                return SyncResult(remote, branch, attempt, pushed=True)
            # Someone pushed between our pull and our push: back off a little, then again.
            time.sleep(random.uniform(0.05, 0.2) * attempt)
        raise GitError(
            f"gave up after {attempts} attempts: {remote}/{branch} kept moving during the sync",
            hint="run `mechctl sync` again",
        )
