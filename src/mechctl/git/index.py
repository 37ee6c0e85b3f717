"""What the record index and lint ask of git: what differs from git's index, blob ids of
trees, commits, trailer dates. Mixed into `repo.Git`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mechctl.git.proc import GitMixin


class IndexReader(GitMixin):
    """Methods of `Git` for lint; the runner comes from proc.GitMixin."""

    def record_changes(
        self, paths: Sequence[str], *, staged: bool, untracked: bool
    ) -> RecordChanges:
        """Start reading what the record index needs (services/core/index/): the files
        whose stat data differ from git's index, and, when asked, git's index itself and the
        untracked files (ignored ones too: listings read the work tree). `.collect()` waits."""
        return RecordChanges(self, paths, staged=staged, untracked=untracked)

    def commit_or_none(self, rev: str) -> str | None:
        """The commit a revision names, or None when it names none."""
        if rev.startswith("-"):
            return None
        proc = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            check=False,
        )
        return (proc.stdout.strip() or None) if proc.returncode == 0 else None

    def tree_blobs(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """rel -> blob id of the files under `paths` at a revision."""
        found: dict[str, str] = {}
        out = self.run_bytes(["ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths]).stdout
        for entry in out.split(b"\0"):
            meta, _, rel = entry.partition(b"\t")
            parts = meta.split(b" ")
            if len(parts) == 3 and parts[1] == b"blob":
                found[rel.decode("utf-8", "surrogateescape")] = parts[2].decode()
        return found

    def trailer_dates(self, action: str) -> dict[str, str]:
        """record -> author date (YYYY-MM-DD) of the latest commit with the trailers
        `Mechctl-Action: <action>` and `Mechctl-Record: <record>`, in one `git log`."""
        if not self.has_commits():
            return {}
        out = self.run(
            [
                "log",
                "-z",
                "--fixed-strings",
                f"--grep=Mechctl-Action: {action}",
                "--format=%as%x1f%(trailers:key=Mechctl-Action,valueonly,separator=%x1e)"
                "%x1f%(trailers:key=Mechctl-Record,valueonly,separator=%x1e)",
            ]
        ).stdout
        found: dict[str, str] = {}
        for entry in out.split("\0"):
            fields = entry.strip("\n").split("\x1f")
            if len(fields) != 3 or fields[1].strip() != action:
                continue
            record = fields[2].strip()
            if record and record not in found:  # newest first: keep the latest
                found[record] = fields[0]
        return found


def _entries(text: str) -> Iterator[tuple[str, str | None, str]]:
    """(mode, blob id, path) of each entry of `git ls-files -s -z`; the blob id is None for
    an entry of another stage than 0 (a conflict), which the callers count as changed."""
    for entry in text.split("\0"):
        meta, _, rel = entry.partition("\t")
        fields = meta.split(" ")
        if len(fields) == 3:
            yield fields[0], (fields[1] if fields[2] == "0" else None), rel


# What differs from git's index by stat data; cli/fastpath.py starts it early (git/proc.py).
DIRTY = ("diff-files", "--name-only", "-z", "--")


class RecordChanges:
    """Up to three git processes, side by side: `diff-files` (what differs from git's
    index by stat data, deleted files included), and, when asked, `ls-files -s` and
    `ls-files -o`. Paths come back as git prints them, relative to the root."""

    def __init__(
        self, git: GitMixin, paths: Sequence[str], *, staged: bool, untracked: bool
    ) -> None:
        commands = {"dirty": list(DIRTY)}
        if staged:
            commands["staged"] = ["ls-files", "-s", "-z", "--"]
        if untracked:
            commands["untracked"] = ["ls-files", "-o", "-z", "--"]
        self.running = {name: git.start(args + list(paths)) for name, args in commands.items()}

    def collect(self) -> tuple[list[str], list[tuple[str, str, str]] | None, list[str] | None]:
        """(dirty paths, [(mode, blob id, path)] at stage 0 or None, untracked or None);
        an entry of another stage (a conflict) comes back as dirty."""
        done = {name: proc.wait(check=False) for name, proc in self.running.items()}
        out = {
            name: proc.check().stdout.decode("utf-8", "surrogateescape")
            for name, proc in done.items()
        }
        dirty = [rel for rel in out["dirty"].split("\0") if rel]
        staged: list[tuple[str, str, str]] | None = None
        if "staged" in out:
            staged = []
            for mode, blob, rel in _entries(out["staged"]):
                if blob is None:
                    dirty.append(rel)
                else:
                    staged.append((mode, blob, rel))
        untracked = None
        if "untracked" in out:
            untracked = [rel for rel in out["untracked"].split("\0") if rel]
        return dirty, staged, untracked
