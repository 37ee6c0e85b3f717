"""A rich progress bar on stderr while a large repository loads; silent when piped."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

# Below this many records loading takes about a second: a bar would only flicker.
LARGE = 2000


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def loading(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` callback for services, or None when stderr is not a terminal."""
    if not _stderr_is_terminal():
        yield None
        return
    bar: Any = None
    task: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if total <= LARGE:
            return
        if bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            from mechctl.cli.output import console

            bar = Progress(
                f"loading {what}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console(stderr=True),
                transient=True,
            )
            bar.start()
            task = bar.add_task(what, total=total)
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()
