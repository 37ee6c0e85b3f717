"""`mechctl escalation list --json`, warm, on the realistic repositories (docs/design.md §8).

Goal: under 1 s over `escalations` records (20,000). The default listing shows the unresolved
escalations; `--status all` (every record) is timed beside it, without a goal. `big` lists
the `big` repository (100,000), for which docs/design.md sets no goal. Each listing's first
run, with nothing under `.git/mechctl/`, is shown as its cold reference.
"""

from __future__ import annotations

import json

import records
from harness import Context, absolute_row, drop_derived, rounds, run, say

GOAL = 1.0  # seconds, warm, at 20,000


def listing(ctx: Context, count: int, options: list[str], goal: float | None) -> None:
    repo = ctx.repo("realistic", count)
    env = {**ctx.env, "MECHCTL_NOW": records.NOW_TEXT}
    command = ctx.cli("escalation", "list", "--json", *options)
    shown = " ".join(["escalation list --json", *options])
    say(f"{shown} over {count:,} escalations, {ctx.runs} rounds")
    drop_derived(repo)
    listed = ctx.work / "list.json"
    cold = run(command, repo, env, stdout=listed)
    rows = len(json.loads(listed.read_bytes()))
    say(f"  cold {cold.wall:.2f} s, {rows:,} rows")
    warm = rounds(ctx.runs, {"warm": lambda: run(command, repo, env)})["warm"]
    ctx.table.add(
        absolute_row(
            f"`{shown}`, warm, {count:,} escalations ({rows:,} listed)",
            warm,
            [cold],
            "cold (first run)",
            goal,
        )
    )


def measure(ctx: Context) -> None:
    listing(ctx, ctx.sizes["escalations"], [], GOAL)
    listing(ctx, ctx.sizes["escalations"], ["--status", "all"], None)


def measure_big(ctx: Context) -> None:
    listing(ctx, ctx.sizes["big"], [], None)


if __name__ == "__main__":  # `bench/run --only list`, with the other options given
    import sys

    import run

    raise SystemExit(run.main(["--only", "list", *sys.argv[1:]]))
