"""Every figure of docs/design.md §8, measured side by side in one run, printed as one table.

Run it as `bench/run` from the repository root (the wrapper picks a Python that has mechctl):

    bench/run                 # full sizes: 20,000 / 10,000 / 100,000 escalations, 50,000 commits
    bench/run --quick         # a smoke test: 2,000 escalations, 5,000 commits, fewer runs
    bench/run --runs 7        # more rounds per figure (escalate does 3x as many: it is cheap)
    bench/run --work DIR      # build the repositories in DIR, or reuse the ones already there

Repositories (built once, then reused with --work):

- esc:  N escalations (20,000) and one active mechanism, made with bench/escalate_bench.py's
        generator; serves `escalate`, `escalation list --json` and `report --format json`.
        Reset to its built commit before each use, so every run sees the same repository.
- lint: 10,000 realistic escalations and five mechanisms (bench/lint_bench.py's generator).
- hist: 50,000 commits from one `git fast-import` stream (bench/history_bench.py).
- big:  100,000 escalations, for `escalation list --json` at that size (issue 7).

Every repository is `git gc`-ed after it is built, as git's automatic maintenance leaves a
repository that size; automatic gc is off for the bench (it would otherwise start in the
background in the middle of a timed run).

Each figure alternates mechctl and its reference run in rounds, so both see the same machine
noise, and reports medians. Next to the wall-clock time it reports CPU time (user + system of
the process and every child it waited for, from wait4): on a loaded machine the CPU figure is
the steadier one. "Cold" means no mechctl cache (`.git/mechctl/` deleted); the page cache is
warm for both sides. Children run with bytecode caching on, as an installed mechctl does.
Progress goes to stderr; the table, in Markdown, to stdout. Exit status: 0 when every goal is
met, 3 when some goal is missed, 1 when a measurement failed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import random
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
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # bench/ is not a package

import escalate_bench  # noqa: E402
import history_bench  # noqa: E402
import lint_bench  # noqa: E402
import report_bench  # noqa: E402

STARTED = time.perf_counter()
BASE_TAG = "bench-base"  # the commit a built repository is reset to before each use


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


# --- running and timing ---------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the process and the children it waited for
    rss: int = 0  # peak resident memory of the process tree, bytes (when sampled)


class Failed(RuntimeError):
    pass


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    *,
    ok: Sequence[int] = (0,),
    memory: bool = False,
    stdout: Path | None = None,
) -> Run:
    """Run one command to completion: wall time, CPU time (os.wait4), and, with memory=True,
    the peak RSS of its process tree (sampled every 5 ms from /proc, plus the main process's
    own maximum from wait4)."""
    with tempfile.TemporaryFile() as err, open(stdout or os.devnull, "wb") as out:
        began = time.perf_counter()
        child = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        peak = [0]
        done = threading.Event()
        sampler = None
        if memory:

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], lint_bench._tree_rss(child.pid))
                    done.wait(0.005)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
        done.set()
        if sampler:
            sampler.join()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise Failed(f"{shlex.join(command)} (in {cwd}) exited {code}:\n{tail}")
    return Run(wall, usage.ru_utime + usage.ru_stime, max(peak[0], usage.ru_maxrss * 1024))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def median(runs: list[Run], attr: str = "wall") -> float:
    return float(statistics.median(float(getattr(r, attr)) for r in runs))


def drop_cache(repo: Path) -> None:
    """Cold: no derived mechctl cache at all (lint's, the catalog's, the report's facts)."""
    shutil.rmtree(repo / ".git" / "mechctl", ignore_errors=True)


# --- the table ------------------------------------------------------------------------------


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
class Report:
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


def secs(runs: list[Run]) -> str:
    return f"{median(runs, 'wall'):.3f} s (CPU {median(runs, 'cpu'):.3f} s)"


def times(ratio: float) -> str:
    """A ratio with enough digits to compare it with its goal (0.047x, not 0.05x)."""
    return f"{ratio:.3f}x" if ratio < 0.1 else f"{ratio:.2f}x"


def verdict(wall_ok: bool, cpu_ok: bool | None = None) -> tuple[str, str]:
    result = "met" if wall_ok else "**missed**"
    note = ""
    if cpu_ok is not None and cpu_ok != wall_ok:
        note = "met on CPU time" if cpu_ok else "missed on CPU time"
    return result, note


def ratio_row(
    figure: str,
    ours: list[Run],
    reference: list[Run],
    reference_label: str,
    goal: float,
) -> Row:
    wall = median(ours) / median(reference)
    cpu = median(ours, "cpu") / max(median(reference, "cpu"), 1e-9)
    result, note = verdict(wall <= goal, cpu <= goal)
    return Row(
        figure,
        f"{secs(ours)}, n={len(ours)}",
        f"{reference_label}: {secs(reference)}",
        f"{times(wall)} (CPU {times(cpu)})",
        f"≤ {goal:g}x",
        result,
        note,
    )


def absolute_row(
    figure: str, ours: list[Run], reference: list[Run], reference_label: str, goal: float | None
) -> Row:
    wall, cpu = median(ours), median(ours, "cpu")
    ref = f"{reference_label}: {secs(reference)}" if reference else "—"
    if goal is None:
        result, note, goal_text = "informational", "", "none in docs/design.md"
    else:
        result, note = verdict(wall < goal, cpu < goal)
        goal_text = f"< {goal:g} s"
    return Row(
        figure, f"{secs(ours)}, n={len(ours)}", ref, f"{wall:.2f} s", goal_text, result, note
    )


# --- the repositories -----------------------------------------------------------------------


@dataclass
class Sizes:
    escalations: int
    lint: int
    commits: int
    big: int


def built(repo: Path, size: int) -> bool:
    marker = repo / ".git" / "bench-built"
    return marker.is_file() and marker.read_text().strip() == str(size)


def mark_built(repo: Path, size: int) -> None:
    git(repo, "gc", "--quiet")
    git(repo, "tag", "-f", BASE_TAG)
    (repo / ".git" / "bench-built").write_text(f"{size}\n")


def reset(repo: Path) -> None:
    """Back to the built commit, nothing else in the tree (a timed run may have committed)."""
    git(repo, "reset", "-q", "--hard", BASE_TAG)
    git(repo, "clean", "-q", "-fdx", "--", "escalations", "mechanisms")


def ensure(repo: Path, size: int, label: str, make: Callable[[Path], None]) -> None:
    if built(repo, size):
        say(f"reusing {label} in {repo}")
        return
    shutil.rmtree(repo, ignore_errors=True)
    say(f"building {label} in {repo} ...")
    began = time.perf_counter()
    make(repo)
    mark_built(repo, size)
    say(f"built {label} in {time.perf_counter() - began:.1f} s")


def build_escalations(
    mechctl: list[str], env: dict[str, str], count: int
) -> Callable[[Path], None]:
    def make(repo: Path) -> None:
        # escalate_bench.build runs `mechctl init` and `mechanism new` as a program name;
        # `mechctl` may be `python -m mechctl`, so run those two steps here the same way.
        def cli(*args: str) -> None:
            subprocess.run([*mechctl, *args], check=True, capture_output=True, env=env)

        cli("init", str(repo))
        cli("-C", str(repo), "mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance")
        cli("-C", str(repo), "mechanism", "activate", "wbr")
        rng = random.Random(7)
        for index in range(count):
            rel, text = escalate_bench.escalation_text(index, rng)
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if index and index % 20_000 == 0:
                say(f"  {index} files written")
        escalate_bench.git(repo, "add", "-A")
        escalate_bench.git(repo, "commit", "-q", "-m", f"{count} escalations")

    return make


# --- the figures ----------------------------------------------------------------------------


def figure_escalate(
    repo: Path, mechctl: list[str], env: dict[str, str], runs: int, count: int, report: Report
) -> None:
    say(f"figure 1: escalate vs git add + git commit, {runs} rounds (+1 warm-up)")
    reset(repo)
    rng = random.Random(11)
    ours: list[Run] = []
    theirs: list[Run] = []
    for round_ in range(runs + 1):

        def mine(round_: int = round_) -> Run:
            return run(
                [
                    *mechctl,
                    "escalate",
                    "-m",
                    "wbr",
                    "-t",
                    f"Bench failure {round_}",
                    "-i",
                    "Customers waited longer than promised",
                ],
                repo,
                env,
            )

        def plain(round_: int = round_) -> Run:
            rel, text = escalate_bench.escalation_text(count + round_, rng)
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_text(text, encoding="utf-8")
            return run(["sh", "-c", f"git add -- '{rel}' && git commit -q -m x"], repo, env)

        if round_ % 2:  # alternate which goes first
            b, a = plain(), mine()
        else:
            a, b = mine(), plain()
        if round_:  # the first round warms the page cache for both
            ours.append(a)
            theirs.append(b)
    report.add(
        ratio_row(
            f"`escalate`, repo of {count:,} escalations", ours, theirs, "git add + git commit", 2.5
        )
    )
    reset(repo)


def figure_lint(
    repo: Path, mechctl: list[str], env: dict[str, str], runs: int, count: int, report: Report
) -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    checker_cmd = str(checker) if checker.exists() else shutil.which("check-jsonschema")
    files = sorted(str(p.relative_to(repo)) for p in (repo / "escalations").rglob("*.yaml"))
    lint = [*mechctl, "lint"]
    lint_env = {**env, "MECHCTL_NOW": lint_bench._stamp(lint_bench.NOW)}
    say(
        f"figures 2, 3, 6: lint over {len(files):,} escalations, {runs} rounds"
        + ("" if checker_cmd else " (check-jsonschema is not installed)")
    )
    reference: list[Run] = []
    cold: list[Run] = []
    warm: list[Run] = []
    ok = (0, 1)  # findings (exit 1) are fine; the bench measures the work, not the verdict
    # One unmeasured cold + warm pair first: the page cache and bytecode, for both sides.
    drop_cache(repo)
    run(lint, repo, lint_env, ok=ok)
    for round_ in range(runs):
        if checker_cmd:
            reference.append(
                run(
                    [checker_cmd, "--schemafile", "schemas/escalation.schema.json", *files],
                    repo,
                    env,
                    ok=(0, 1),
                    memory=True,
                )
            )
        drop_cache(repo)
        cold.append(run(lint, repo, lint_env, ok=ok, memory=True))
        for _ in range(2):
            warm.append(run(lint, repo, lint_env, ok=ok, memory=True))
        say(
            f"  round {round_ + 1}: cold {cold[-1].wall:.2f} s, warm {warm[-1].wall:.2f} s"
            + (f", check-jsonschema {reference[-1].wall:.2f} s" if reference else "")
        )
    label = f"`lint`, cold, {count:,} escalations"
    if reference:
        report.add(ratio_row(label, cold, reference, "check-jsonschema", 0.5))
    else:
        report.add(
            Row(
                label,
                f"{secs(cold)}, n={len(cold)}",
                "not installed: pip install check-jsonschema",
                "—",
                "≤ 0.5x",
                "not measured",
            )
        )
    report.add(
        ratio_row(
            f"`lint`, warm (nothing changed), {count:,} escalations", warm, cold, "lint cold", 0.05
        )
    )
    peak = max(r.rss for r in cold)
    peak_warm = max(r.rss for r in warm)
    ref_peak = (
        f"check-jsonschema: {max(r.rss for r in reference) / 1e6:.0f} MB" if reference else "—"
    )
    report.add(
        Row(
            f"peak memory of `lint`, {count:,} files (process tree)",
            f"cold {peak / 1e6:.0f} MB, warm {peak_warm / 1e6:.0f} MB",
            ref_peak,
            f"{max(peak, peak_warm) / 1e6:.0f} MB",
            "< 200 MB",
            verdict(max(peak, peak_warm) < 200e6)[0],
        )
    )


def figure_list_report(
    repo: Path,
    mechctl: list[str],
    env: dict[str, str],
    runs: int,
    count: int,
    report: Report,
    work: Path,
) -> None:
    say(
        f"figures 4 and report: escalation list --json and report --format json over"
        f" {count:,} escalations"
    )
    reset(repo)
    env = {**env, "MECHCTL_NOW": report_bench.NOW}
    listing = [*mechctl, "escalation", "list", "--json"]
    rendering = [*mechctl, "report", "--format", "json"]
    drop_cache(repo)
    listed = work / "list.json"
    list_cold = run(listing, repo, env, stdout=listed)
    shown = len(json.loads(listed.read_bytes()))
    if shown != count:
        say(f"  warning: the listing shows {shown} escalations, not {count}")
    say(f"  list cold {list_cold.wall:.2f} s ({shown:,} listed)")
    drop_cache(repo)
    report_cold = run(rendering, repo, env)
    say(f"  report cold {report_cold.wall:.2f} s")
    run(listing, repo, env)  # warm both caches
    run(rendering, repo, env)
    lists: list[Run] = []
    reports: list[Run] = []
    for round_ in range(runs):
        lists.append(run(listing, repo, env))
        reports.append(run(rendering, repo, env))
        say(f"  round {round_ + 1}: list {lists[-1].wall:.2f} s, report {reports[-1].wall:.2f} s")
    report.add(
        absolute_row(
            f"`escalation list --json`, warm, {count:,} escalations",
            lists,
            [list_cold],
            "cold (first run)",
            1.0,
        )
    )
    report.add(
        absolute_row(
            f"`report --format json`, warm, {count:,} escalations (issue 6)",
            reports,
            [report_cold],
            "cold (first run)",
            3.0,
        )
    )


def figure_history(
    repo: Path,
    mechctl: list[str],
    env: dict[str, str],
    runs: int,
    commits: int,
    report: Report,
    work: Path,
) -> None:
    say(f"figure 5: history wbr in {commits:,} commits vs git log --follow, {runs} rounds")
    mine = [*mechctl, "history", "wbr", "--json"]
    plain = ["git", "log", "--follow", "--oneline", "--", "mechanisms/wbr.yaml"]
    out = work / "history.json"
    run(mine, repo, env, stdout=out)  # warm-up
    shown = json.loads(out.read_bytes())
    entries = len(shown["entries"] if isinstance(shown, dict) else shown)
    run(plain, repo, env)
    ours: list[Run] = []
    theirs: list[Run] = []
    for _ in range(runs):
        ours.append(run(mine, repo, env))
        theirs.append(run(plain, repo, env))
    row = absolute_row(
        f"`history wbr` ({entries} entries), repo of {commits:,} commits",
        ours,
        theirs,
        "git log --follow",
        1.0,
    )
    wall = median(ours) / median(theirs)
    row.reference += f"; ratio {wall:.1f}x"
    report.add(row)


def figure_big(
    repo: Path, mechctl: list[str], env: dict[str, str], runs: int, count: int, report: Report
) -> None:
    say(f"issue 7: escalation list --json over {count:,} escalations")
    env = {**env, "MECHCTL_NOW": report_bench.NOW}
    listing = [*mechctl, "escalation", "list", "--json"]
    drop_cache(repo)
    cold = run(listing, repo, env)
    say(f"  cold {cold.wall:.2f} s")
    lists: list[Run] = []
    for round_ in range(runs):
        lists.append(run(listing, repo, env))
        say(f"  round {round_ + 1}: {lists[-1].wall:.2f} s")
    report.add(
        absolute_row(
            f"`escalation list --json`, warm, {count:,} escalations",
            lists,
            [cold],
            "cold (first run)",
            None,
        )
    )


# --- main -----------------------------------------------------------------------------------


def mechctl_command(env: dict[str, str]) -> list[str]:
    """The installed console script next to this Python, else `python -m mechctl`."""
    script = Path(sys.executable).with_name("mechctl")
    if script.exists():
        return [str(script)]
    if importlib.util.find_spec("mechctl") is None:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])
        )
    return [sys.executable, "-m", "mechctl"]


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpu = f"{os.cpu_count()} cores" + (f" ({model})" if model else "")
    return f"{cpu}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 2,000 escalations, 5,000 commits, fewer runs",
    )
    parser.add_argument("--runs", type=int, help="rounds per figure (default 5; --quick 2)")
    parser.add_argument(
        "--work", type=Path, help="build the repositories here and keep them (reused next time)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["escalate", "lint", "list", "history", "big"],
        help="measure only these figures (repeatable)",
    )
    args = parser.parse_args()

    sizes = (
        Sizes(escalations=2_000, lint=2_000, commits=5_000, big=5_000)
        if args.quick
        else Sizes(escalations=20_000, lint=10_000, commits=50_000, big=100_000)
    )
    runs = args.runs or (2 if args.quick else 5)
    only = set(args.only or ["escalate", "lint", "list", "history", "big"])
    work = (args.work or Path(tempfile.mkdtemp(prefix="mechctl-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)

    # A git identity for the built repositories, and nothing from the user's own config.
    gitconfig = work / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Bench User\n\temail = bench@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        # No automatic gc: it would start in the background in the middle of a timed run.
        # Every repository is gc-ed once, explicitly, after it is built.
        "[gc]\n\tauto = 0\n",
        encoding="utf-8",
    )
    os.environ.update({"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"})
    # Children run as an installed mechctl does: with bytecode cached.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("MECHCTL_NOW", None)
    mechctl = mechctl_command(env)
    spec = importlib.util.find_spec("mechctl")
    if spec and spec.origin:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)

    version = subprocess.run(
        [*mechctl, "--version"], capture_output=True, text=True, env=env
    ).stdout.strip()
    load_before = os.getloadavg()
    say(f"mechctl: {shlex.join(mechctl)} ({version}); work dir {work}")
    report = Report()
    failures: list[str] = []
    try:
        esc_repo, lint_repo = work / f"esc-{sizes.escalations}", work / f"lint-{sizes.lint}"
        hist_repo, big_repo = work / f"hist-{sizes.commits}", work / f"esc-{sizes.big}"
        steps: list[tuple[str, Callable[[], None]]] = []
        if only & {"escalate", "list"}:
            steps.append(
                (
                    "build esc",
                    lambda: ensure(
                        esc_repo,
                        sizes.escalations,
                        f"{sizes.escalations:,} escalations",
                        build_escalations(mechctl, env, sizes.escalations),
                    ),
                )
            )
        if "escalate" in only:
            steps.append(
                (
                    "escalate",
                    lambda: figure_escalate(
                        esc_repo, mechctl, env, runs * 3, sizes.escalations, report
                    ),
                )
            )
        if "lint" in only:
            steps.append(
                (
                    "build lint",
                    lambda: ensure(
                        lint_repo,
                        sizes.lint,
                        f"{sizes.lint:,} lint escalations",
                        lambda repo: lint_bench.generate(repo, sizes.lint),
                    ),
                )
            )
            steps.append(
                ("lint", lambda: figure_lint(lint_repo, mechctl, env, runs, sizes.lint, report))
            )
        if "list" in only:
            steps.append(
                (
                    "list",
                    lambda: figure_list_report(
                        esc_repo, mechctl, env, runs, sizes.escalations, report, work
                    ),
                )
            )
        if "history" in only:
            steps.append(
                (
                    "build hist",
                    lambda: ensure(
                        hist_repo,
                        sizes.commits,
                        f"{sizes.commits:,} commits",
                        lambda repo: history_bench.build(repo, sizes.commits),
                    ),
                )
            )
            steps.append(
                (
                    "history",
                    lambda: figure_history(
                        hist_repo, mechctl, env, runs, sizes.commits, report, work
                    ),
                )
            )
        if "big" in only:
            steps.append(
                (
                    "build big",
                    lambda: ensure(
                        big_repo,
                        sizes.big,
                        f"{sizes.big:,} escalations",
                        build_escalations(mechctl, env, sizes.big),
                    ),
                )
            )
            steps.append(
                (
                    "big",
                    lambda: figure_big(
                        big_repo, mechctl, env, max(3, runs // 2 + 1), sizes.big, report
                    ),
                )
            )
        for name, step in steps:
            try:
                step()
            except (Failed, subprocess.CalledProcessError, OSError, ValueError) as error:
                detail = error.stderr if isinstance(error, subprocess.CalledProcessError) else ""
                failures.append(f"{name}: {error} {detail or ''}".strip())
                say(f"FAILED {name}: {error} {detail or ''}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    load_after = os.getloadavg()
    command = "bench/run" + "".join(f" {shlex.quote(a)}" for a in sys.argv[1:])
    print(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()};"
        f" Python {platform.python_version()}, {version}, "
        f"{subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}."
    )
    print(
        f"Command: `{command}` (rounds per figure: {runs}, escalate {runs * 3}; medians;"
        f" load average {load_before[0]:.1f} before, {load_after[0]:.1f} after;"
        f" total {time.perf_counter() - STARTED:.0f} s)."
    )
    print()
    print(report.markdown())
    if failures:
        print()
        for failure in failures:
            print(f"FAILED: {failure}")
    missed = [r.figure for r in report.rows if "missed" in r.result]
    return 1 if failures else (0 if not missed else 3)


if __name__ == "__main__":
    raise SystemExit(main())
