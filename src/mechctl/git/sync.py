"""Working with a remote and merging: the git layer's side for `sync` and the merge driver,
mixed into `repo.Git`."""

from __future__ import annotations

from pathlib import Path

from mechctl.git.proc import GitMixin, run_text


class SyncOps(GitMixin):
    """Methods of `Git` for remotes and merges; the runner (`run`) comes from proc.GitMixin."""

    @staticmethod
    def merge_file(cwd: Path, ours: Path, base: Path, theirs: Path) -> bool:
        """git's own line merge into `ours` (conflict markers included); True when clean."""
        proc = run_text(
            [
                "merge-file",
                "-L",
                "ours",
                "-L",
                "base",
                "-L",
                "theirs",
                str(ours),
                str(base),
                str(theirs),
            ],
            cwd,
            check=False,  # the exit status is the number of conflicts
        )
        if proc.returncode < 0 or proc.returncode > 127:
            raise proc.error()
        return proc.returncode == 0

    def remote_url(self, remote: str) -> str | None:
        proc = self.run(["remote", "get-url", remote], check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def remote_has_branch(self, remote: str, branch: str) -> bool:
        proc = self.run(["ls-remote", "--exit-code", "--heads", remote, branch], check=False)
        if proc.returncode not in (0, 2):
            raise proc.error(f"cannot reach remote {remote!r}")
        return proc.returncode == 0

    def pull_rebase(self, remote: str, branch: str) -> list[str] | None:
        """`git pull --rebase`; on a conflict, abort and return the conflicting paths."""
        head = self.head_sha() if self.has_commits() else None
        proc = self.run(
            [
                "-c",
                "rebase.autoStash=true",
                "pull",
                "--rebase",
                "--quiet",
                "--no-edit",
                remote,
                branch,
            ],
            check=False,
        )
        if proc.returncode == 0:
            return None
        in_rebase = (self.git_dir / "rebase-merge").exists() or (
            self.git_dir / "rebase-apply"
        ).exists()
        if not in_rebase:
            raise proc.error("git pull --rebase failed")
        conflicted = [
            path
            for path in self.run(
                ["diff", "--name-only", "--diff-filter=U", "-z"], check=False
            ).stdout.split("\0")
            if path
        ]
        self.run(["rebase", "--abort"], check=False)
        if head is not None and self.head_sha() != head:
            self.run(["reset", "--quiet", "--keep", head], check=False)
        return conflicted or ["(unknown)"]

    def push(self, remote: str, branch: str) -> str | None:
        """Push HEAD to remote/branch; None on success, "rejected" when the remote moved."""
        proc = self.run(["push", "--quiet", remote, f"HEAD:refs/heads/{branch}"], check=False)
        if proc.returncode == 0:
            return None
        text = proc.stderr
        if "rejected" in text or "fetch first" in text or "non-fast-forward" in text:
            return "rejected"
        raise proc.error()
