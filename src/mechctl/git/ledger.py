"""The delivery record of `mechctl notify`: a ref of its own, `refs/mechctl/notify`, shared
through the remote like a branch (docs/design.md §4, "Notifications").

Each commit on the ref adds JSON lines to one file per month (`2026-12.jsonl`); a key's last
line is its state. The ref only moves by compare-and-swap: `git update-ref NEW OLD` in a clone
without a remote, `git push --force-with-lease=REF:OLD` with one. The remote's ref update is
atomic, so of two runs that claim the same delivery at the same time exactly one wins; the
other reads the winner's record and leaves that delivery alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mechctl.errors import GitError
from mechctl.git.repo import Git

REF = "refs/mechctl/notify"
_ZERO = "0" * 40


@dataclass
class Tip:
    """The record as one commit of the ref holds it (sha None: nothing recorded yet)."""

    sha: str | None
    entries: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # month file -> blob id

    def states(self) -> dict[str, dict[str, Any]]:
        """key -> its latest entry."""
        latest: dict[str, dict[str, Any]] = {}
        for entry in self.entries:
            key = entry.get("key")
            if isinstance(key, str):
                latest[key] = entry
        return latest


class Ledger:
    def __init__(self, git: Git, remote: str | None) -> None:
        self.git = git
        self.remote = remote
        # The sha the remote had when last read ('' when it had no ledger): the lease.
        self._lease: str | None = None

    # -- reading -------------------------------------------------------------------------

    def local_sha(self) -> str | None:
        proc = self.git.run(["rev-parse", "-q", "--verify", f"{REF}^{{commit}}"], check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.strip() or None

    def _remote_sha(self) -> str | None:
        assert self.remote is not None
        proc = self.git.run(["ls-remote", "--refs", self.remote, REF], check=False)
        if proc.returncode != 0:
            raise GitError(
                f"cannot read the delivery record on remote {self.remote!r}: {proc.reason()}"
            )
        for line in proc.stdout.splitlines():
            sha, _, name = line.partition("\t")
            if name.strip() == REF:
                return sha.strip()
        return None

    def read(self, *, mirror: bool = True) -> Tip:
        """The current record: the remote's when there is a remote (fetched), else this
        clone's. `mirror`: point this clone's ref at what was read (never in --dry-run)."""
        if self.remote is None:
            return self._tip(self.local_sha())
        remote_sha = self._remote_sha()
        self._lease = remote_sha or ""
        if remote_sha is None:
            return self._tip(self.local_sha())  # a record made before the remote existed
        if not self._has(remote_sha):
            self.git.run(["fetch", "--quiet", "--no-tags", self.remote, REF])
        if mirror:
            self.git.run(["update-ref", REF, remote_sha])
        return self._tip(remote_sha)

    def _has(self, sha: str) -> bool:
        proc = self.git.run(["cat-file", "-e", f"{sha}^{{commit}}"], check=False)
        return proc.returncode == 0

    def _tip(self, sha: str | None) -> Tip:
        if sha is None:
            return Tip(None)
        listed = self.git.run(["ls-tree", "-z", sha]).stdout
        files: dict[str, str] = {}
        for item in listed.split("\0"):
            meta, _, name = item.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob" and name.endswith(".jsonl"):
                files[name] = parts[2]
        blobs = self.git.read_blobs(files.values())
        entries: list[dict[str, Any]] = []
        for name in sorted(files):
            entries.extend(_parse(blobs.get(files[name], b"")))
        return Tip(sha, entries, files)

    # -- writing -------------------------------------------------------------------------

    def append(self, tip: Tip, entries: list[dict[str, Any]], message: str, when: datetime) -> bool:
        """Add `entries` on top of `tip`; False when someone else moved the ref first (read
        again and retry)."""
        name = when.strftime("%Y-%m.jsonl")
        old = (
            self.git.read_blobs([tip.files[name]]).get(tip.files[name], b"")
            if name in tip.files
            else b""
        )
        if old and not old.endswith(b"\n"):
            old += b"\n"
        added = "".join(json.dumps(entry, sort_keys=True) + "\n" for entry in entries)
        blob = self.git.run(
            ["hash-object", "-w", "--stdin"], input=old.decode("utf-8", "replace") + added
        ).stdout.strip()
        files = {**tip.files, name: blob}
        tree_input = "".join(f"100644 blob {sha}\t{rel}\n" for rel, sha in sorted(files.items()))
        tree = self.git.run(["mktree"], input=tree_input).stdout.strip()
        args = ["commit-tree", tree, "-F", "-"]
        if tip.sha is not None:
            args += ["-p", tip.sha]
        commit = self.git.run(args, input=message + "\n").stdout.strip()
        if self.remote is None:
            proc = self.git.run(["update-ref", REF, commit, tip.sha or _ZERO], check=False)
            return proc.returncode == 0
        lease = self._lease if self._lease is not None else (tip.sha or "")
        proc = self.git.run(
            [
                "push",
                "--quiet",
                "--porcelain",
                f"--force-with-lease={REF}:{lease}",
                self.remote,
                f"{commit}:{REF}",
            ],
            check=False,
        )
        if proc.returncode != 0:
            text = proc.stdout + proc.stderr
            if "stale info" in text or "rejected" in text or "fetch first" in text:
                return False
            raise GitError(
                f"cannot update the delivery record on remote {self.remote!r}: {proc.reason()}"
            )
        self._lease = commit
        self.git.run(["update-ref", REF, commit])
        return True


def _parse(data: bytes) -> Iterator[dict[str, Any]]:
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a damaged line never hides the others
        if isinstance(entry, dict):
            yield entry


def delivered_for(git: Git, record: str) -> list[dict[str, Any]]:
    """This clone's record of deliveries about one record, oldest first (no network)."""
    ledger = Ledger(git, None)
    sha = ledger.local_sha()
    if sha is None:
        return []
    return [
        entry
        for entry in ledger._tip(sha).entries
        if entry.get("record") == record and entry.get("state") == "delivered"
    ]


def keys(entries: Iterable[dict[str, Any]]) -> set[str]:
    return {str(entry["key"]) for entry in entries if "key" in entry}
