"""`mechctl report --format json` over N escalations (default 20,000): cold, then warm.

Goal (issue 6): under 3 s warm. The run also times `escalation list --json --status all` on
the same repository, which loads the same catalog, so the report's own share is visible, and
profiles one warm report to show where the time goes.

    python bench/report_bench.py [--escalations 20000] [--runs 3]

It runs this checkout's code (`python -m mechctl` with PYTHONPATH=src), never an installed one.

Measured 2026-11-21 (20,000 escalations, all open; a shared machine under load ~5):

    report --format json, cold (first run)                  67.9 s
    report --format json, warm (median of 3)                29.0 s   goal: < 3 s (missed)
    escalation list --json --status all, warm (median)      19.3 s   same catalog load
    in one process: catalog load (YAML + pydantic)          20.6 s
    in one process: every report figure, records in memory   0.74 s
    in one process: JSON rendering                           0.55 s

The profile puts 94% of a warm run in `catalog.escalations`, 81% in ruamel's YAML
construction (its C parser feeds a pure-Python constructor and resolver: ~1.3 ms a file) and
4% in pydantic. The report's own work is ~1.3 s, so the goal depends on the catalog's planned
blob-id cache (records parsed once, reused while their blob id is unchanged).
"""

from __future__ import annotations

import argparse
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from escalate_bench import escalation_text  # the same generator as the escalate bench

SRC = Path(__file__).resolve().parents[1] / "src"
MECHCTL = [sys.executable, "-m", "mechctl"]
NOW = "2025-12-31T12:00:00Z"  # the generated escalations are raised through 2025


def build(repo: Path, count: int, env: dict[str, str]) -> None:
    def run(*args: str) -> None:
        subprocess.run([*MECHCTL, *args], check=True, capture_output=True, env=env)

    run("init", str(repo))
    run("-C", str(repo), "mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance")
    run("-C", str(repo), "mechanism", "activate", "wbr")
    rng = random.Random(7)
    for index in range(count):
        rel, text = escalation_text(index, rng)
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, capture_output=True)
    subprocess.run(
        ["git", "commit", "-q", "-m", f"{count} escalations"],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([*MECHCTL, *args], check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def profile(repo: Path, env: dict[str, str], out: Path) -> None:
    """Where a warm report spends its time, by the functions that matter."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(out),
            "-m",
            "mechctl",
            "-C",
            str(repo),
            "report",
            "--format",
            "json",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    stats = pstats.Stats(str(out))
    table = stats.stats  # type: ignore[attr-defined]
    wanted = {
        ("catalog.py", "escalations"): "catalog: load all escalations",
        ("yamlio.py", "load_fast"): "  YAML parse (ruamel safe loader, C parser)",
        ("main.py", "model_validate"): "  pydantic validation",
        ("report.py", "build_report"): "report: build (catalog included)",
        ("gitrepo.py", "activation_dates"): "  git: activation dates (one git log)",
        ("__init__.py", "dumps"): "json: render",
    }
    total = max(entry[3] for entry in table.values())
    print(f"\nprofile of one warm run (cProfile adds overhead), total {total:.2f}s:")
    for (filename, _, name), entry in sorted(table.items(), key=lambda kv: -kv[1][3]):
        label = wanted.get((Path(filename).name, name))
        if label:
            print(f"  {label:<50}{entry[3]:>7.2f}s  ({entry[3] / total:>4.0%})")
            wanted.pop((Path(filename).name, name))


def in_process(repo: Path) -> None:
    """The report's own work, with the records already in memory (what a catalog cache buys)."""
    import json

    sys.path.insert(0, str(SRC))
    os.environ["MECHCTL_NOW"] = NOW
    from mechctl.services.core import catalog
    from mechctl.services.core.context import open_workspace
    from mechctl.services.report import build as service
    from mechctl.services.report.data import as_dict

    ws = open_workspace(repo)
    started = time.perf_counter()
    loaded = catalog.escalations(ws)
    load = time.perf_counter() - started
    original = catalog.escalations
    catalog.escalations = lambda ws, progress=None: loaded
    try:
        started = time.perf_counter()
        data = service.build_report(ws, service.parse_period(None, None, ws.now()))
        build = time.perf_counter() - started
        started = time.perf_counter()
        json.dumps(as_dict(data), indent=2, ensure_ascii=False)
        render = time.perf_counter() - started
    finally:
        catalog.escalations = original
    print("\nin one process, without the profiler:")
    print(f"  {'catalog: load all escalations (YAML + pydantic)':<50}{load:>7.2f}s")
    print(f"  {'report: every figure, records in memory':<50}{build:>7.2f}s")
    print(f"  {'json: render':<50}{render:>7.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mechctl-bench-report-"))
    home = work / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Bench User\n\temail = bench@example.com\n")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PYTHONPATH": str(SRC),
        "MECHCTL_NOW": NOW,
    }
    try:
        repo = work / "repo"
        started = time.perf_counter()
        build(repo, args.escalations, env)
        print(f"built {args.escalations} escalations in {time.perf_counter() - started:.1f}s")
        report = ["-C", str(repo), "report", "--format", "json"]
        listing = ["-C", str(repo), "escalation", "list", "--json", "--status", "all"]
        cold = timed(report, env)
        warm = [timed(report, env) for _ in range(args.runs)]
        lists = [timed(listing, env) for _ in range(args.runs)]
        print(f"{'figure':<52}{'seconds':>9}")
        print(f"{'report --format json, cold (first run)':<52}{cold:>9.2f}")
        print(f"{'report --format json, warm (median)':<52}{statistics.median(warm):>9.2f}")
        print(
            f"{'escalation list --json --status all, warm (median)':<52}"
            f"{statistics.median(lists):>9.2f}"
        )
        print(f"{'goal: report warm under':<52}{3.0:>9.2f}")
        profile(repo, env, work / "report.prof")
        in_process(repo)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
