"""Every figure of docs/design.md §8, measured side by side in one run, printed as one table.

Run it as `bench/run` from the repository root (the wrapper picks a Python that has mechctl):

    bench/run                 # full sizes: 20,000 / 10,000 / 100,000 escalations, 50,000 commits
    bench/run --quick         # a smoke test: 2,000 and 5,000 escalations, 5,000 commits, 2 rounds
    bench/run --runs 7        # more rounds per figure (escalate does 3x as many: it is cheap)
    bench/run --work DIR      # build the repositories in DIR, or reuse the ones already there
    bench/run --only lint     # only some figures (repeatable)
    bench/run --only reads --sizes 20000   # every read command at these sizes (default
                                           # 20,000 and 100,000; --quick: 2,000)

The figures (one module each, which states its goal): escalate (escalate_bench.py), lint
cold, warm, one file changed and peak memory (lint_bench.py), list and big (list_bench.py),
report (report_bench.py), history (history_bench.py), and reads (reads_bench.py: every read
command warm and cold beside grep and `git status`, one table per size; the longest: about
half an hour for both sizes on 2 cores before issue 11's index). The repositories
(builders.py) are realistic organisations, built once per run and shared by the figures that
need the same one: `realistic-N` for escalate, list and report at 20,000, lint at 10,000,
big at 100,000 and reads at each of its sizes, `history-C` of 50,000 commits. harness.py
times and tabulates.

Each figure alternates mechctl and its reference in rounds, so both see the same machine
noise, and reports medians. Next to the wall-clock time it reports CPU time (user + system of
the process and every child it waited for): on a loaded machine the CPU figure is the steadier
one. "Cold" means nothing under `.git/mechctl/`; the page cache is warm for both sides.
Children run with bytecode caching on, as an installed mechctl does, and automatic gc is off
(it would otherwise start in the background in the middle of a timed run). Progress goes to
stderr; the table, in Markdown, to stdout. Exit status: 0 when every goal is met, 3 when some
goal is missed, 1 when a measurement failed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))  # bench/ is not a package

import builders  # noqa: E402
import escalate_bench  # noqa: E402
import history_bench  # noqa: E402
import lint_bench  # noqa: E402
import list_bench  # noqa: E402
import reads_bench  # noqa: E402
import report_bench  # noqa: E402
from harness import STARTED, Context, Failed, Table, say  # noqa: E402

# In the order they run and appear in the table.
FIGURES: dict[str, Callable[[Context], None]] = {
    "escalate": escalate_bench.measure,
    "lint": lint_bench.measure,
    "list": list_bench.measure,
    "report": report_bench.measure,
    "history": history_bench.measure,
    "big": list_bench.measure_big,
    "reads": reads_bench.measure,
}
SIZES = {"escalations": 20_000, "lint": 10_000, "commits": 50_000, "big": 100_000}
QUICK = {"escalations": 2_000, "lint": 2_000, "commits": 5_000, "big": 5_000}
READ_SIZES, QUICK_READ_SIZES = (20_000, 100_000), (2_000,)


def sizes_list(text: str) -> tuple[int, ...]:
    """`--sizes 20000,100000`: escalations per repository, comma-separated."""
    try:
        found = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not found or min(found) < 10:
        raise argparse.ArgumentTypeError(f"sizes must be 10 or more: {text!r}")
    return found


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


def environment(work: Path) -> dict[str, str]:
    """A git identity for the built repositories and nothing from the user's own config; the
    environment of every child."""
    gitconfig = work / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Bench User\n\temail = bench@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        # No automatic gc: each repository is gc-ed once, explicitly, after it is built.
        "[gc]\n\tauto = 0\n",
        encoding="utf-8",
    )
    os.environ.update({"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("MECHCTL_NOW", None)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: small repositories, 2 rounds"
    )
    parser.add_argument(
        "--runs", type=int, help="rounds per figure (default 5, reads 3 warm; --quick 2)"
    )
    parser.add_argument(
        "--sizes",
        type=sizes_list,
        help="escalations of the reads figure, comma-separated (default 20000,100000)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds before a command of the reads figure is killed (default 300)",
    )
    parser.add_argument(
        "--cold",
        choices=["each", "once"],
        default="each",
        help="reads: measure every command cold (default), or only the first one",
    )
    parser.add_argument(
        "--work", type=Path, help="build the repositories here and keep them (reused next time)"
    )
    parser.add_argument(
        "--only", action="append", choices=list(FIGURES), help="measure only these (repeatable)"
    )
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)

    sizes = QUICK if args.quick else SIZES
    runs = args.runs or (2 if args.quick else 5)
    only = set(args.only or FIGURES)
    work = (args.work or Path(tempfile.mkdtemp(prefix="mechctl-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = environment(work)
    mechctl = mechctl_command(env)
    spec = importlib.util.find_spec("mechctl")
    if spec and spec.origin:  # as installed: byte-compiled
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)
    version = subprocess.run(
        [*mechctl, "--version"], capture_output=True, text=True, env=env
    ).stdout.strip()
    load_before = os.getloadavg()
    say(f"mechctl: {shlex.join(mechctl)} ({version}); work dir {work}")

    table = Table()
    repos = builders.Repos(work, say)
    ctx = Context(
        mechctl,
        env,
        runs,
        sizes,
        repos.get,
        table,
        work,
        built=repos.built,
        read_sizes=args.sizes or (QUICK_READ_SIZES if args.quick else READ_SIZES),
        read_runs=args.runs or (2 if args.quick else 3),
        timeout=args.timeout,
        cold_each=args.cold == "each",
    )
    failures: list[str] = []
    try:
        for name, measure in FIGURES.items():
            if name not in only:
                continue
            try:
                measure(ctx)
            except (Failed, subprocess.CalledProcessError, OSError, ValueError) as error:
                detail = error.stderr if isinstance(error, subprocess.CalledProcessError) else ""
                failures.append(f"{name}: {error} {detail or ''}".strip())
                say(f"FAILED {name}: {error} {detail or ''}")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    load_after = os.getloadavg()
    command = "bench/run" + "".join(f" {shlex.quote(a)}" for a in arguments)
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True)
    print(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()};"
        f" Python {platform.python_version()}, {version}, {git_version.stdout.strip()}."
    )
    print(
        f"Command: `{command}` (rounds per figure: {runs}, escalate {runs * 3}"
        + (
            f", reads {ctx.read_runs} warm and 1 cold"
            + ("" if ctx.cold_each else " (the first figure only)")
            if "reads" in only
            else ""
        )
        + "; medians;"
        f" load average {load_before[0]:.1f} before, {load_after[0]:.1f} after;"
        f" total {time.perf_counter() - STARTED:.0f} s)."
    )
    if repos.built:
        print("Repositories: " + "; ".join(f"{k}: {v}" for k, v in repos.built.items()) + ".")
    print()
    print(table.markdown())
    failures += table.failed()
    if failures:
        print()
        for failure in failures:
            print(f"FAILED: {failure}")
    return 1 if failures else (0 if not table.missed() else 3)


if __name__ == "__main__":
    raise SystemExit(main())
