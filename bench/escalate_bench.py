"""`mechctl escalate` against `git add` + `git commit` of the same file (docs/design.md §8: ≤ 2.5×).

Builds a repository holding N escalations (default 20,000), then alternates the two, so both
see the same machine noise, and reports medians and the ratio.

    python bench/escalate_bench.py [--escalations 20000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def escalation_text(index: int, rng: random.Random) -> tuple[str, str]:
    month = index % 12 + 1
    day = index % 28 + 1
    suffix = "".join(rng.choice(ALPHABET) for _ in range(8))
    esc_id = f"esc-2025{month:02d}{day:02d}-{suffix}"
    stamp = f"2025-{month:02d}-{day:02d}T10:00:00Z"
    text = (
        "# yaml-language-server: $schema=../../../schemas/escalation.schema.json\n"
        f"id: {esc_id}\ntitle: Customers waited on escalation {index}\nmechanism: wbr\n"
        "failure_mode: scale\nseverity: sev3\nlevel: director\nstatus: open\n"
        "customer_impact: Customers waited longer than promised\n"
        "raised_by: Bench User <bench@example.com>\n"
        f"raised_at: {stamp}\nowner: finance\nlinks: []\ntags: []\ntimeline:\n"
        f"  - at: {stamp}\n    by: Bench User <bench@example.com>\n    action: raised\n"
        "    level: director\n"
    )
    return f"escalations/2025/{month:02d}/{esc_id}.yaml", text


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def build(repo: Path, count: int, mechctl: str) -> None:
    subprocess.run([mechctl, "init", str(repo)], check=True, capture_output=True)
    subprocess.run([mechctl, "-C", str(repo), "mechanism", "new", "wbr", "--template", "wbr",
                    "--owner", "finance"], check=True, capture_output=True)
    rng = random.Random(7)
    for index in range(count):
        rel, text = escalation_text(index, rng)
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{count} escalations")


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    mechctl = shutil.which("mechctl", path=str(Path(sys.executable).parent)) or "mechctl"
    work = Path(tempfile.mkdtemp(prefix="mechctl-bench-escalate-"))
    env_home = work / "home"
    env_home.mkdir()
    (env_home / ".gitconfig").write_text("[user]\n\tname = Bench User\n\temail = bench@example.com\n")
    os.environ.update({"GIT_CONFIG_GLOBAL": str(env_home / ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"})
    try:
        repo = work / "repo"
        started = time.perf_counter()
        build(repo, args.escalations, mechctl)
        print(f"built {args.escalations} escalations in {time.perf_counter() - started:.1f}s")
        rng = random.Random(11)
        ours, theirs = [], []
        for run in range(args.runs + 1):
            ours_time = timed([mechctl, "escalate", "-m", "wbr", "-t", f"Bench failure {run}",
                               "-i", "Customers waited longer than promised"], repo)
            rel, text = escalation_text(args.escalations + run, rng)
            (repo / rel).write_text(text, encoding="utf-8")
            theirs_time = timed(["sh", "-c", f"git add -- '{rel}' && git commit -q -m x"], repo)
            if run:  # the first round warms the page cache for both
                ours.append(ours_time)
                theirs.append(theirs_time)
        mine, base = statistics.median(ours), statistics.median(theirs)
        print(f"{'figure':<44}{'median':>10}")
        print(f"{'mechctl escalate':<44}{mine * 1000:>8.0f}ms")
        print(f"{'git add + git commit (same file)':<44}{base * 1000:>8.0f}ms")
        print(f"{'ratio (goal <= 2.5x)':<44}{mine / base:>9.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
