"""The one error policy of the command line: what a failure prints, and its exit code
(docs/design.md §4).

- A known error (`MechctlError`) is one `error:` line, perhaps a `hint:` line, and the
  error's own exit code; a refused commit's hint is the command line that retries it.
- A usage error (click's) is one `error:` line that points at `--help`, with click's code.
- Ctrl-C is one line and 130; a closed pipe (`mechctl ... | head`) is silence and 0.
- Anything else is a bug in mechctl: one `error:` line, exit 3, and a crash report naming
  mechctl's, Python's and git's versions, the platform, the command line and the traceback.
  `MECHCTL_DEBUG=1` raises it instead, so the traceback shows.

Crash reports go to `.git/mechctl/crash/` of the repository the command ran in, else (no
repository, or one that cannot take it) to `mechctl/crash/` in the user's own state folder,
`$XDG_STATE_HOME` or `~/.local/state`. The repository is found without running anything that
could itself fail: the workspace the command opened, else a walk up from `-C` or the current
folder for `.git` (a worktree's `.git` file and its `commondir` are followed). A report is
made new (O_EXCL; named by time and process id) with mode 0600, since the command line and
traceback can hold a record's contents. Below the repository's git folder or the state
folder, every step is opened with O_NOFOLLOW relative to the one before, and the crash
folder must belong to the user: a symbolic link planted as the report, as `crash/` or as
`mechctl/`, is never followed, and that place is given up for the next one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mechctl.cli.output import STATE

if TYPE_CHECKING:
    from mechctl.errors import MechctlError

_MAX_NAMES = 100  # report names tried in one folder before giving it up


def debug() -> bool:
    return os.environ.get("MECHCTL_DEBUG", "") not in ("", "0")


def handle(exc: BaseException) -> int:
    """Print what `exc` means for the user (on stderr); return the exit code."""
    from mechctl.errors import MechctlError

    # typer's own errors can only come once it is loaded (cli/fastpath.py runs without it).
    typer = sys.modules.get("typer")
    if isinstance(exc, SystemExit):
        if isinstance(exc.__context__, BrokenPipeError):
            return 0  # click's own answer to a closed pipe is exit 1: silence and 0, as below
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if isinstance(exc, KeyboardInterrupt) or (typer is not None and isinstance(exc, typer.Abort)):
        sys.stderr.write("\nerror: interrupted; nothing was changed unless a commit was reported\n")
        return 130
    if isinstance(exc, BrokenPipeError):
        return 0
    if typer is not None and isinstance(exc, typer.TyperException):  # click's usage errors
        message = " ".join(exc.format_message().split()).replace("Value error, ", "")
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        sys.stderr.write(f"error: {message}{where}\n")
        return int(exc.exit_code)
    if debug():
        raise exc
    if isinstance(exc, MechctlError):
        return known(exc)
    return internal(exc)


def known(exc: MechctlError) -> int:
    """One `error:` line (and perhaps a `hint:`) for an error mechctl expects."""
    import shlex

    from mechctl.errors import CommitFailedError

    hint = exc.hint
    if isinstance(exc, CommitFailedError) and exc.retry is None:
        replay = STATE.replay or ["mechctl", *STATE.argv]
        hint = f"retry with: {shlex.join(replay)}"
    sys.stderr.write(f"error: {_one_line(exc.message)}\n")
    if hint:
        sys.stderr.write(f"hint: {_one_line(hint)}\n")
    return exc.exit_code


def internal(exc: BaseException) -> int:
    """A bug: one line naming the crash report, and exit 3."""
    try:
        report = crash_report(exc)
    except Exception:  # the report is a courtesy; the line and the code must still come
        report = None
    where = f"; details in {report}" if report is not None else ""
    sys.stderr.write(
        f"error: internal error: {type(exc).__name__}: {_one_line(str(exc))}"
        f" (a bug in mechctl{where}; MECHCTL_DEBUG=1 shows the traceback)\n"
    )
    return 3


def crash_report(exc: BaseException) -> Path | None:
    """Write the report of `exc` to the first place that takes it; its path, or None."""
    text = _report_text(exc)
    name = _report_name()
    for base, steps in _places():
        written = _write_new(base, steps, name, text)
        if written is not None:
            return written
    return None


def _report_text(exc: BaseException) -> str:
    import platform
    import shlex
    import traceback

    from mechctl import __version__
    from mechctl.clock import now

    try:
        when = now().isoformat()
    except ValueError:  # an unreadable MECHCTL_NOW must not stop the report
        when = "unknown"
    lines = [
        "mechctl crash report",
        "",
        f"mechctl: {__version__}",
        f"python: {' '.join(sys.version.split())}",
        f"git: {_git_version()}",
        f"platform: {platform.platform()}",
        f"command: {shlex.join(['mechctl', *STATE.argv])}",
        f"time: {when}",
    ]
    return "\n".join(lines) + "\n\n" + "".join(traceback.format_exception(exc))


def _git_version() -> str:
    try:
        from mechctl.git.proc import run_text

        done = run_text(["--version"], Path(os.sep))
        return done.stdout.strip() or "unknown"
    except Exception:  # not installed, or failing: the report says so and goes on
        return "unknown (git --version failed)"


def _report_name() -> str:
    from datetime import UTC, datetime

    from mechctl.clock import now

    try:
        when = now()
    except ValueError:
        when = datetime.now(UTC)
    return f"{when:%Y%m%dT%H%M%SZ}-{os.getpid()}"


def _places() -> list[tuple[Path, tuple[str, ...]]]:
    """(trusted folder, steps below it) for each place a report may go, best first."""
    from mechctl import derived

    places: list[tuple[Path, tuple[str, ...]]] = []
    common = _repository_common_dir()
    if common is not None:
        crash = derived.path(common, "crash").relative_to(common)
        places.append((common, crash.parts))
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):  # the XDG rule: a relative value is ignored
        state = os.path.join(os.path.expanduser("~"), ".local", "state")
    places.append((Path(state), ("mechctl", "crash")))
    return places


def _repository_common_dir() -> Path | None:
    """Git's common folder of the repository this command ran in, if there is one."""
    if STATE.opened:
        return STATE.opened[-1].git.common_dir
    try:
        start = Path(STATE.repo if STATE.repo is not None else os.getcwd()).expanduser()
        start = start.absolute()
        git_dir: Path | None = None
        if os.environ.get("GIT_DIR"):
            git_dir = Path(os.environ["GIT_DIR"]).absolute()
        else:
            for folder in (start, *start.parents):
                dot_git = folder / ".git"
                if dot_git.is_dir():
                    git_dir = dot_git
                    break
                if dot_git.is_file():  # a worktree, or a submodule: `gitdir: PATH`
                    first = dot_git.read_text(encoding="utf-8").splitlines()[0]
                    if first.startswith("gitdir:"):
                        git_dir = folder / first.removeprefix("gitdir:").strip()
                        break
        if git_dir is None:
            return None
        commondir = git_dir / "commondir"
        if commondir.is_file():
            git_dir = git_dir / commondir.read_text(encoding="utf-8").strip()
        return git_dir.resolve() if git_dir.is_dir() else None
    except (OSError, ValueError, IndexError):
        return None


def _write_new(base: Path, steps: tuple[str, ...], name: str, text: str) -> Path | None:
    """Create `base/steps.../name.txt` new, mode 0600, following no link below `base`."""
    try:
        if steps and not base.is_dir():
            base.mkdir(mode=0o700, parents=True, exist_ok=True)  # the user's own folder
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        for index, step in enumerate(steps):
            last = index == len(steps) - 1
            with contextlib.suppress(FileExistsError):
                os.mkdir(step, 0o700 if last else 0o777, dir_fd=fd)
            below = os.open(
                step, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd
            )
            os.close(fd)
            fd = below
        if os.fstat(fd).st_uid != os.getuid():
            return None  # a crash folder someone else made: not a place for our report
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        for attempt in range(1, _MAX_NAMES + 1):
            file = f"{name}.txt" if attempt == 1 else f"{name}-{attempt}.txt"
            try:
                out = os.open(file, flags, 0o600, dir_fd=fd)
            except FileExistsError:  # taken, perhaps by a planted link: never written through
                continue
            with os.fdopen(out, "w", encoding="utf-8") as stream:
                stream.write(text)
            return base.joinpath(*steps, file)
        return None
    except OSError:
        return None
    finally:
        os.close(fd)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
