"""Reading git history in bulk: the git layer's read side, mixed into `repo.Git`.

Kept apart from repo.py (which commits) because it is a different idea: each method here is
one git process whose whole answer is parsed at once (`log -z` with a fixed format, one
`cat-file --batch` for many blobs), never a process or an object per commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mechctl.errors import GitError
from mechctl.git.proc import GitMixin

# Field and record separators that cannot occur in a subject, a name or a trailer value.
_FS, _RS = "\x1f", "\x1e"
_TRAILER = "%(trailers:key={key},valueonly,separator=%x2c)"
_FIELDS = (
    "%H",
    "%P",
    "%at",
    "%an <%ae>",
    "%s",
    _TRAILER.format(key="Mechctl-Action"),
    _TRAILER.format(key="Mechctl-Record"),
    _TRAILER.format(key="Mechctl-Reverts"),
)
_FORMAT = "%x1e" + "%x1f".join(_FIELDS)
_SIGNED_FORMAT = _FORMAT + "%x1f%G?%x1f%GS"
_NULL = "0" * 40
# `log.showSignature` would print gpg's report into the output; mechctl asks with %G? instead.
_LOG = ("--no-show-signature", "--no-color")


@dataclass(frozen=True)
class Commit:
    """One commit as `git log` describes it, with mechctl's trailers."""

    sha: str
    parents: tuple[str, ...]
    time: int  # author time, seconds since the epoch
    author: str  # `Name <email>`
    subject: str
    action: str | None  # Mechctl-Action, None for a hand edit
    record: str | None  # Mechctl-Record
    reverts: str | None = None  # Mechctl-Reverts (undo commits)
    signature: str = "N"  # %G?: G good, U good/unknown trust, B bad, E cannot check, N none…
    signer: str = ""


@dataclass(frozen=True)
class FileChange:
    """One file's change, from `--raw` output. A blob is None where the file is absent."""

    status: str  # A, M, D, R, C, T
    path: str
    old_path: str | None
    old_blob: str | None
    new_blob: str | None


@dataclass(frozen=True)
class FileCommit:
    commit: Commit
    change: FileChange


def _commit(fields: list[str]) -> Commit:
    sha, parents, time, author, subject, action, record, reverts = fields[:8]
    signature, signer = (fields[8], fields[9]) if len(fields) >= 10 else ("N", "")
    return Commit(
        sha=sha,
        parents=tuple(parents.split()),
        time=int(time or 0),
        author=author,
        subject=subject,
        action=action.strip() or None,
        record=record.strip() or None,
        reverts=reverts.strip() or None,
        signature=signature or "N",
        signer=signer,
    )


def _raw_changes(items: list[str]) -> list[FileChange]:
    """`:old-mode new-mode old-blob new-blob STATUS\\0path\\0[path\\0]` entries."""
    changes = []
    index = 0
    while index < len(items):
        head = items[index].strip()
        if not head.startswith(":"):
            index += 1
            continue
        _, _, old_blob, new_blob, status = head[1:].split(" ", 4)
        kind = status[:1]
        if kind in ("R", "C"):
            old_path, path = items[index + 1], items[index + 2]
            index += 3
        else:
            old_path, path = None, items[index + 1]
            index += 2
        changes.append(
            FileChange(
                status=kind,
                path=path,
                old_path=old_path,
                old_blob=None if old_blob == _NULL else old_blob,
                new_blob=None if new_blob == _NULL else new_blob,
            )
        )
    return changes


