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


def _build(repo: Path, out: Path, weeks: int, search: bool) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `mechctl site` run, as its own process."""
    start = time.monotonic()
    subprocess.run(
        [
            MECHCTL,
            "-C",
            str(repo),
            "site",
            "--out",
            str(out),
            "--weeks",
            str(weeks),
            *([] if search else ["--no-search"]),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MECHCTL_NOW": "2026-06-01T12:00:00Z"},
    )
    wall = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child
    return wall, peak


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--no-search", action="store_true", help="build without Pagefind")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mechctl-site-bench-") as tmp:
        repo = Path(tmp) / "repo"
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(args.repo), str(repo)], check=True
        )
        out = Path(tmp) / "site"
        first, peak = _build(repo, out, args.weeks, not args.no_search)
        escalation = next((repo / "escalations").rglob("*.yaml"))
        text = escalation.read_text()
        escalation.write_text(text.replace("title: ", "title: Changed ", 1))
        subprocess.run(["git", "-C", str(repo), "commit", "-qam", "bench: one change"], check=True)
        rebuild, peak = _build(repo, out, args.weeks, not args.no_search)
    print(f"first build   {first:7.2f} s  (goal {GOALS['first']:.0f} s)")
    print(f"rebuild       {rebuild:7.2f} s  (goal {GOALS['rebuild']:.0f} s)")
    print(f"peak memory   {peak:7.1f} MB (goal {GOALS['peak_mb']:.0f} MB)")
    met = first <= GOALS["first"] and rebuild <= GOALS["rebuild"] and peak <= GOALS["peak_mb"]
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
