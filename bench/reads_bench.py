"""Every read command on realistic repositories, warm and cold, beside grep and `git status`
(issue 11, point 5 and its figures to reach; docs/design.md §8).

For each size (`--sizes`, default 20,000 and 100,000 escalations; the `realistic-N`
repositories of builders.py: 2% open, 2% acknowledged, 6% resolved, 90% closed, timelines of
1 to 4 entries, 100 mechanisms, 200 from 100,000), each figure is measured

- cold: once, right after deleting `.git/mechctl/`, as in CI or a fresh clone;
- warm: `read_runs` more times (default 3; `--runs` sets it), the first warm run being the
  second run of the command;

and in the same rounds as the warm runs, in turns, the two references a user has without
mechctl: `grep -rlE '^status: (open|acknowledged)' escalations` (what one would type instead of
`escalation list`) and `git status`. Each cell gives the median wall time, the median CPU
time (user + system of the process and every child it waited for) and the highest peak
memory of the process tree. Text output goes to a pipe the bench drains, as `| cat` would.

Every command has a timeout (`--timeout`, default 300 s); one that fails or times out is
reported in its cell and the run goes on. mechctl is driven only through its command line,
so the bench measures any version of its internals.

The goals are issue 11's at 100,000 escalations, warm; at 20,000 (and the smaller `--quick`
sizes) every goal is half. The first command after `.git/mechctl/` is deleted,
`escalation list`, is the cold build of the derived data, compared with check-jsonschema on
the same escalation files (one run over every file, in as few commands as the command-line
limit allows: lint_bench.check_jsonschema).
"""

from __future__ import annotations

import importlib.util
import os
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lint_bench
import records
from harness import Context, Failed, Run, Section, TimedOut, drop_derived, mb, run, say

# Issue 11's figures to reach, at 100,000 escalations, warm.
QUICK_READ = 0.3  # s: escalation list, show, status, due, mechanism list, lint unchanged
REPORT = 1.0  # s: report text, markdown, json
HTML = 2.0  # s: report --format html
ALL_JSON = 1.5  # s: escalation list --status all --json
MEMORY = 150e6  # bytes, peak of any command's process tree
ESCALATE = 2.0  # times git add + git commit of the same file
COLD_BUILD = 20.0  # s: the index built from nothing
COLD_VS_CHECKER = 0.2  # times check-jsonschema on the same files
FULL_AT = 100_000  # the size the goals are set at; below it, every goal is half
# Issue 11: "At 20,000, every figure is at most half its goal", read literally: the ratios to
# grep, git and check-jsonschema too, though those references also shrink with the size.
# False halves only the seconds and megabytes.
HALVE_RATIOS = True

GREP = ["grep", "-rlE", "^status: (open|acknowledged)", "escalations"]
GIT_STATUS = ["git", "status"]
# The user of `status`: a person who raised escalations, in a team that owns mechanisms.
USER_EMAIL = "pat.example@example.com"
TEAM = "business-operations"
HEAD = ["figure", "mechctl warm", "mechctl cold", "grep", "git status", "goal", "result"]


@dataclass
class Cell:
    """The runs of one side of a figure, or why there are none (or fewer than asked)."""

    runs: list[Run] = field(default_factory=list)
    error: str | None = None

    def measure(self, once: Callable[[], Run]) -> None:
        """One more run, unless an earlier one failed (a command that failed or timed out once
        would do so again, and a timeout costs minutes)."""
        if self.error is not None:
            return
        try:
            self.runs.append(once())
        except TimedOut as error:
            after = re.search(r"ran past (\S+ s)", str(error))
            self.error = f"timed out (> {after.group(1) if after else '?'})"
        except Failed as error:
            first = str(error).split(":\n", 1)
            code = re.search(r"exited (-?\d+)", first[0])
            # Its last line of stderr, made safe for a Markdown cell.
            detail = (
                first[1].strip().replace("|", "\\|").splitlines()[-1:] if len(first) > 1 else []
            )
            self.error = f"failed (exit {code.group(1) if code else '?'})" + (
                f": {detail[0][:80]}" if detail else ""
            )
        except OSError as error:
            self.error = f"failed: {error}"

    def wall(self) -> float:
        return float(statistics.median(r.wall for r in self.runs))

    def cpu(self) -> float:
        return float(statistics.median(r.cpu for r in self.runs))

    def peak(self) -> int:
        return max(r.rss for r in self.runs)

    def ok(self) -> bool:
        return bool(self.runs) and self.error is None

    def text(self) -> str:
        """`0.25 s (CPU 0.24 s), 45 MB`: medians and the highest peak (the number of runs is
        the section's, in its notes)."""
        if not self.runs:
            return self.error or "—"
        shown = f"{seconds(self.wall())} (CPU {seconds(self.cpu())}), {mb(self.peak())}"
        if self.error:  # some runs, then a failure
            shown += f"; then {self.error} (n={len(self.runs)})"
        return shown


