"""The one way mechctl runs git: a process, its output, and the one line that says why it failed.

Every git command mechctl runs starts here (docs/design.md §7), in one of three forms:

- `run`: run to the end and keep the output as bytes (`cat-file --batch`, `ls-files -z`);
- `run_text`: the same, decoded as UTF-8 (undecodable bytes replaced), for everything else;
- `start` then `Running.wait`: several processes side by side (lint's index reads).

So the three things that can go wrong are handled here once: git is not on PATH, git exits
non-zero (`Finished.check`, `Finished.error`), and which of git's lines says why (`reason`).
Kept cheap to import (the warm `lint` and `escalate` paths load it): standard library only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, AnyStr, Generic

from mechctl.errors import GitError

NOT_INSTALLED = "git is not installed or not on PATH"
# How much of stdout a failure's reason looks at: a failed `cat-file --batch` may have
# printed megabytes of blobs before it stopped, and the reason is near the start if at all.
_REASON_SCAN = 65536
# Options that git takes before the command name, each followed by a value.
_GLOBAL_WITH_VALUE = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace"})


def _text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def verb(args: Sequence[str]) -> str:
    """The git command in `args` (`pull` in `-c rebase.autoStash=true pull --rebase`)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return args[0] if args else "git"


class Finished(Generic[AnyStr]):
    """One git process that has exited: `Finished[bytes]` from `run`, `Finished[str]` from
    `run_text`. The fields are those of `subprocess.CompletedProcess`, which it replaces.
    (A plain class: a frozen dataclass costs a third of a millisecond at import, on the
    `escalate` path.)"""

    __slots__ = ("args", "returncode", "stderr", "stdout")
    args: tuple[str, ...]  # what followed `git`
    returncode: int
    stdout: AnyStr
    stderr: AnyStr

    def __init__(
        self, args: tuple[str, ...], returncode: int, stdout: AnyStr, stderr: AnyStr
    ) -> None:
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return (
            f"Finished(args={self.args!r}, returncode={self.returncode},"
            f" stdout={self.stdout!r:.200}, stderr={self.stderr!r:.200})"
        )

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def text(self: Finished[bytes]) -> Finished[str]:
        """The same run with its output decoded (UTF-8; a byte that is not becomes U+FFFD).

        No newline translation: a path or a subject holding a carriage return keeps it.
        """
        return Finished(self.args, self.returncode, _text(self.stdout), _text(self.stderr))

    def reason(self, fallback: str | None = None) -> str:
        """The most telling line of what git (or a hook) printed: a `fatal:` or `error:` line
        (without that prefix); else `fallback` when given; else the first line that is not a
        `hint:`; else the exit status."""
        printed = _text(self.stderr).splitlines() + _text(self.stdout[:_REASON_SCAN]).splitlines()
        lines = [
            line.strip()
            for line in printed
            if line.strip() and not line.lstrip().lower().startswith("hint:")
        ]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        if fatal:
            chosen = fatal[0].split(":", 1)[1].lstrip()
        elif fallback is not None:
            chosen = fallback
        elif lines:
            chosen = lines[0]
        else:
            chosen = f"git exited with status {self.returncode}"
        return chosen[:300]

    def error(
        self, what: str | None = None, *, alone: bool = False, fallback: str | None = None
    ) -> GitError:
        """The `GitError` that says this run failed: `WHAT: REASON`, where WHAT is by default
        `git VERB failed`; `alone`: git's reason by itself, for a refusal that is already the
        whole story (a hook that rejected a commit, a revision that names nothing)."""
        reason = self.reason(fallback)
        if alone:
            return GitError(reason)
        return GitError(f"{what or f'git {verb(self.args)} failed'}: {reason}")

    def check(self) -> Finished[AnyStr]:
        """This run, or its `error()` when git exited non-zero."""
        if self.returncode != 0:
            raise self.error()
        return self


