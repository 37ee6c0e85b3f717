"""Timing and the results table, shared by every figure of the bench (docs/design.md §8).

One way to time a command: `run` starts it as a process and takes its wall-clock time, its
CPU time (user + system of the process and every child it waited for, from wait4; on a loaded
machine the steadier figure) and the peak resident memory of its whole process tree (sampled
from /proc every 5 ms, and the main process's own high-water mark, VmHWM).
With a timeout, a command still running then is killed with its whole process group and raises
TimedOut; with `pipe`, its stdout is a pipe the bench drains (as `| cat`), not a file.
`rounds` repeats the sides of a comparison in turns, so that mechctl and its reference see
the same machine noise; figures report medians. `Table` holds the rows, one per figure, and
prints them as Markdown.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

STARTED = time.perf_counter()


def say(message: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class Failed(RuntimeError):
    """A measured command exited with a status the figure does not accept."""


class TimedOut(Failed):
    """A measured command ran past its timeout and was killed."""


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the process and the children it waited for
    rss: int  # peak resident memory of the process tree, bytes


def _status(pid: int) -> dict[str, int]:
    """VmRSS, VmSize and VmHWM of a process, in bytes, from /proc/PID/status."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmSize:", "VmHWM:")):
            name, value = line.split(":", 1)
            found[name] = int(value.split()[0]) * 1024
    return found