@dataclass
class Figure:
    """One row: a mechctl command, its goal in seconds at 100,000 (None: memory only), and
    whether it must also beat the grep."""

    label: str
    args: Sequence[str]
    goal: float | None
    vs_grep: bool = False
    ok: tuple[int, ...] = (0,)
    env: dict[str, str] = field(default_factory=dict)
    warm: Cell = field(default_factory=Cell)
    cold: Cell = field(default_factory=Cell)
    grep: Cell = field(default_factory=Cell)
    git_status: Cell = field(default_factory=Cell)


def seconds(value: float) -> str:
    """Three figures where they matter: 0.012 s, 0.306 s, 1.31 s, 14.2 s, 185 s."""
    return f"{value:.3f} s" if value < 1 else f"{value:.3g} s" if value < 100 else f"{value:.0f} s"


def secs(value: float) -> str:
    """A goal: 0.3 s, 1.5 s, 20 s."""
    return f"{value:g} s"


def judge(
    mine: Cell, goal: float | None, memory: float | None, vs: tuple[str, Cell, float] | None = None
) -> tuple[str, bool, bool]:
    """The result cell of a figure, whether it missed, whether it could not be measured; on
    wall-clock time, with a note when CPU time says otherwise (on a loaded machine the steadier
    figure). `vs`: (what, its cell, the most times it) for a goal relative to another command,
    judged when that command was measured."""
    if not mine.ok():
        return f"not measured: {mine.error or 'no run'}", False, True

    def over(value: Callable[[Cell], float]) -> tuple[list[str], str]:
        found, ratio = [], ""
        if goal is not None and value(mine) > goal:
            found.append(f"{seconds(value(mine))} > {secs(goal)}")
        if vs is not None and vs[1].ok():
            what, reference, most = vs
            times = value(mine) / max(value(reference), 1e-9)
            ratio = f"{times:.2f}x {what}"
            if times > most:
                found.append(f"{ratio} > {most:g}x")
                ratio = ""
        return found, ratio

    misses, ratio = over(Cell.wall)
    on_cpu, _ = over(Cell.cpu)
    notes = [ratio] if ratio else []
    if bool(misses) != bool(on_cpu):
        notes.append("missed on CPU time" if on_cpu else "met on CPU time")
    if memory is not None and mine.peak() > memory:
        misses.append(f"{mine.peak() / 1e6:.1f} MB > {mb(memory)}")
    shown = f" ({'; '.join(notes)})" if notes else ""
    if not misses:
        return "met" + shown, False, False
    return "**missed**: " + "; ".join(misses) + shown, True, False


def figures(half: float, show_id: str, abbrev: str, html: bool) -> list[Figure]:
    """The rows, in the order they run. `half` scales every goal (1 at 100,000, else 0.5)."""
    quick, report = QUICK_READ * half, REPORT * half
    user_env = {
        # Who runs `status`: git's own configuration from the environment (git 2.31+).
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.email",
        "GIT_CONFIG_VALUE_0": USER_EMAIL,
    }
    found = [
        Figure("`escalation list`: text, piped", ["escalation", "list"], quick, vs_grep=True),
        Figure(
            "`escalation list --status all --json`",
            ["escalation", "list", "--status", "all", "--json"],
            ALL_JSON * half,
        ),
        Figure(
            "`escalation list --status all`: text, piped",
            ["escalation", "list", "--status", "all"],
            None,
        ),
        Figure(f"`escalation show {show_id}`: closed", ["escalation", "show", show_id], quick),
        Figure(
            f"`escalation show {abbrev}`: its abbreviation", ["escalation", "show", abbrev], quick
        ),
        Figure("`mechanism list`", ["mechanism", "list"], quick),
        Figure(
            f"`status --team {TEAM}`, as {USER_EMAIL}",
            ["status", "--team", TEAM],
            quick,
            env=user_env,
        ),
        Figure("`due`", ["due"], quick, ok=(0, 1)),
        Figure("`report`: text, piped", ["report"], report),
        Figure("`report --format markdown`", ["report", "--format", "markdown"], report),
        Figure("`report --format json`", ["report", "--format", "json"], report),
    ]
    if html:
        found.append(Figure("`report --format html`", ["report", "--format", "html"], HTML * half))
    found.append(Figure("`lint`: warm with nothing changed", ["lint"], quick, ok=lint_bench.OK))
    return found


