"""Everything mechctl asks of git; every git failure becomes a mechctl error (docs/design.md §7).

Commits go through the git CLI so the user's hooks, `commit.gpgsign` and identity apply
(docs/design.md §5). Every process goes through `git.proc`, the one runner. Reading history
(log.py), remotes and merging (sync.py) and lint's index reads (index.py) are mixed in from
their own modules; this one holds state, commits and locks. GitPython is imported here only,
lazily (see `repository_settings`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mechctl import derived
from mechctl.errors import (
    GitError,
    LockBusyError,
    NotARepositoryError,
    RepositoryStateError,
)
from mechctl.git.index import IndexReader
from mechctl.git.log import HistoryReader
from mechctl.git.proc import Finished, run_text
from mechctl.git.sync import SyncOps

_INDEX_LOCK_WAIT = float(os.environ.get("MECHCTL_INDEX_LOCK_WAIT", "10"))
_MECHCTL_LOCK_WAIT = float(os.environ.get("MECHCTL_LOCK_WAIT", "120"))


def identity_at(cwd: Path) -> str:
    """`Name <email>` from git's configuration (or GIT_AUTHOR_* in the environment)."""
    # Exit status 1 means neither is set, which the check below reports.
    proc = run_text(["config", "-z", "--get-regexp", r"^user\.(name|email)$"], cwd, check=False)
    values: dict[str, str] = {}
    for item in proc.stdout.split("\0"):
        if "\n" in item:
            key, value = item.split("\n", 1)
            values[key] = value
    name = os.environ.get("GIT_AUTHOR_NAME") or values.get("user.name", "")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or values.get("user.email", "")
    missing = [k for k, v in (("user.name", name), ("user.email", email)) if not v.strip()]
    if missing:
        example = {"user.name": '"Your Name"', "user.email": "you@example.com"}
        fix = " && ".join(f"git config --global {key} {example[key]}" for key in missing)
        raise RepositoryStateError(
            f"git identity is not set ({', '.join(missing)} missing); mechctl records who"
            " made each change",
            hint=f"run: {fix}",
        )
    return f"{name.strip()} <{email.strip()}>"


