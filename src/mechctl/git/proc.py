"""Running one git command: the process, its output, and the one line that says why it failed.

Shared by the git layer's modules (gitrepo, gitsync, gitindex); nothing else runs git.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mechctl.errors import GitError


def _reason(proc: subprocess.CompletedProcess[str]) -> str:
    """The most telling line of what git (or a hook) printed."""
    lines = [
        line.strip()
        for line in (proc.stderr or "").splitlines() + (proc.stdout or "").splitlines()
        if line.strip() and not line.lower().startswith("hint:")
    ]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = (fatal or lines or [f"git exited with status {proc.returncode}"])[0]
    for prefix in ("fatal: ", "error: "):
        chosen = chosen.removeprefix(prefix)
    return chosen[:300]


def _run(
    args: Sequence[str],
    cwd: Path,
    *,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    try:
        child = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    try:
        out, err = child.communicate(input)
    except KeyboardInterrupt:
        # Let git finish rather than kill it mid-write (a killed git leaves index.lock
        # behind); the caller then sees whether the change landed.
        child.communicate()
        raise
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


class GitMixin:
    """What the git layer's mixins (gitlog, gitsync, gitindex) use of `gitrepo.Git`, declared
    once for type checkers; `Git` provides each of these."""

    root: Path
    git_dir: Path

    if TYPE_CHECKING:

        def run(
            self,
            args: Sequence[str],
            *,
            input: str | None = None,
            check: bool = True,
            env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]: ...

        def head_sha(self) -> str: ...

        def has_commits(self) -> bool: ...