def closed_escalation(repo: Path) -> tuple[str, str]:
    """A closed escalation from the middle of the tree, by the bench's own reading of the
    files, and the shortest unique abbreviation (a prefix of the random part) of its id."""
    paths = sorted((repo / "escalations").rglob("*.yaml"))
    middle = len(paths) // 2
    for path in paths[middle:] + paths[:middle]:
        if re.search(r"^status: closed$", path.read_text(encoding="utf-8"), re.MULTILINE):
            chosen = path.stem
            break
    else:
        raise Failed(f"no closed escalation in {repo}")
    randoms = [p.stem.rsplit("-", 1)[-1] for p in paths]
    mine = chosen.rsplit("-", 1)[-1]
    for length in range(5, len(mine) + 1):
        if sum(r.startswith(mine[:length]) for r in randoms) == 1:
            return chosen, mine[:length]
    return chosen, mine


def lines_of(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def json_rows(path: Path) -> int:
    """Escalations in a `--json` listing, counted without loading 100,000 rows into memory."""
    pattern = re.compile(rb'"id":\s*"esc-')
    with path.open("rb") as handle:
        return sum(len(pattern.findall(line)) for line in handle)


class Sizing:
    """One size: its repository, its figures, and the section it adds to the table."""

    def __init__(self, ctx: Context, count: int) -> None:
        self.ctx = ctx
        self.count = count
        self.half = 1.0 if count >= FULL_AT else 0.5  # seconds and megabytes
        self.ratio = self.half if HALVE_RATIOS else 1.0  # times another command
        self.env = {**ctx.env, "MECHCTL_NOW": records.NOW_TEXT}
        self.out = ctx.work / "reads.out"

    def timed(
        self,
        command: Sequence[str],
        repo: Path,
        *,
        env: dict[str, str] | None = None,
        ok: Sequence[int] = (0,),
        keep: bool = False,
    ) -> Run:
        return run(
            command,
            repo,
            env or self.env,
            ok=ok,
            timeout=self.ctx.timeout,
            pipe=True,
            stdout=self.out if keep else None,
        )

    def references(self, repo: Path, figure: Figure) -> list[Callable[[], None]]:
        return [
            lambda: figure.grep.measure(lambda: self.timed(GREP, repo, ok=(0, 1))),
            lambda: figure.git_status.measure(lambda: self.timed(GIT_STATUS, repo)),
        ]

    def in_turns(self, sides: list[Callable[[], None]], count: int) -> None:
        """`count` rounds of every side, each round starting with the next one."""
        for index in range(count):
            shift = index % len(sides)
            for side in sides[shift:] + sides[:shift]:
                side()

    def measure_figure(self, repo: Path, figure: Figure, cold: bool = True) -> str:
        """Cold once, then warm in turns with grep and git status; what the cold run printed
        (its lines, or its rows for --json), for the label. Not `cold`: one unmeasured run
        first instead (`--cold once`)."""
        env = {**self.env, **figure.env}
        command = self.ctx.cli(*figure.args)
        say(f"{' '.join(figure.args)} at {self.count:,}: cold, then {self.ctx.read_runs} warm")
        first = figure.cold
        if cold:
            drop_derived(repo)
        else:
            first = Cell()
            figure.cold.error = "— (--cold once)"
        first.measure(lambda: self.timed(command, repo, env=env, ok=figure.ok, keep=True))
        printed = ""
        if first.ok() and list(figure.args[:2]) == ["escalation", "list"]:
            json = "--json" in figure.args
            printed = f"{json_rows(self.out):,} rows" if json else f"{lines_of(self.out):,} lines"

        def mine() -> None:
            figure.warm.measure(lambda: self.timed(command, repo, env=env, ok=figure.ok))

        self.in_turns([mine, *self.references(repo, figure)], self.ctx.read_runs)
        say(
            f"  warm {figure.warm.text()}; cold {figure.cold.text()};"
            f" grep {figure.grep.text()}; git status {figure.git_status.text()}"
        )
        return printed

    def measure(self) -> None:
        ctx, count, half = self.ctx, self.count, self.half
        load_before = os.getloadavg()
        repo = ctx.repo("realistic", count)
        show_id, abbrev = closed_escalation(repo)
        html = importlib.util.find_spec("matplotlib") is not None
        rows: list[list[str]] = []
        section = Section(
            f"Reads at {count:,} escalations",
            [],
            HEAD,
            rows,
        )
        memory = MEMORY * half

        measured = figures(half, show_id, abbrev, html)
        for number, figure in enumerate(measured):
            printed = self.measure_figure(repo, figure, cold=number == 0 or ctx.cold_each)
            vs = ("grep", figure.grep, self.ratio) if figure.vs_grep else None
            result, missed, failed = judge(figure.warm, figure.goal, memory, vs)
            goal = " and ".join(
                filter(
                    None,
                    [
                        f"≤ {secs(figure.goal)}" if figure.goal is not None else "",
                        f"≤ {self.ratio:g}x grep" if figure.vs_grep else "",
                        f"≤ {mb(memory)}",
                    ],
                )
            )
            if figure.goal is None:
                goal += " (no time goal)"
            label = figure.label + (f"; {printed}" if printed else "")
            rows.append(
                [
                    label,
                    figure.warm.text(),
                    figure.cold.text(),
                    figure.grep.text(),
                    figure.git_status.text(),
                    goal,
                    result,
                ]
            )
            if missed:
                section.missed.append(f"{label} at {count:,}")
            if failed:
                section.failed.append(f"{label} at {count:,}: {figure.warm.error}")
        if not html:
            rows.append(
                [
                    "`report --format html`",
                    "—",
                    "—",
                    "—",
                    "—",
                    f"≤ {secs(HTML * half)}",
                    "not measured: matplotlib is not installed (pip install 'mechctl[report]')",
                ]
            )

        rows.append(self.cold_build(repo, measured[0], section))
        row, escalate = self.escalate(repo, section)
        rows.append(row)
        rows.append(self.peak_row([*measured, escalate], memory, section))

        load_after = os.getloadavg()
        goals = "issue 11's goals at 100,000"
        if half != 1:
            goals = "half of " + goals + ("" if HALVE_RATIOS else " in seconds and MB")
        section.notes = [
            f"Repository: {ctx.built.get(f'realistic-{count}', f'{count:,} escalations')}."
            f" Goals: {goals}, judged on the warm median and the warm runs' peak memory."
            f" Warm: n={ctx.read_runs} after the cold run, medians; cold: n=1, right after"
            f" deleting `.git/mechctl/`; grep and git status run in the same rounds as each"
            f" warm figure, in turns. Cells: wall (CPU), peak memory of the process tree."
            f" Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after."
            f" Timeout {ctx.timeout:g} s per command.",
        ]
        ctx.table.sections.append(section)

    def cold_build(self, repo: Path, first: Figure, section: Section) -> list[str]:
        """The first command with no `.git/mechctl/` (first.cold) against check-jsonschema."""
        half, most = self.half, COLD_VS_CHECKER * self.ratio
        files = lint_bench.escalation_files(repo)
        checker = lint_bench.checker()
        reference = Cell()
        how = "not installed (pip install check-jsonschema)"
        if checker:
            parts = len(lint_bench.batches(files))
            say(f"check-jsonschema over {len(files):,} escalation files ({parts} commands), once")
            reference.measure(
                lambda: lint_bench.check_jsonschema(
                    checker, repo, files, self.env, timeout=self.ctx.timeout
                )
            )
            how = f"{reference.text()}, one run over all {len(files):,} escalation files" + (
                f" in {parts} commands (the command-line limit), times summed" if parts > 1 else ""
            )
            say(f"  check-jsonschema {reference.text()}")
        goal = f"≤ {secs(COLD_BUILD * half)} and ≤ {most:g}x check-jsonschema: {how}"
        cold = first.cold
        result, missed, failed = judge(
            cold, COLD_BUILD * half, None, ("check-jsonschema", reference, most)
        )
        if reference.error:
            result += f" (check-jsonschema {reference.error})"
        label = "cold build of the derived data (the first `escalation list`, no `.git/mechctl/`)"
        if missed:
            section.missed.append(f"{label} at {self.count:,}")
        if failed:
            section.failed.append(f"{label} at {self.count:,}: {cold.error}")
        return [
            label,
            "—",
            cold.text(),
            first.grep.text(),
            first.git_status.text(),
            goal,
            result,
        ]

    def escalate(self, repo: Path, section: Section) -> tuple[list[str], Figure]:
        """`escalate` (cold once, then warm) in turns with `git add` + `git commit` of one file
        as escalate writes it, grep and git status; 3x the rounds (it is cheap, and noisy)."""
        ctx, half, most = self.ctx, self.half, ESCALATE * self.ratio
        made = iter(range(1_000_000))
        figure = Figure("`escalate`", [], None)
        plain = Cell()

        def mechctl() -> Run:
            title = f"Bench read failure {next(made)}"
            command = ctx.cli(
                "escalate", "-m", "wbr", "-t", title, "-i", "Customers waited longer than promised"
            )
            # Without MECHCTL_NOW: each escalation is raised now, as a user raises one.
            return run(command, repo, ctx.env, timeout=ctx.timeout, pipe=True)

        def git_commit() -> Run:
            rel, text = records.new_escalation(next(made))
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text, encoding="utf-8")
            script = f"git add -- '{rel}' && git commit -q -m x"
            return run(["sh", "-c", script], repo, ctx.env, timeout=ctx.timeout, pipe=True)

        rounds = 3 * ctx.read_runs
        say(f"escalate at {self.count:,}: cold, then {rounds} warm beside git add + git commit")
        drop_derived(repo)
        figure.cold.measure(mechctl)
        sides = [
            lambda: figure.warm.measure(mechctl),
            lambda: plain.measure(git_commit),
            *self.references(repo, figure),
        ]
        self.in_turns(sides, rounds)
        say(f"  escalate warm {figure.warm.text()}; git add + commit {plain.text()}")
        vs = ("git add + git commit", plain, most)
        result, missed, failed = judge(figure.warm, None, MEMORY * half, vs)
        if not plain.ok():
            result += f" (git add + git commit {plain.error})"
        label = "`escalate` against `git add` + `git commit` of the same file"
        if missed:
            section.missed.append(f"{label} at {self.count:,}")
        if failed:
            section.failed.append(f"{label} at {self.count:,}: {figure.warm.error}")
        cells = [
            label,
            figure.warm.text(),
            figure.cold.text(),
            figure.grep.text(),
            figure.git_status.text(),
            f"≤ {most:g}x git add + git commit and ≤ {mb(MEMORY * half)};"
            f" git add + git commit: {plain.text()}",
            result,
        ]
        return cells, figure

    def peak_row(self, measured: list[Figure], memory: float, section: Section) -> list[str]:
        """The highest peak memory of any warm and any cold run, and which command it was."""

        def highest(cells: list[tuple[str, Cell]]) -> str:
            ran = [(cell.peak(), name) for name, cell in cells if cell.runs]
            if not ran:
                return "—"
            peak, name = max(ran)
            return f"{mb(peak)} ({name})"

        warm = [(f.label.split("`")[1], f.warm) for f in measured]
        cold = [(f.label.split("`")[1], f.cold) for f in measured]
        peaks = [f.warm.peak() for f in measured if f.warm.runs]
        grep = [f.grep.peak() for f in measured if f.grep.runs]
        git = [f.git_status.peak() for f in measured if f.git_status.runs]
        worst = max(peaks, default=0)
        result = "met" if peaks and worst <= memory else f"**missed**: {mb(worst)} > {mb(memory)}"
        if not peaks:
            result = "not measured"
        elif worst > memory:
            section.missed.append(f"peak memory at {self.count:,}")
        return [
            "peak memory of any command above (process tree)",
            highest(warm),
            highest(cold),
            mb(max(grep)) if grep else "—",
            mb(max(git)) if git else "—",
            f"≤ {mb(memory)} (warm)",
            result,
        ]


def measure(ctx: Context) -> None:
    for count in ctx.read_sizes:
        Sizing(ctx, count).measure()


if __name__ == "__main__":  # `bench/run --only reads`, with the other options given
    import sys

    import run as bench_run

    raise SystemExit(bench_run.main(["--only", "reads", *sys.argv[1:]]))