class Running:
    """A git process that has been started and not yet waited for (`start`)."""

    def __init__(
        self, args: tuple[str, ...], child: subprocess.Popen[bytes], input: bytes | None
    ) -> None:
        self.args = args
        self._child = child
        self._input = input

    def stop(self) -> None:
        """Kill it and wait: a command started early that nobody will read."""
        self._child.kill()
        self._child.communicate()

    def wait(self, *, check: bool = True) -> Finished[bytes]:
        """Feed the input, read all output, and wait for git to exit."""
        try:
            out, err = self._child.communicate(self._input)
        except KeyboardInterrupt:
            # Let git finish rather than kill it mid-write (a killed git leaves index.lock
            # behind); the caller then sees whether the change landed.
            self._child.communicate()
            raise
        done = Finished(self.args, self._child.returncode, out, err)
        return done.check() if check else done


def start(
    args: Sequence[str],
    cwd: Path,
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
) -> Running:
    """Start `git ARGS` in `cwd`; stdin is `input` (nothing at all when None), `env` replaces
    the environment when given. Raises GitError when git cannot be started."""
    if input is None and env is None:
        early = _take_early(args, cwd)
        if early is not None:
            return early
    try:
        child = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as exc:
        # The same exception says that the folder to run in is gone; only its name differs.
        if exc.filename is not None and str(exc.filename) == str(cwd):
            raise GitError(f"cannot run git in {cwd}: no such folder") from None
        raise GitError(NOT_INSTALLED) from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    return Running(tuple(args), child, input)


# -- started early (cli/fastpath.py) --------------------------------------------------------
# A read-only command started before its caller needs it, so that git works while Python is
# still importing; the `start` of the same command in the same folder takes it, as long as
# its guard (git's index) is as it was. Otherwise it is stopped and started anew.
_EARLY: dict[tuple[str, tuple[str, ...]], tuple[Running, tuple[int, ...] | None, str]] = {}


def _stamp(path: str) -> tuple[int, ...] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino)


def prestart(args: Sequence[str], cwd: Path, guard: str) -> None:
    """Start `git ARGS` in `cwd` now, for a later `start` of the same to take; nothing
    happens when git cannot be started (the later `start` then says why)."""
    before = _stamp(guard)
    try:
        running = start(args, cwd)
    except GitError:
        return
    _EARLY[(str(cwd), tuple(args))] = (running, before, guard)


def stop_early() -> None:
    """Stop what was started early and not taken: its answer is this command's only."""
    while _EARLY:
        _, (running, _, _) = _EARLY.popitem()
        running.stop()


def _take_early(args: Sequence[str], cwd: Path) -> Running | None:
    found = _EARLY.pop((str(cwd), tuple(args)), None) if _EARLY else None
    if found is None:
        return None
    running, before, guard = found
    if before is not None and _stamp(guard) == before:
        return running
    running.stop()
    return None


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> Finished[bytes]:
    """Run `git ARGS` in `cwd` to the end; with `check`, a non-zero exit raises its `error()`."""
    return start(args, cwd, input=input, env=env).wait(check=check)


def run_text(
    args: Sequence[str],
    cwd: Path,
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> Finished[str]:
    """`run`, with the input encoded and the output decoded as UTF-8."""
    data = None if input is None else input.encode("utf-8", "replace")
    return run(args, cwd, input=data, env=env, check=check).text()


class GitMixin:
    """What the git layer's mixins (log, sync, index) share with `repo.Git`: the runner bound
    to the work tree's root. `Git` provides the fields and the methods declared below."""

    root: Path
    git_dir: Path

    def run(
        self,
        args: Sequence[str],
        *,
        input: str | None = None,
        check: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> Finished[str]:
        """`git ARGS` at the root, as text; a non-zero exit raises unless `check` is False."""
        return run_text(args, self.root, input=input, env=env, check=check)

    def run_bytes(
        self, args: Sequence[str], *, input: bytes | None = None, check: bool = True
    ) -> Finished[bytes]:
        """`run` for output that is binary or large: no decoding at all."""
        return run(args, self.root, input=input, check=check)

    def start(self, args: Sequence[str]) -> Running:
        """Start `git ARGS` at the root, to `wait()` for later."""
        return start(args, self.root)

    if TYPE_CHECKING:

        def head_sha(self) -> str: ...

        def has_commits(self) -> bool: ...
