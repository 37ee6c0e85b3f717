"""Everything the command layer prints (errors and exit codes: cli/errors.py).

People get rich output on stdout; machines get `--json`, alone on stdout. Notes, warnings and
errors go to stderr, so piped output stays clean. rich honours NO_COLOR and drops colour and
decoration when the stream is not a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
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
    no_pager: bool = False  # the global --no-pager (cli/pager.py)


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


def stream_json(items: Iterable[Any], batch: int = 512) -> int:
    """A JSON array on stdout, written a batch of items at a time, byte for byte what
    `print_json` writes for the whole list: nothing is held but the batch being written.
    Returns the count.

    orjson writes each batch as an indented array of its own, `[\n  item,\n  item\n]`; its
    brackets come off, and the batches join with `,\n`, as the items inside one array do.
    """
    import orjson

    write = sys.stdout.write
    count = 0
    held: list[Any] = []

    def flush() -> None:
        text = orjson.dumps(held, option=orjson.OPT_INDENT_2).decode("utf-8")
        write(("[\n" if count == len(held) else ",\n") + text[2:-2])
        held.clear()

    for item in items:
        held.append(item)
        count += 1
        if len(held) >= batch:
            flush()
    if held:
        flush()
    write("[]\n" if count == 0 else "\n]\n")
    return count


def stream_json_items(items: Iterable[bytes]) -> int:
    """`stream_json` for items already written as JSON, each indented as an item of the
    array (two spaces after every line break, the index's build.shown). Returns the count."""
    write = sys.stdout.buffer.write
    sys.stdout.flush()
    count = 0
    for item in items:
        write((b"[\n  " if count == 0 else b",\n  ") + item)
        count += 1
    write(b"[]\n" if count == 0 else b"\n]\n")
    sys.stdout.buffer.flush()
    return count


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
