"""Everything the command layer prints, and the error-to-exit conversion.

People get rich output on stdout; machines get `--json`, alone on stdout. Notes, warnings and
errors go to stderr, so piped output stays clean. rich honours NO_COLOR and drops colour and
decoration when the stream is not a terminal.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from mechctl.services.core.context import Workspace


@dataclass
class State:
    """Global options and what is needed to tell the user how to retry."""

    repo: Path | None = None
    argv: list[str] = field(default_factory=list)
    replay: list[str] | None = None
    opened: list[Workspace] = field(default_factory=list)


STATE = State()


def set_replay(args: list[str]) -> None:
    """The command line that repeats this command, once prompts have filled in the gaps."""
    STATE.replay = ["mechctl", *args]


def workspace(push: bool = False) -> Workspace:
    """The repository this command works on. `push`: sync after each commit (--push)."""
    from mechctl.services.core.context import open_workspace

    ws = open_workspace(STATE.repo, push=True if push else None)
    STATE.opened.append(ws)
    return ws


_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    if stderr not in _consoles:
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        # Piped output is for grep and friends: never truncate or wrap it at 80 columns.
        width = None if stream.isatty() else 1000
        _consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)
    return _consoles[stderr]


def reset_consoles() -> None:
    """CliRunner swaps sys.stdout between runs; consoles must follow."""
    _consoles.clear()


def note(message: str) -> None:
    sys.stderr.write(message + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def print_json(data: Any) -> None:
    """JSON alone on stdout, indented (orjson: fast over tens of thousands of records)."""
    import orjson

    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n")


def stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def need(value: str | None, flag: str, label: str, *, default: str | None = None) -> str:
    """A required value: prompt on a terminal, otherwise a usage error (docs/design.md §4)."""
    if value is not None and value.strip():
        return value
    if value is not None:
        from mechctl.errors import UsageError

        raise UsageError(f"{flag} must not be empty")
    if not stdin_is_terminal():
        from mechctl.errors import UsageError

        raise UsageError(f"missing option {flag} ({label})")
    import typer

    while True:
        answer: str = typer.prompt(label, default=default, err=True)
        if answer.strip():
            return answer
        note(f"{label} must not be empty")


def _crash_log(text: str) -> Path | None:
    import tempfile

    try:
        path = Path(tempfile.gettempdir()) / "mechctl-crash.log"
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None


def report_error(exc: BaseException) -> int:
    """Print one `error:` line (and perhaps a `hint:`); return the exit code."""
    import shlex
    import traceback

    from mechctl.errors import CommitFailedError, MechctlError

    if isinstance(exc, MechctlError):
        message = exc.message
        hint = exc.hint
        if isinstance(exc, CommitFailedError) and exc.retry is None:
            replay = STATE.replay or ["mechctl", *STATE.argv]
            hint = f"retry with: {shlex.join(replay)}"
        sys.stderr.write(f"error: {_one_line(message)}\n")
        if hint:
            sys.stderr.write(f"hint: {_one_line(hint)}\n")
        return exc.exit_code
    detail = "".join(traceback.format_exception(exc))
    log = _crash_log(detail)
    where = f"; details in {log}" if log else ""
    sys.stderr.write(
        f"error: internal error: {type(exc).__name__}: {_one_line(str(exc))}"
        f" (a bug in mechctl{where}; MECHCTL_DEBUG=1 shows the traceback)\n"
    )
    return 3


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def debug() -> bool:
    return os.environ.get("MECHCTL_DEBUG", "") not in ("", "0")
