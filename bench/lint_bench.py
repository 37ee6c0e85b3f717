"""Benchmark: `mechctl lint` against check-jsonschema on the same 10,000 escalations (docs/design.md §8).

Builds a repository of realistic records in a temporary folder (five active mechanisms with
versions, iterations and inspections; escalations spread over two years, most resolved by a
mechanism change), then measures, side by side in one run:

- check-jsonschema --schemafile schemas/escalation.schema.json on every escalation file;
- mechctl lint, cold (no cache);
- mechctl lint, warm (nothing changed);
- mechctl lint after one escalation changed (one cold file, the rest warm);
- the peak memory of each mechctl run (the process tree, workers included).

Run from the repository root:

    /work/venv/bin/python bench/lint_bench.py [--count 10000] [--repeat 3] [--keep]

Goals: cold <= 0.5x check-jsonschema; warm <= 0.05x of cold; peak memory < 200 MB.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MECHANISMS = ("bar-raiser", "wbr", "operating-plan", "prfaq", "narrative")
OWNERS = {
    "bar-raiser": "recruiting",
    "wbr": "business-operations",
    "operating-plan": "finance",
    "prfaq": "product-management",
    "narrative": "leadership-team",
}
MODES = ("new-input", "output-changed", "scale", "not-adopted", "not-inspected", "other")
LEVELS = ("team", "manager", "director", "vp")
B32 = "abcdefghijklmnopqrstuvwxyz234567"
HEADER = "# yaml-language-server: $schema=../../../schemas/escalation.schema.json\n"
IMPACTS = (
    "Customers in the EU region saw stale prices for two days after the catalogue update.",
    "Enterprise customers waited three weeks for a decision on their renewal terms.",
    "The weekly deck omitted churn for new sign-ups, so a 4% drop went unnoticed for a month.",
    "Candidates received conflicting feedback from two loops and withdrew.",
    "Support queues doubled during the launch and first replies took over 48 hours.",
)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _escalation_text(esc: dict[str, object]) -> str:
    """One escalation as mechctl writes it (model key order, block style)."""
    lines = [HEADER.rstrip("\n")]
    lines.append(f"id: {esc['id']}")
    lines.append(f"title: {esc['title']}")
    lines.append(f"mechanism: {esc['mechanism'] or 'null'}")
    for key in ("failure_mode", "severity", "level", "status"):
        lines.append(f"{key}: {esc[key]}")
    lines.append(f"customer_impact: {esc['customer_impact']}")
    lines.append(f"ask: {esc['ask']}")
    lines.append("raised_by: Pat Example <pat@example.com>")
    lines.append(f"raised_at: {_stamp(esc['raised_at'])}")  # type: ignore[arg-type]
    if esc["owner"]:
        lines.append(f"owner: {esc['owner']}")
    lines.append("links:")
    lines.append(f"  - https://tickets.example.com/browse/OPS-{esc['n']}")
    lines.append("tags:")
    lines.append("  - customer-facing")
    lines.append("timeline:")
    for at, action, note in esc["timeline"]:  # type: ignore[attr-defined]
        lines.append(f"  - at: {_stamp(at)}")
        lines.append("    by: Pat Example <pat@example.com>")
        lines.append(f"    action: {action}")
        if note:
            lines.append(f"    note: {note}")
    resolution = esc.get("resolution")
    if resolution:
        lines.append("resolution:")
        lines.append(f"  summary: {resolution['summary']}")  # type: ignore[index]
        lines.append(f"  root_cause: {resolution['root_cause']}")  # type: ignore[index]
        change = resolution.get("mechanism_change")  # type: ignore[union-attr]
        if change:
            lines.append("  mechanism_change:")
            lines.append(f"    mechanism: {change[0]}")
            lines.append(f"    version: {change[1]}")
        else:
            lines.append(f"  no_change_reason: {resolution['no_change_reason']}")  # type: ignore[index]
    return "\n".join(lines) + "\n"


def generate(root: Path, count: int, seed: int = 7) -> None:
    """A mechctl repository with five mechanisms and `count` escalations, in two commits."""
    from mechctl.services.init import init_repository
    from mechctl.services.mechanism.new import template
    from mechctl.store import yamlio

    rng = random.Random(seed)
    init_repository(root)
    shutil.copy(ROOT / ".mechctl.yaml", root / ".mechctl.yaml")
    start = NOW - timedelta(days=730)
    escalations: list[dict[str, object]] = []
    used: set[str] = set()
    for n in range(count):
        raised = start + timedelta(seconds=rng.randrange(int((NOW - start).total_seconds())))
        while True:
            esc_id = f"esc-{raised:%Y%m%d}-" + "".join(rng.choice(B32) for _ in range(8))
            if esc_id not in used:
                used.add(esc_id)
                break
        mechanism = rng.choice(MECHANISMS) if rng.random() > 0.04 else None
        age = NOW - raised
        status = "closed" if age > timedelta(days=30) else rng.choice(
            ["open", "acknowledged", "resolved", "closed"]
        )
        if age < timedelta(days=2) and status in ("resolved", "closed"):
            status = "acknowledged"
        timeline = [(raised, "raised", None)]
        if status != "open":
            timeline.append((raised + timedelta(hours=3), "acknowledged", "Looking into it"))
            timeline.append((raised + timedelta(hours=20), "commented", "Root cause found"))
        esc: dict[str, object] = {
            "n": n,
            "id": esc_id,
            "title": f"Mechanism output missed what customers needed (case {n})",
            "mechanism": mechanism,
            "failure_mode": rng.choice(MODES) if mechanism else "no-mechanism",
            "severity": rng.choices(["sev1", "sev2", "sev3", "sev4"], [1, 4, 10, 5])[0],
            "level": rng.choice(LEVELS),
            "status": status,
            "customer_impact": rng.choice(IMPACTS),
            "ask": "A decision on who owns the fix and a date for it.",
            "raised_at": raised,
            "owner": OWNERS[mechanism] if mechanism else None,
            "timeline": timeline,
        }
        if status in ("resolved", "closed"):
            timeline.append((raised + timedelta(days=2), "resolved", None))
            if status == "closed":
                timeline.append((raised + timedelta(days=3), "closed", None))
            esc["resolution"] = {
                "summary": "Added the missing input to the mechanism and re-ran the review.",
                "root_cause": "The mechanism did not account for a new kind of input.",
                "no_change_reason": (
                    "A one-off caused by a vendor outage; the mechanism worked as designed."
                ),
            }
        escalations.append(esc)

    # Each mechanism changes every 25 escalations resolved against it.
    iterations: dict[str, list[dict[str, object]]] = {m: [] for m in MECHANISMS}
    pending: dict[str, list[dict[str, object]]] = {m: [] for m in MECHANISMS}
    for esc in sorted(escalations, key=lambda e: e["raised_at"]):  # type: ignore[arg-type, return-value]
        resolution = esc.get("resolution")
        if not resolution or not esc["mechanism"] or rng.random() < 0.1:
            continue
        mechanism = str(esc["mechanism"])
        pending[mechanism].append(esc)
        if len(pending[mechanism]) == 25:
            version = len(iterations[mechanism]) + 2
            day = max(e["raised_at"] for e in pending[mechanism]).date() + timedelta(days=3)  # type: ignore[attr-defined]
            iterations[mechanism].append(
                {
                    "version": version,
                    "date": min(day, NOW.date()),
                    "why": "Changed the tool so these failures do not recur",
                    "escalations": [str(e["id"]) for e in pending[mechanism]],
                }
            )
            for e in pending[mechanism]:
                del e["resolution"]["no_change_reason"]  # type: ignore[attr-defined]
                e["resolution"]["mechanism_change"] = (mechanism, version)  # type: ignore[index]
            pending[mechanism] = []

    for mechanism in MECHANISMS:
        body = template(mechanism, OWNERS[mechanism])
        versions = iterations[mechanism]
        inspections = []
        day = (NOW - timedelta(days=700)).date()
        while day < NOW.date() - timedelta(days=10):
            inspections.append(
                {
                    "date": day,
                    "outcome": rng.choice(["on-track", "on-track", "at-risk"]),
                    "metrics": {"on-time rate": round(rng.uniform(0.8, 1.0), 2)},
                    "anecdotes": ["A customer told us the review caught their issue early."],
                    "by": "Pat Example <pat@example.com>",
                }
            )
            day += timedelta(days=28)
        record = {
            "id": mechanism,
            "title": body.pop("title"),
            "kind": body.pop("kind"),
            "status": "active",
            "owner": OWNERS[mechanism],
            "version": 1 + len(versions),
            "problem": body.pop("problem"),
            **body,
            "inspections": inspections,
            "iterations": [
                {"version": 1, "date": (NOW - timedelta(days=731)).date(), "why": "created"},
                *versions,
            ],
        }
        text = yamlio.dump(
            yamlio.to_yaml(record),
            header="# yaml-language-server: $schema=../schemas/mechanism.schema.json",
        )
        (root / "mechanisms" / f"{mechanism}.yaml").write_text(text, encoding="utf-8")

    for esc in escalations:
        day = esc["raised_at"]
        folder = root / "escalations" / f"{day:%Y}" / f"{day:%m}"  # type: ignore[str-format]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{esc['id']}.yaml").write_text(_escalation_text(esc), encoding="utf-8")
    for keep in root.glob("*/.gitkeep"):
        keep.unlink()
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", f"{count} escalations")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(child) for child in children)
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the process and the workers it waited for
    code: int
    rss_main: int  # peak resident memory of the main process, bytes
    rss_tree: int  # peak resident memory of the process tree (sampled), bytes


def run(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    peak = [0]
    started = time.perf_counter()
    child = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(child.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    main_rss = usage.ru_maxrss * 1024
    return Run(elapsed, usage.ru_utime + usage.ru_stime, child.returncode, main_rss,
               max(peak[0], main_rss))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mechctl-lint-bench-"))
    repo = work / "repo"
    # As installed: byte-compiled modules (a source checkout compiles them on first use).
    compileall.compile_dir(SRC, quiet=1)
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPATH": str(SRC),
        "MECHCTL_NOW": _stamp(NOW),
        "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith("GIT_")})
    try:
        t0 = time.perf_counter()
        generate(repo, options.count)
        files = sorted(str(p.relative_to(repo)) for p in (repo / "escalations").rglob("*.yaml"))
        print(f"generated {len(files)} escalations + {len(MECHANISMS)} mechanisms in {repo}"
              f" ({time.perf_counter() - t0:.1f} s)")
        checker = Path(sys.executable).with_name("check-jsonschema")
        jsonschema_cmd = [str(checker), "--schemafile", "schemas/escalation.schema.json", *files]
        lint_cmd = [sys.executable, "-m", "mechctl", "lint"]
        cache = (repo / _git(repo, "rev-parse", "--git-common-dir").strip() / "mechctl").resolve()

        results: dict[str, list[Run]] = {
            "check-jsonschema": [], "cold": [], "warm": [], "one-changed": []}
        sample_file = repo / files[len(files) // 2]
        original = sample_file.read_text(encoding="utf-8")
        for round_ in range(options.repeat):
            results["check-jsonschema"].append(run(jsonschema_cmd, repo, env))
            for stale in cache.glob("lint-cache*"):
                stale.unlink()
            results["cold"].append(run(lint_cmd, repo, env))
            for _ in range(5):
                results["warm"].append(run(lint_cmd, repo, env))
            sample_file.write_text(original.replace("case ", f"case r{round_} "), encoding="utf-8")
            results["one-changed"].append(run(lint_cmd, repo, env))
            sample_file.write_text(original, encoding="utf-8")
            run(lint_cmd, repo, env)  # back to warm for the next round

        best = {label: min(r.seconds for r in runs) for label, runs in results.items()}
        cpu = {label: min(r.cpu for r in runs) for label, runs in results.items()}
        print(f"\n{'run':<18} {'best s':>8} {'median s':>9} {'cpu s':>7} {'exit':>5}")
        for label, runs in results.items():
            median = statistics.median(r.seconds for r in runs)
            print(f"{label:<18} {best[label]:>8.3f} {median:>9.3f} {cpu[label]:>7.3f}"
                  f" {runs[-1].code:>5}")
        print()
        cold_ratio = best["cold"] / best["check-jsonschema"]
        warm_ratio = best["warm"] / best["cold"]
        print(f"cold / check-jsonschema : {cold_ratio:.3f} wall, "
              f"{cpu['cold'] / cpu['check-jsonschema']:.3f} cpu   (goal <= 0.5)")
        print(f"warm / cold             : {warm_ratio:.3f} wall, "
              f"{cpu['warm'] / cpu['cold']:.3f} cpu   (goal <= 0.05)")
        print(f"one changed / cold      : {best['one-changed'] / best['cold']:.3f} wall")
        peaks = {
            "cold, process tree": max(r.rss_tree for r in results["cold"]),
            "cold, main process": max(r.rss_main for r in results["cold"]),
            "warm": max(r.rss_tree for r in results["warm"]),
        }
        for label, value in peaks.items():
            print(f"peak memory, {label:<19}: {value / 1e6:.0f} MB   (goal < 200 MB)")
        ok = cold_ratio <= 0.5 and warm_ratio <= 0.05 and max(peaks.values()) < 200e6
        print("\nall goals met" if ok else "\nSOME GOALS MISSED")
        return 0 if ok else 1
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
