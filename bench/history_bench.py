"""Benchmark: `mechctl history ID` in a repository of 50,000 commits (docs/design.md §8: under 1 s).

Builds the repository with one `git fast-import` stream: one mechanism (`wbr`) changed every
500 commits by mechctl-style commits (inspections and definition changes, with trailers), and
the other commits raising or updating escalations, so the tree is large and the record's
history is a small part of it. Then it times `mechctl history wbr --json` as a real process,
side by side with `git log --follow` of the same file, and prints both and their ratio.

    python bench/history_bench.py [--commits 50000] [--runs 5] [--keep DIR] [--no-clone]

It measures twice: in the repository as `git gc` leaves it (one pack and a commit-graph, as
git's automatic maintenance keeps any repository this size), and in a fresh `git clone` of it
(one pack, no commit-graph: what a CI job starts from).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mechctl.services.mechanism.new import template  # noqa: E402
from mechctl.store import yamlio  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=UTC)
AUTHOR = "Bench User <bench@example.com>"
ESCALATION = """id: {id}
title: Escalation number {n}
mechanism: wbr
failure_mode: new-input
severity: sev3
level: director
status: {status}
customer_impact: Customers saw a stale number in report {n}
raised_by: {author}
raised_at: {at}
owner: finance
timeline:
  - at: {at}
    by: {author}
    action: raised
"""


def _mechanism(version: int, inspections: list[dict[str, object]], day: datetime) -> str:
    body = template("wbr", "finance")
    record = {
        "id": "wbr", "title": body.pop("title"), "kind": body.pop("kind", "review"),
        "status": "active", "owner": "finance", "version": version,
        "problem": body.pop("problem"), **body,
    }
    steps = record["tool"]["steps"]
    for v in range(2, version + 1):  # definitions change in place; they rarely only grow
        steps[v % len(steps)] = f"Step revised in version {v}"
    record["inspections"] = inspections
    record["iterations"] = [
        {"version": v, "date": (START + timedelta(days=v)).date(), "why": f"Change {v}"}
        for v in range(1, version + 1)
    ]
    return yamlio.dump(yamlio.to_yaml(record))


def _suffix(number: int) -> str:
    """Eight base32 characters (a-z2-7), as escalation ids have, from a counter."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    chars = []
    for _ in range(8):
        number, digit = divmod(number, 32)
        chars.append(alphabet[digit])
    return "".join(reversed(chars))


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def build(repo: Path, commits: int, every: int = 500) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    out = importer.stdin
    version, inspections, escalations = 1, [], 0
    for n in range(commits):
        when = START + timedelta(hours=n)  # months of ~720 escalations, as sharding intends
        stamp = f"{int(when.timestamp())} +0000"
        if n % every == 0:
            rel = "mechanisms/wbr.yaml"
            if n == 0:
                subject, action = "mechanism new: wbr", "mechanism.create"
            elif (n // every) % 2:
                inspections.append({"date": when.date(), "outcome": "on-track",
                                    "metrics": {"Deck published before the agreed cut-off time":
                                                0.9}, "anecdotes": ["Late deck"], "by": AUTHOR})
                subject, action = "inspect: wbr (on-track)", "mechanism.inspect"
            else:
                version += 1
                subject, action = f"mechanism set: wbr v{version}", "mechanism.set"
            text = _mechanism(version, inspections, when)
            record = "wbr"
        else:
            escalations += 1
            day = when.strftime("%Y%m%d")
            esc_id = f"esc-{day}-{_suffix(escalations)}"
            rel = f"escalations/{day[:4]}/{day[4:6]}/{esc_id}.yaml"
            at = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            text = ESCALATION.format(id=esc_id, n=escalations, status="open", author=AUTHOR,
                                     at=at)
            subject, action, record = f"escalate: Escalation number {escalations}", \
                "escalation.raise", esc_id
        message = f"{subject}\n\nMechctl-Action: {action}\nMechctl-Record: {record}\n"
        out.write(b"commit refs/heads/main\n")
        out.write(f"author {AUTHOR} {stamp}\ncommitter {AUTHOR} {stamp}\n".encode())
        out.write(_data(message))
        out.write(f"M 100644 inline {rel}\n".encode())
        out.write(_data(text))
        out.write(b"\n")
    out.write(b"done\n")
    out.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=repo, check=True)
    # What git's automatic maintenance does to any repository this size: one pack and a
    # commit-graph. (fast-import's own pack is a poor one to measure anything on.)
    subprocess.run(["git", "gc", "--quiet"], cwd=repo, check=True)


def _time(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds (user + system, the process and its git children):
    on a busy machine the CPU figure shows the cost without the wait for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _env() -> dict[str, str]:
    """Run mechctl as an installed copy runs: with its bytecode cached (pip compiles it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _measure(repo: Path, label: str, runs: int) -> None:
    env = _env()
    mechctl = [sys.executable, "-m", "mechctl", "history", "wbr", "--json"]
    plain = ["git", "log", "--follow", "--oneline", "--", "mechanisms/wbr.yaml"]
    _time(mechctl, repo, env)  # warm the page cache and Python's bytecode cache
    ours, theirs = [], []
    for _ in range(runs):  # interleaved: both see the same machine noise
        ours.append(_time(mechctl, repo, env))
        theirs.append(_time(plain, repo, env))
    mine = statistics.median(wall for wall, _ in ours)
    git = statistics.median(wall for wall, _ in theirs)
    mine_cpu = statistics.median(cpu for _, cpu in ours)
    git_cpu = statistics.median(cpu for _, cpu in theirs)
    print(f"{label}:")
    print(f"  mechctl history wbr --json: median {mine:.3f} s wall (min"
          f" {min(wall for wall, _ in ours):.3f} s), {mine_cpu:.3f} s CPU, over {runs} runs;"
          f" goal < 1 s: {'met' if mine < 1 else 'NOT met'}")
    print(f"  git log --follow (same file): median {git:.3f} s wall, {git_cpu:.3f} s CPU;"
          f" ratio {mine / git:.1f}x wall, {mine_cpu / git_cpu:.1f}x CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the repository here")
    parser.add_argument("--no-clone", action="store_true",
                        help="skip the second measurement, in a fresh clone")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="mechctl-history-bench-"))
    repo, clone = base / "repo", base / "clone"
    try:
        if not (repo / ".git").is_dir():
            began = time.perf_counter()
            build(repo, args.commits)
            print(f"built {args.commits} commits in {time.perf_counter() - began:.1f} s")
        env = _env()
        entries = subprocess.run(
            [sys.executable, "-m", "mechctl", "history", "wbr", "--json"], cwd=repo, env=env,
            capture_output=True, text=True, check=True,
        ).stdout.count('"commit":')
        count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo,
                               capture_output=True, text=True, check=True).stdout.strip()
        print(f"repository: {count} commits; wbr has {entries} history entries")
        _measure(repo, "maintained repository (after `git gc`: one pack, a commit-graph)",
                 args.runs)
        if not args.no_clone:
            if not (clone / ".git").is_dir():
                subprocess.run(["git", "clone", "-q", f"file://{repo}", str(clone)],
                               check=True)
            _measure(clone, "fresh clone (one pack, no commit-graph)", args.runs)
        print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()}"
              " CPUs (wall-clock figures inflate when it exceeds the CPUs; CPU ones less)")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