class HistoryReader(GitMixin):
    """Methods of `Git` that read history; the runner comes from proc.GitMixin."""

    def is_shallow(self) -> bool:
        proc = self.run(["rev-parse", "--is-shallow-repository"], check=False)
        return proc.stdout.strip() == "true"

    def file_log(self, rel: str) -> list[FileCommit]:
        """Every commit that changed `rel`, newest first, following renames: one `git log`."""
        proc = self.run(
            [
                "log",
                *_LOG,
                "--follow",
                "-z",
                "--raw",
                "--no-abbrev",
                "--diff-merges=first-parent",
                f"--format={_FORMAT}",
                "--",
                rel,
            ],
            check=False,
        )
        if proc.returncode != 0:
            if not self.has_commits():
                return []
            self.run(["log", "-1", "--", rel])  # raises with git's reason
        found = []
        for chunk in proc.stdout.split(_RS)[1:]:
            header, _, raw = chunk.partition("\0")
            changes = _raw_changes(raw.lstrip("\n").split("\0"))
            if changes:
                found.append(FileCommit(_commit(header.split(_FS)), changes[0]))
        return found

    def in_history(self, rel: str) -> bool:
        """Whether any commit reachable from HEAD ever held `rel` (a deleted record)."""
        proc = self.run(["log", *_LOG, "-1", "--format=%H", "--", rel], check=False)
        return proc.returncode == 0 and bool(proc.stdout.strip())

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Many blobs through one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        listed = ("\n".join(wanted) + "\n").encode("ascii")
        out = self.run_bytes(["cat-file", "--batch"], input=listed).stdout
        blobs: dict[str, bytes] = {}
        position = 0
        for sha in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].decode("ascii", "replace").split()
            position = end + 1
            if len(header) < 3 or header[1] == "missing":
                continue
            size = int(header[2])
            blobs[sha] = out[position : position + size]
            position += size + 1
        return blobs

    def resolve_commit(self, rev: str) -> str:
        """The full sha of a commit-ish, or git's own reason it is not one."""
        if rev.startswith("-"):
            raise GitError(f"invalid revision {rev!r}")
        proc = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
            check=False,
        )
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip()
        # `--verify` says only "Needed a single revision"; plain rev-parse says why.
        detail = self.run(["rev-parse", rev, "--"], check=False)
        if detail.returncode == 0:
            raise GitError(f"'{rev}' is not a commit")
        raise detail.error(alone=True, fallback=f"bad revision '{rev}'")

    def merge_base(self, a: str, b: str) -> str:
        proc = self.run(["merge-base", a, b], check=False)
        if proc.returncode != 0 or not proc.stdout.strip():
            raise proc.error(alone=True, fallback=f"'{a}' and '{b}' have no common ancestor")
        return proc.stdout.split()[0]

    def raw_diff(self, old: str, new: str | None, paths: Sequence[str]) -> list[FileChange]:
        """Changed files between two commits, or between `old` and the working tree
        (`new` None: the new blob is then None, read the file instead). No rename detection:
        two records with similar text are still two records."""
        args = ["diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", old]
        if new is not None:
            args.append(new)
        proc = self.run([*args, "--", *paths])
        changes = _raw_changes(proc.stdout.split("\0"))
        if new is None:
            # For the working tree git shows the null id; it means "read the file".
            changes = [FileChange(c.status, c.path, c.old_path, c.old_blob, None) for c in changes]
        return changes

    def status_codes(self, rels: Sequence[str]) -> dict[str, str]:
        """`git status` XY codes of those paths that have uncommitted changes:
        X is the index against HEAD, Y the work tree against the index; `??` untracked,
        `!!` ignored (git would overwrite an ignored file without a word)."""
        if not rels:
            return {}
        proc = self.run(
            [
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--ignored",
                "--no-renames",
                "--",
                *rels,
            ]
        )
        return {entry[3:]: entry[:2] for entry in proc.stdout.split("\0") if len(entry) > 3}

    def untracked(self, paths: Sequence[str]) -> list[str]:
        proc = self.run(["ls-files", "-z", "--others", "--exclude-standard", "--", *paths])
        return [item for item in proc.stdout.split("\0") if item]

    def commit_info(self, rev: str = "HEAD") -> tuple[Commit, list[FileChange]]:
        """One commit and the files it changed against its first parent."""
        proc = self.run(
            [
                "log",
                *_LOG,
                "-1",
                "-z",
                "--raw",
                "--no-abbrev",
                "--diff-merges=first-parent",
                "-M",
                f"--format={_FORMAT}",
                rev,
                "--",
            ]
        )
        header, _, raw = proc.stdout.lstrip(_RS).partition("\0")
        return _commit(header.split(_FS)), _raw_changes(raw.lstrip("\n").split("\0"))

    def signed_log(
        self, paths: Sequence[str], since: int | None = None
    ) -> tuple[list[tuple[Commit, list[str]]], list[str]]:
        """Commits that touched `paths`, newest first, with the files and signature status;
        and what git said on stderr (e.g. that signatures cannot be checked)."""
        # --no-renames: a rename touched two records' files, and both are named.
        args = [
            "log",
            *_LOG,
            "-z",
            "--name-only",
            "--no-renames",
            "--diff-merges=first-parent",
            f"--format={_SIGNED_FORMAT}",
        ]
        if since is not None:
            args.append(f"--since=@{since}")
        proc = self.run([*args, "--", *paths])
        found = []
        for chunk in proc.stdout.split(_RS)[1:]:
            header, _, names = chunk.partition("\0")
            files = [name.strip("\n") for name in names.split("\0") if name.strip("\n")]
            found.append((_commit(header.split(_FS)), files))
        notes = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        return found, list(dict.fromkeys(notes))