@dataclass
class Git(HistoryReader, SyncOps, IndexReader):
    """One repository's work tree, seen through the git CLI (history reads: log.py)."""

    root: Path
    git_dir: Path
    common_dir: Path

    @classmethod
    def discover(cls, start: Path) -> Git:
        if not start.is_dir():
            raise NotARepositoryError(start)
        proc = run_text(
            [
                "rev-parse",
                "--path-format=absolute",
                "--show-toplevel",
                "--git-dir",
                "--git-common-dir",
            ],
            start,
            check=False,
        )
        lines = proc.stdout.splitlines()
        if proc.returncode != 0:
            raise NotARepositoryError(start)
        if len(lines) != 3:
            raise proc.error(alone=True, fallback="git rev-parse gave no work tree")
        top, git_dir, common = (Path(line) for line in lines)
        return cls(root=top, git_dir=git_dir, common_dir=common)

    @staticmethod
    def init(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        run_text(["init", "--quiet"], path)

    # -- running -------------------------------------------------------------------------

    # `run`, `run_bytes` and `start` (the runner at the root) come from proc.GitMixin.

    def run_index(
        self, args: Sequence[str], *, input: str | None = None, check: bool = True
    ) -> Finished[str]:
        """Run a command that takes `index.lock`, retrying with backoff while it is busy."""
        deadline = time.monotonic() + _INDEX_LOCK_WAIT
        delay = 0.02
        while True:
            proc = self.run(args, input=input, check=False)
            busy = proc.returncode != 0 and "index.lock" in (proc.stderr or "")
            if not busy:
                break
            if time.monotonic() >= deadline:
                raise LockBusyError(
                    f"git's index is locked ({self.git_dir / 'index.lock'} exists); another git"
                    " process is running, or one crashed: if none is running, remove that file"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        return proc.check() if check else proc

    # -- state ---------------------------------------------------------------------------

    def identity(self) -> str:
        return identity_at(self.root)

    def head_ref(self) -> str | None:
        """The branch HEAD points at, or None when detached."""
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return head[5:].strip() if head.startswith("ref:") else None

    def has_commits(self) -> bool:
        return (
            self.run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).returncode == 0
        )

    def check_can_commit(self) -> None:
        """Refuse where a commit would land somewhere the user does not expect."""
        if self.head_ref() is None:
            raise RepositoryStateError(
                "HEAD is detached; mechctl commits only on a branch",
                hint="run `git switch <branch>` (or `git switch -c <new-branch>`) first",
            )
        busy = {
            "MERGE_HEAD": "a merge",
            "rebase-merge": "a rebase",
            "rebase-apply": "a rebase",
            "CHERRY_PICK_HEAD": "a cherry-pick",
            "REVERT_HEAD": "a revert",
        }
        for marker, what in busy.items():
            if (self.git_dir / marker).exists():
                raise RepositoryStateError(
                    f"{what} is in progress; finish or abort it before mechctl commits",
                    hint=f"run `git status` to see where {what} stands",
                )

    def changed(self, rels: Sequence[str]) -> list[str]:
        """Which of these paths have uncommitted changes (staged, unstaged or untracked)."""
        if not rels:
            return []
        proc = self.run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *rels])
        entries = [entry for entry in proc.stdout.split("\0") if entry]
        return [entry[3:] for entry in entries if len(entry) > 3]

    def nothing_staged(self) -> bool:
        """Whether the index matches HEAD: the user has nothing staged."""
        return self._nothing_else_staged()

    def _nothing_else_staged(self) -> bool:
        proc = self.run(["diff-index", "--cached", "--quiet", "HEAD", "--"], check=False)
        if proc.returncode in (0, 1):
            return proc.returncode == 0
        # No HEAD yet: the index itself is what would be committed.
        return not self.run(["ls-files", "--cached", "-z"]).stdout

    # -- committing ----------------------------------------------------------------------

    def commit(self, rels: Sequence[str], message: str) -> None:
        """Commit exactly `rels`, leaving whatever else the user staged as it was.

        When nothing else is staged, a plain commit of the index is the same commit and half
        the cost of `--only`, which builds a second index.
        """
        plain = self._nothing_else_staged()
        self.run_index(["add", "--", *rels])
        args = ["commit", "--quiet", "--cleanup=whitespace", "--file=-"]
        if not plain:
            args += ["--only", "--", *rels]
        proc = self.run_index(args, input=message, check=False)
        if proc.returncode != 0:
            raise proc.error(alone=True)

    def unstage(self, rels: Sequence[str]) -> None:
        """Put the index entries of `rels` back to what HEAD has (or remove new ones)."""
        if self.has_commits():
            self.run_index(["reset", "--quiet", "--", *rels], check=False)
        else:
            self.run_index(
                ["rm", "--cached", "--quiet", "--ignore-unmatch", "--", *rels], check=False
            )

    def editor(self) -> str:
        """The editor git would use: GIT_EDITOR, core.editor, VISUAL, EDITOR, then vi."""
        return self.run(["var", "GIT_EDITOR"]).stdout.strip() or "vi"

    def head_sha(self) -> str:
        return self.run(["rev-parse", "HEAD"]).stdout.strip()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise mechctl's own mutations. flock is released by the kernel if we die."""
        where = derived.path(self.common_dir, "lock")
        where.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + _MECHCTL_LOCK_WAIT
            delay = 0.01
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusyError(
                            "another mechctl command is changing this repository; try again"
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 1.5, 0.2)
            yield
        finally:
            os.close(handle)

    # -- reading -------------------------------------------------------------------------

    def blob_ids(self, folder: str) -> dict[str, str | None]:
        """Files under `folder` -> their git blob id, as git's index knows them.

        None for a file whose work-tree bytes the index does not describe (modified or
        untracked): the caller hashes those itself. Three cheap calls, no file reads.
        """
        found: dict[str, str | None] = {}
        staged = self.run(["ls-files", "-s", "-z", "--", folder]).stdout
        for entry in staged.split("\0"):
            if "\t" in entry:
                meta, path = entry.split("\t", 1)
                parts = meta.split()
                if len(parts) == 3 and parts[2] == "0":
                    found[path] = parts[1]
        changed = self.run(["diff-files", "--name-only", "-z", "--", folder]).stdout
        others = self.run(["ls-files", "-o", "--exclude-standard", "-z", "--", folder]).stdout
        for path in changed.split("\0") + others.split("\0"):
            if path:
                found[path] = None
        return found

    def activation_dates(self) -> dict[str, date]:
        """Mechanism id -> the date of its latest `mechanism.activate` commit (one git call)."""
        if not self.has_commits():
            return {}
        proc = self.run(
            [
                "log",
                "-z",
                "--format=%cs%x00%(trailers:key=Mechctl-Record,valueonly,separator=)",
                "--grep=^Mechctl-Action: mechanism.activate$",
                "--",
                "mechanisms/",
            ]
        )
        found: dict[str, date] = {}
        fields = proc.stdout.split("\0")
        for day, record in zip(fields[0::2], fields[1::2], strict=False):
            record = record.strip()
            if record and record not in found:
                found[record] = date.fromisoformat(day.strip())
        return found

    def repository_settings(self) -> dict[str, str | None]:
        """The clone's own settings `mechctl doctor` looks at, read with GitPython.

        GitPython is imported here only, lazily: its import costs ~150 ms, so the commands
        that must be fast (escalate, lint, list) use the git CLI, which also applies hooks and
        signing to commits. For reading a clone's configuration its API fits well.
        """
        import git

        wanted = {
            "merge.mechctl.driver": ('merge "mechctl"', "driver"),
            "core.hooksPath": ("core", "hooksPath"),
        }
        try:
            with git.Repo(self.root) as repo:
                reader = repo.config_reader("repository")
                return {
                    name: str(reader.get_value(section, option, default="")) or None
                    for name, (section, option) in wanted.items()
                }
        except (git.exc.GitError, OSError) as exc:
            raise GitError(f"cannot read the repository's settings: {exc}") from None

    def show(self, rev: str, rel: str) -> bytes | None:
        """A file's bytes at a revision, or None when it is not there."""
        proc = self.run_bytes(["show", f"{rev}:{rel}"], check=False)
        return proc.stdout if proc.returncode == 0 else None

    # -- reverting (undo) ----------------------------------------------------------------

    def revert_no_commit(self, sha: str) -> None:
        """Apply the reverse of `sha` to the index and work tree, without committing."""
        proc = self.run_index(["revert", "--no-commit", sha], check=False)
        if proc.returncode != 0:
            raise proc.error(alone=True)

    def commit_staged(self, rels: Sequence[str], message: str, *, only: bool) -> None:
        """Commit what the index holds for `rels` (already staged, deletions included).
        `only`: the user has other staged work, which must stay staged and out of it."""
        args = ["commit", "--quiet", "--cleanup=whitespace", "--file=-"]
        if only:
            args += ["--only", "--", *rels]
        proc = self.run_index(args, input=message, check=False)
        if proc.returncode != 0:
            raise proc.error(alone=True)

    def abandon_revert(self, rels: Sequence[str]) -> None:
        """Put `rels` back to HEAD in the index and work tree, and forget the revert."""
        in_head = set(
            self.run(["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *rels]).stdout.split("\0")
        )
        self.run_index(["reset", "--quiet", "HEAD", "--", *rels], check=False)
        kept = [rel for rel in rels if rel in in_head]
        if kept:
            self.run_index(["checkout", "HEAD", "--", *kept], check=False)
        for rel in rels:
            if rel not in in_head:
                (self.root / rel).unlink(missing_ok=True)
        self.run(["revert", "--quit"], check=False)
