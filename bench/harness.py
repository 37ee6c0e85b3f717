"""Timing and the results table, shared by every figure of the bench (docs/design.md §8).

One way to time a command: `run` starts it as a process and takes its wall-clock time, its
CPU time (user + system of the process and every child it waited for, from wait4; on a loaded
machine the steadier figure) and the peak resident memory of its whole process tree (sampled
from /proc every 5 ms, and the main process's own maximum from wait4).
`rounds` repeats the sides of a comparison in turns, so that mechctl and its reference see
the same machine noise; figures report medians. `Table` holds the rows, one per figure, and
prints them as Markdown.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mechctl import derived

STARTED = time.perf_counter()


def say(message: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class Failed(RuntimeError):
    """A measured command exited with a status the figure does not accept."""


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the process and the children it waited for
    rss: int  # peak resident memory of the process tree, bytes


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue  # it ended while we looked
    return total


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    *,
    ok: Sequence[int] = (0,),
    stdout: Path | None = None,
) -> Run:
    """Run one command to completion and measure it (see the module docstring). Its output
    goes to `stdout` or nowhere; an exit status outside `ok` raises Failed with its stderr."""
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out:
        began = time.perf_counter()
        child = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(child.pid))
                done.wait(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        done.set()
        sampler.join()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise Failed(f"{shlex.join(command)} (in {cwd}) exited {code}:\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, max(peak, usage.ru_maxrss * 1024))


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
    """Cold: nothing derived beside the records (`.git/mechctl/`, see mechctl.derived), as in
    CI or a fresh clone. The page cache stays warm for both sides of a comparison."""
    shutil.rmtree(derived.folder(repo / ".git"), ignore_errors=True)


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
class Table:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        say(f"  -> {row.figure}: {row.value} (goal {row.goal}): {row.result}")

    def markdown(self) -> str:
        head = ["figure", "mechctl", "reference", "ratio / absolute", "goal", "result"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            result = r.result + (f" ({r.note})" if r.note else "")
            cells = [r.figure, r.ours, r.reference, r.value, r.goal, result]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def missed(self) -> list[str]:
        return [r.figure for r in self.rows if "missed" in r.result]


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

    def cli(self, *args: str) -> list[str]:
        return [*self.mechctl, *args]
