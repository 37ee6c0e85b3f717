"""`mechctl escalate` against `git add` + `git commit` of the same file (docs/design.md §8).

Goal: at most 2.5 times as long, on the realistic repository of `escalations` records. Each
round raises one escalation with mechctl and commits one file as `escalate` would write it
with plain git, alternating which goes first; escalate runs three times as many rounds as
the other figures (it is cheap, and noisy).
"""

from __future__ import annotations

import records
from harness import Context, Run, ratio_row, rounds, run, say

GOAL = 2.5  # times git add + git commit


def measure(ctx: Context) -> None:
    count = ctx.sizes["escalations"]
    repo = ctx.repo("realistic", count)
    runs = ctx.runs * 3
    say(f"escalate vs git add + git commit, {runs} rounds (+1 warm-up)")
    made = iter(range(1_000_000))

    def mechctl() -> Run:
        title = f"Bench failure {next(made)}"
        command = ctx.cli(
            "escalate", "-m", "wbr", "-t", title, "-i", "Customers waited longer than promised"
        )
        return run(command, repo, ctx.env)

    def plain() -> Run:
        rel, text = records.new_escalation(next(made))
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
        return run(["sh", "-c", f"git add -- '{rel}' && git commit -q -m x"], repo, ctx.env)

    measured = rounds(runs, {"escalate": mechctl, "git add + commit": plain})
    ctx.table.add(
        ratio_row(
            f"`escalate`, repo of {count:,} escalations",
            measured["escalate"],
            measured["git add + commit"],
            "git add + git commit",
            GOAL,
        )
    )


if __name__ == "__main__":  # `bench/run --only escalate`, with the other options given
    import sys

    import run

    raise SystemExit(run.main(["--only", "escalate", *sys.argv[1:]]))