def _close(one: int, other: int) -> bool:
    """Within 1% or 256 KiB of each other."""
    return abs(one - other) <= max(1 << 18, max(one, other) // 100)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc); at least
    the process's own high-water mark since it started (VmHWM), which a peak between two
    samples still leaves.

    A child caught between its fork and its exec (Python starts commands with vfork) still has
    its parent's memory, or shares it outright, and reports its VmRSS and VmSize (to within
    the few pages the child touches between two reads): it is counted once, as the parent,
    not twice."""
    total = 0
    root_peak = 0
    stack: list[tuple[int, dict[str, int]]] = [(pid, {})]
    while stack:
        current, parent = stack.pop()
        try:
            mine = _status(current)
            same = all(_close(mine.get(k, 0), parent.get(k, 0)) for k in ("VmRSS", "VmSize"))
            if not (parent and same):
                total += mine.get("VmRSS", 0)
            if current == pid:
                root_peak = mine.get("VmHWM", 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend((int(child), mine) for child in children)
        except (OSError, ValueError):
            continue  # it ended while we looked
    return max(total, root_peak)


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    *,
    ok: Sequence[int] = (0,),
    stdout: Path | None = None,
    timeout: float | None = None,
    pipe: bool = False,
) -> Run:
    """Run one command to completion and measure it (see the module docstring). Its output
    goes to `stdout` or nowhere, through a pipe when `pipe`; an exit status outside `ok`
    raises Failed with its stderr, running past `timeout` seconds raises TimedOut."""
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out:
        began = time.perf_counter()
        # Its own process group, so that a timeout ends the command and every child it started.
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE if pipe else out,
            stderr=err,
            start_new_session=timeout is not None,
        )
        peak = 0
        done = threading.Event()
        killed = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(child.pid))
                if timeout is not None and time.perf_counter() - began > timeout:
                    killed.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
                    return
                done.wait(0.005)

        def drain(source: IO[bytes]) -> None:
            # A reader as fast as `cat`: the command sees a pipe, never a full one for long.
            while chunk := source.read1(1 << 16):  # type: ignore[attr-defined]
                out.write(chunk)

        threads = [threading.Thread(target=sample, daemon=True)]
        if pipe:
            assert child.stdout is not None
            threads.append(threading.Thread(target=drain, args=(child.stdout,), daemon=True))
        for thread in threads:
            thread.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        done.set()
        for thread in threads:
            thread.join()
        if child.stdout is not None:
            child.stdout.close()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if killed.is_set():
            raise TimedOut(f"{shlex.join(command)} (in {cwd}) ran past {timeout:g} s")
        if code not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise Failed(f"{shlex.join(command)} (in {cwd}) exited {code}:\n{tail}")
    # Not wait4's ru_maxrss: Linux counts in it the memory of the process it was forked from
    # (this bench, hundreds of MB once it has built a big repository), so it only stands in
    # when the command ended before the first sample.
    return Run(wall, usage.ru_utime + usage.ru_stime, peak or usage.ru_maxrss * 1024)


def rounds(
    count: int,
    sides: dict[str, Callable[[], Run]],
    *,
    warmup: int = 1,
    rotate: bool = True,
) -> dict[str, list[Run]]:
    """Each side once per round, `count` measured rounds after `warmup` unmeasured ones (the
    page cache and Python's bytecode, for every side). With `rotate`, each round starts with
    the next side, so that no side always runs first; without it, the sides keep their order
    (when one prepares the next, as a cold run fills the cache a warm run reads)."""
    names = list(sides)
    measured: dict[str, list[Run]] = {name: [] for name in names}
    for index in range(warmup + count):
        shift = index % len(names) if rotate else 0
        took = []
        for name in names[shift:] + names[:shift]:
            result = sides[name]()
            took.append(f"{name} {result.wall:.2f} s")
            if index >= warmup:
                measured[name].append(result)
        if index >= warmup:
            say(f"  round {index - warmup + 1}/{count}: " + ", ".join(took))
    return measured


def drop_derived(repo: Path) -> None:
    """Cold: nothing derived beside the records, as in CI or a fresh clone. Every derived store
    lives under `.git/mechctl/` (docs/design.md §2); the bench names that folder itself rather
    than asking mechctl's internals, so it measures any version of them. The page cache stays
    warm for both sides of a comparison."""
    shutil.rmtree(repo / ".git" / "mechctl", ignore_errors=True)


def median(runs: list[Run], attr: str = "wall") -> float:
    return float(statistics.median(float(getattr(r, attr)) for r in runs))


# --- the table ----------------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    ours: str
    reference: str
    value: str
    goal: str
    result: str
    note: str = ""


@dataclass
class Section:
    """A figure's own table, with its own columns, printed after the main one: a title, notes
    (one paragraph each), the rows as cells, and which figures missed their goal or could not
    be measured."""

    title: str
    notes: list[str]
    head: list[str]
    rows: list[list[str]]
    missed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        for note in self.notes:
            lines += [note, ""]
        lines += ["| " + " | ".join(self.head) + " |", "|" + "---|" * len(self.head)]
        lines += ["| " + " | ".join(cells) + " |" for cells in self.rows]
        return "\n".join(lines)


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        say(f"  -> {row.figure}: {row.value} (goal {row.goal}): {row.result}")

    def markdown(self) -> str:
        """The main table (when a figure added rows to it), then every section."""
        blocks = []
        if self.rows:
            head = ["figure", "mechctl", "reference", "ratio / absolute", "goal", "result"]
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            for r in self.rows:
                result = r.result + (f" ({r.note})" if r.note else "")
                cells = [r.figure, r.ours, r.reference, r.value, r.goal, result]
                lines.append("| " + " | ".join(cells) + " |")
            blocks.append("\n".join(lines))
        blocks += [section.markdown() for section in self.sections]
        return "\n\n".join(blocks)

    def missed(self) -> list[str]:
        found = [r.figure for r in self.rows if "missed" in r.result]
        return found + [m for section in self.sections for m in section.missed]

    def failed(self) -> list[str]:
        """Measurements a section reported in a cell rather than stopping the run."""
        return [f for section in self.sections for f in section.failed]


def secs(runs: list[Run]) -> str:
    return f"{median(runs, 'wall'):.3f} s (CPU {median(runs, 'cpu'):.3f} s)"


def mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def mechctl_cell(runs: list[Run]) -> str:
    """mechctl's cell: the medians, the number of runs, the highest peak memory."""
    return f"{secs(runs)}, n={len(runs)}, peak {mb(max(r.rss for r in runs))}"


def times(ratio: float) -> str:
    """A ratio with enough digits to compare it with its goal (0.047x, not 0.05x)."""
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


def verdict(wall_ok: bool, cpu_ok: bool | None = None) -> tuple[str, str]:
    """The result on wall-clock time, and a note when CPU time says otherwise."""
    result = "met" if wall_ok else "**missed**"
    note = ""
    if cpu_ok is not None and cpu_ok != wall_ok:
        note = "met on CPU time" if cpu_ok else "missed on CPU time"
    return result, note


NO_GOAL = "none in docs/design.md"


def ratio_row(
    figure: str, mine: list[Run], reference: list[Run], label: str, goal: float | None
) -> Row:
    """mechctl's median over its reference's, against a goal of at most `goal` times."""
    wall = median(mine) / median(reference)
    cpu = median(mine, "cpu") / max(median(reference, "cpu"), 1e-9)
    result, note, goal_text = "informational", "", NO_GOAL
    if goal is not None:
        (result, note), goal_text = verdict(wall <= goal, cpu <= goal), f"≤ {goal:g}x"
    value = f"{times(wall)} (CPU {times(cpu)})"
    reference_cell = f"{label}: {secs(reference)}"
    return Row(figure, mechctl_cell(mine), reference_cell, value, goal_text, result, note)


def absolute_row(
    figure: str, mine: list[Run], reference: list[Run], label: str, goal: float | None
) -> Row:
    """mechctl's median in seconds, against a goal of under `goal` seconds."""
    wall, cpu = median(mine), median(mine, "cpu")
    reference_cell = f"{label}: {secs(reference)}" if reference else "—"
    result, note, goal_text = "informational", "", NO_GOAL
    if goal is not None:
        (result, note), goal_text = verdict(wall < goal, cpu < goal), f"< {goal:g} s"
    return Row(figure, mechctl_cell(mine), reference_cell, f"{wall:.2f} s", goal_text, result, note)


@dataclass
class Context:
    """What a figure needs: how to start mechctl, the environment for every child, how many
    rounds, the sizes of this run, the repositories, the table, a scratch folder."""

    mechctl: list[str]
    env: dict[str, str]
    runs: int
    sizes: dict[str, int]
    repo: Callable[[str, int], Path]  # (kind, size) -> the built repository, reset
    table: Table
    work: Path
    # What each repository built so far holds, by name (builders.Repos.built).
    built: dict[str, str] = field(default_factory=dict)
    # The reads figure (reads_bench.py): its sizes, warm rounds and per-command timeout.
    read_sizes: tuple[int, ...] = (20_000, 100_000)
    read_runs: int = 3
    timeout: float = 300.0
    # False (`--cold once`): only the first read figure is measured cold; the others start
    # warm (each cold run rebuilds the derived data: minutes at 100,000).
    cold_each: bool = True

    def cli(self, *args: str) -> list[str]:
        return [*self.mechctl, *args]
