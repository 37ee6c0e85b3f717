"""`mechctl site` on a realistic repository: a first build, then a rebuild after one change.

Goals (issue 14): first build at 100,000 escalations within 60 s, a rebuild after one changed
escalation within 3 s, peak memory within 200 MB. The repository is cloned first (never
written to): `python bench/site_bench.py /path/to/realistic-100000 [--weeks N]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"first": 60.0, "rebuild": 3.0, "peak_mb": 200.0}
MECHCTL = str(Path(sys.executable).with_name("mechctl"))


def _run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system of the process tree) and peak RSS (MB, the
    largest process so far) of one mechctl run, as its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(
        [MECHCTL, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MECHCTL_NOW": "2026-06-01T12:00:00Z"},
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, after.ru_maxrss / 1024


def _build(repo: Path, out: Path, weeks: int, search: bool) -> tuple[float, float, float]:
    return _run(
        [
            "-C",
            str(repo),
            "site",
            "--out",
            str(out),
            "--weeks",
            str(weeks),
            *([] if search else ["--no-search"]),
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--no-search", action="store_true", help="build without Pagefind")
    parser.add_argument(
        "--warm-index",
        action="store_true",
        help="build the index first (`escalation list`) and time it apart, so"
        " the first build is the site's own work",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mechctl-site-bench-") as tmp:
        repo = Path(tmp) / "repo"
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(args.repo), str(repo)], check=True
        )
        out = Path(tmp) / "site"
        if args.warm_index:
            wall, cpu, _ = _run(["-C", str(repo), "escalation", "list"])
            print(f"index (cold)  {wall:7.2f} s  CPU {cpu:7.2f} s  (not the site's)")
        first, first_cpu, first_peak = _build(repo, out, args.weeks, not args.no_search)
        escalation = next((repo / "escalations").rglob("*.yaml"))
        text = escalation.read_text()
        escalation.write_text(text.replace("title: ", "title: Changed ", 1))
        subprocess.run(["git", "-C", str(repo), "commit", "-qam", "bench: one change"], check=True)
        rebuild, rebuild_cpu, peak = _build(repo, out, args.weeks, not args.no_search)
    print(
        f"first build   {first:7.2f} s  CPU {first_cpu:7.2f} s  (goal {GOALS['first']:.0f} s)"
        f"  peak {first_peak:.1f} MB"
    )
    print(
        f"rebuild       {rebuild:7.2f} s  CPU {rebuild_cpu:7.2f} s  (goal {GOALS['rebuild']:.0f} s)"
    )
    print(
        f"peak memory   {peak:7.1f} MB (goal {GOALS['peak_mb']:.0f} MB; the largest process;"
        " a child started by exec counts its parent's size)"
    )
    met = first <= GOALS["first"] and rebuild <= GOALS["rebuild"] and peak <= GOALS["peak_mb"]
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
