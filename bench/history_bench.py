"""`mechctl history wbr` in the replayed repository of `commits` commits, beside
`git log --follow` of the same file (docs/design.md §8).

Goal: under 1 s. It measures twice: in the repository as `git gc` leaves it (one pack and a
commit-graph, as git's automatic maintenance keeps any repository this size), and in a fresh
`git clone` of it (one pack, no commit-graph: what a CI job starts from).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from harness import Context, absolute_row, median, rounds, run, say

GOAL = 1.0  # seconds
RECORD = "wbr"


def _measure(ctx: Context, repo: Path, label: str) -> None:
    mechctl = ctx.cli("history", RECORD, "--json")
    plain = ["git", "log", "--follow", "--oneline", "--", f"mechanisms/{RECORD}.yaml"]
    out = ctx.work / "history.json"
    run(mechctl, repo, ctx.env, stdout=out)
    shown = json.loads(out.read_bytes())
    entries = len(shown["entries"] if isinstance(shown, dict) else shown)
    say(f"history {RECORD} ({entries} entries), {label}, {ctx.runs} rounds")
    measured = rounds(
        ctx.runs,
        {
            "history": lambda: run(mechctl, repo, ctx.env),
            "git log --follow": lambda: run(plain, repo, ctx.env),
        },
    )
    ours, theirs = measured["history"], measured["git log --follow"]
    row = absolute_row(
        f"`history {RECORD}` ({entries} entries), {label}", ours, theirs, "git log --follow", GOAL
    )
    row.reference += f"; ratio {median(ours) / median(theirs):.1f}x"
    ctx.table.add(row)


def measure(ctx: Context) -> None:
    commits = ctx.sizes["commits"]
    repo = ctx.repo("history", commits)
    _measure(ctx, repo, f"repo of {commits:,} commits")
    clone = ctx.work / f"history-{commits}-clone"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", f"file://{repo}", str(clone)], check=True)
    try:
        _measure(ctx, clone, f"fresh clone of {commits:,} commits (no commit-graph)")
    finally:
        shutil.rmtree(clone, ignore_errors=True)


if __name__ == "__main__":  # `bench/run --only history`, with the other options given
    import sys

    import run

    raise SystemExit(run.main(["--only", "history", *sys.argv[1:]]))
