"""`mechctl lint`: cold against check-jsonschema, warm against cold, and its peak memory
(docs/design.md §8), on the realistic repository of `lint` records.

Goals (issue 11): cold (no `.git/mechctl/`: the index is built, lint's per-file results with
its rows) at most 0.2 times check-jsonschema on the same escalation files with the exported
schema, measured in the same run; warm (nothing changed) under 0.3 s; the peak memory of the
process tree, workers included, under 150 MB. It also times lint after one escalation
changed (one row checked again, the rest from the index), without a goal.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import records
from harness import (
    Context,
    Row,
    Run,
    absolute_row,
    drop_derived,
    mb,
    mechctl_cell,
    ratio_row,
    rounds,
    run,
    say,
    verdict,
)

COLD_GOAL = 0.2  # times check-jsonschema
WARM_GOAL = 0.3  # seconds
MEMORY_GOAL = 150e6  # bytes
OK = (0, 1)  # findings (exit 1) are fine: the bench measures the work, not the verdict
SCHEMA = "schemas/escalation.schema.json"
# Bytes of file names per check-jsonschema command: well under the kernel's limit on a command
# line (ARG_MAX, 2 MiB on Linux, environment included).
BATCH_BYTES = 1 << 20


def checker() -> str | None:
    """check-jsonschema next to this Python, else on PATH, else None (not installed)."""
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.exists() else shutil.which("check-jsonschema")


def escalation_files(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in (repo / "escalations").rglob("*.yaml"))


def batches(files: list[str]) -> list[list[str]]:
    """The files in as few commands as the command-line limit allows (one up to ~20,000)."""
    found: list[list[str]] = [[]]
    size = 0
    for name in files:
        if found[-1] and size + len(name) + 1 > BATCH_BYTES:
            found.append([])
            size = 0
        found[-1].append(name)
        size += len(name) + 1
    return found


def check_jsonschema(
    command: str, repo: Path, files: list[str], env: dict[str, str], timeout: float | None = None
) -> Run:
    """check-jsonschema over `files` with the exported escalation schema, in one command, or in
    several one after another when the names pass the command-line limit: their wall and
    CPU times summed, their peak memory the highest. `timeout` bounds each command."""
    parts = [
        run([command, "--schemafile", SCHEMA, *names], repo, env, ok=OK, timeout=timeout)
        for names in batches(files)
    ]
    return Run(sum(p.wall for p in parts), sum(p.cpu for p in parts), max(p.rss for p in parts))


def measure(ctx: Context) -> None:
    count = ctx.sizes["lint"]
    repo = ctx.repo("realistic", count)
    env = {**ctx.env, "MECHCTL_NOW": records.NOW_TEXT}
    checker_cmd = checker()
    files = escalation_files(repo)
    lint = ctx.cli("lint")
    say(
        f"lint over {len(files):,} escalations, {ctx.runs} rounds"
        + ("" if checker_cmd else " (check-jsonschema is not installed)")
    )

    def cold() -> Run:
        drop_derived(repo)
        return run(lint, repo, env, ok=OK)

    def warm() -> Run:
        return run(lint, repo, env, ok=OK)

    sides = {"cold": cold, "warm": warm, "warm again": warm}
    if checker_cmd:
        command = checker_cmd
        sides = {"check-jsonschema": lambda: check_jsonschema(command, repo, files, env), **sides}
    measured = rounds(ctx.runs, sides, rotate=False)  # a cold run fills what warm ones read
    cold_runs, warm_runs = measured["cold"], measured["warm"] + measured["warm again"]
    reference = measured.get("check-jsonschema", [])

    label = f"`lint`, cold, {count:,} escalations"
    if reference:
        ctx.table.add(ratio_row(label, cold_runs, reference, "check-jsonschema", COLD_GOAL))
    else:
        ctx.table.add(
            Row(
                label,
                mechctl_cell(cold_runs),
                "not installed: pip install check-jsonschema",
                "—",
                f"≤ {COLD_GOAL:g}x",
                "not measured",
            )
        )
    ctx.table.add(
        absolute_row(
            f"`lint`, warm (nothing changed), {count:,} escalations",
            warm_runs,
            cold_runs,
            "lint cold",
            WARM_GOAL,
        )
    )

    # One escalation changed by hand each round (a comment line: a new blob), so the index checks
    # that one file again and lint takes the rest from its rows.
    target = repo / files[len(files) // 2]
    original = target.read_text(encoding="utf-8")
    edits = iter(range(1, 1_000_000))

    def one_changed() -> Run:
        target.write_text(f"{original}# edit {next(edits)}\n", encoding="utf-8")
        return run(lint, repo, env, ok=OK)

    changed = rounds(ctx.runs, {"one changed": one_changed}, warmup=0)["one changed"]
    target.write_text(original, encoding="utf-8")
    ctx.table.add(
        absolute_row(
            f"`lint`, one escalation changed, {count:,} escalations",
            changed,
            cold_runs,
            "lint cold",
            None,
        )
    )

    peak_cold = max(r.rss for r in cold_runs)
    peak_warm = max(r.rss for r in warm_runs + changed)
    peak = max(peak_cold, peak_warm)
    ctx.table.add(
        Row(
            f"peak memory of `lint`, {count:,} files (process tree)",
            f"cold {mb(peak_cold)}, warm {mb(peak_warm)}",
            f"check-jsonschema: {mb(max(r.rss for r in reference))}" if reference else "—",
            mb(peak),
            f"< {mb(MEMORY_GOAL)}",
            verdict(peak < MEMORY_GOAL)[0],
        )
    )


if __name__ == "__main__":  # `bench/run --only lint`, with the other options given
    import sys

    import run

    raise SystemExit(run.main(["--only", "lint", *sys.argv[1:]]))
