"""The pager a long listing goes through on a terminal, as `git log` does (docs/design.md §4).

The program is `MECHCTL_PAGER`, else `PAGER`, else `less`; it runs through the shell, so it
may carry arguments. `LESS` defaults to `FRX` (quit when it fits on one screen, keep colours,
leave the text on the screen), as git sets it. An empty program or `cat` means no pager, and
so do `--no-pager`, a pipe and `--json`: the caller asks `wanted()` only on a terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO

from mechctl.cli.output import STATE


def program() -> str | None:
    """The pager's command line, or None when the user has turned paging off."""
    for name in ("MECHCTL_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            # Set but empty turns paging off, as git does; it never falls through to the next.
            value = value.strip()
            return None if value in ("", "cat") else value
    return "less"


def wanted(no_pager: bool) -> bool:
    """Whether this listing may page: stdout is a terminal and nobody turned paging off."""
    if no_pager or STATE.no_pager:
        return False
    try:
        if not sys.stdout.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    return program() is not None


def screen_lines() -> int:
    """The terminal's height; a listing that fits in it minus one line is not paged."""
    try:
        return os.get_terminal_size(sys.stdout.fileno()).lines
    except (OSError, ValueError, AttributeError):
        return 24


class Closed(Exception):
    """The reader quit the pager before the end: stop writing, and exit as if done."""


class _Stream:
    """What a listing writes to: the pager's input, with its reader's early quit as `Closed`."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> None:
        try:
            self._stream.write(text)
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise Closed from exc


@contextmanager
def paged() -> Iterator[_Stream]:
    """A stream into the pager; on leaving, wait until the reader quits it."""
    command = program()
    assert command is not None, "paged() needs a pager: ask wanted() first"
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")  # lv, a pager some set as PAGER: keep colours too
    sys.stdout.flush()
    proc = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.PIPE,
        env=env,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert proc.stdin is not None
    stream = _Stream(proc.stdin)
    try:
        yield stream
    except Closed:
        pass  # the reader has seen enough; that is not an error
    finally:
        with suppress(BrokenPipeError, OSError):
            proc.stdin.close()
        # The reader may still be reading: wait for them, even through a Ctrl-C, which the
        # pager itself handles (less would otherwise be left fighting the shell for the tty).
        while True:
            try:
                proc.wait()
                break
            except KeyboardInterrupt:
                continue
