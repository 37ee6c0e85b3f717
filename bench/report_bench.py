"""`mechctl report --format json`, warm, on the realistic repository of `escalations` records.

Goal (issue 6): under 3 s over 20,000 escalations. The first run, with nothing under
`.git/mechctl/`, is shown as its cold reference.
"""

from __future__ import annotations

import records
from harness import Context, absolute_row, drop_derived, rounds, run, say

GOAL = 3.0  # seconds, warm


def measure(ctx: Context) -> None:
    count = ctx.sizes["escalations"]
    repo = ctx.repo("realistic", count)
    env = {**ctx.env, "MECHCTL_NOW": records.NOW_TEXT}
    command = ctx.cli("report", "--format", "json")
    say(f"report --format json over {count:,} escalations, {ctx.runs} rounds")
    drop_derived(repo)
    cold = run(command, repo, env)
    say(f"  cold {cold.wall:.2f} s")
    warm = rounds(ctx.runs, {"warm": lambda: run(command, repo, env)})["warm"]
    ctx.table.add(
        absolute_row(
            f"`report --format json`, warm, {count:,} escalations (issue 6)",
            warm,
            [cold],
            "cold (first run)",
            GOAL,
        )
    )


if __name__ == "__main__":  # `bench/run --only report`, with the other options given
    import sys

    import run

    raise SystemExit(run.main(["--only", "report", *sys.argv[1:]]))
