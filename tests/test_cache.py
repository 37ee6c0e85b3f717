"""The derived index of the record files (.git/mechctl/index.sqlite): it never changes a
result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import SRC, Runner, git

NOW = {"MECHCTL_NOW": "2026-11-25T12:00:00Z"}


def _populate(cli: Runner, mechanism: Callable[..., str]) -> list[str]:
    mechanism("wbr", "wbr")
    ids = []
    for n in range(4):
        out = cli(
            "escalate",
            "-m",
            "wbr",
            "-t",
            f"Failure {n}",
            "-i",
            "I",
            env={"MECHCTL_NOW": f"2026-11-2{n}T09:00:00Z"},
        )
        ids.append(out.stdout.strip())
    assert cli("escalation", "ack", ids[0]).exit_code == 0
    return ids


def _outputs(cli: Runner) -> tuple[str, str, str]:
    listed = cli("escalation", "list", "--status", "all", "--json", env=NOW)
    report = cli("report", "--format", "json", env=NOW)
    due = cli("due", "--json", env=NOW)
    assert (listed.exit_code, report.exit_code, due.exit_code) == (0, 0, 0)
    return listed.stdout, report.stdout, due.stdout


def test_deleting_the_cache_changes_nothing(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    _populate(cli, mechanism)
    first = _outputs(cli)
    cache = repo / ".git" / "mechctl" / "index.sqlite"
    assert cache.exists()
    assert _outputs(cli) == first  # warm
    for path in cache.parent.glob("index.sqlite*"):
        path.unlink()
    assert _outputs(cli) == first  # cold again


def test_a_corrupt_cache_is_rebuilt(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    _populate(cli, mechanism)
    first = _outputs(cli)
    cache = repo / ".git" / "mechctl" / "index.sqlite"
    for path in cache.parent.glob("index.sqlite-*"):
        path.unlink()
    cache.write_bytes(b"this is not a database" * 100)
    assert _outputs(cli) == first
    import sqlite3

    with sqlite3.connect(cache) as db:  # rebuilt, and usable
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] > 0


def test_an_edited_file_is_read_again(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    ids = _populate(cli, mechanism)
    assert cli("escalation", "list", "--json").exit_code == 0
    path = next((repo / "escalations").rglob(f"{ids[1]}.yaml"))
    path.write_text(path.read_text().replace("title: Failure 1", "title: Edited by hand"))
    listed = json.loads(cli("escalation", "list", "--json").stdout)
    assert [e["title"] for e in listed if e["id"] == ids[1]] == ["Edited by hand"]
    git(repo, "commit", "-qam", "hand edit")
    listed = json.loads(cli("escalation", "list", "--json").stdout)
    assert [e["title"] for e in listed if e["id"] == ids[1]] == ["Edited by hand"]


def test_concurrent_runs_share_the_cache(repo: Path, cli: Runner, mechanism) -> None:  # type: ignore[no-untyped-def]
    _populate(cli, mechanism)
    expected = cli("escalation", "list", "--status", "all", "--json", env=NOW).stdout
    for path in (repo / ".git" / "mechctl").glob("index.sqlite*"):
        path.unlink()
    env = {**os.environ, "PYTHONPATH": str(SRC), **NOW}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mechctl", "escalation", "list", "--status", "all", "--json"],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0] * 6
    assert {out for out, _ in results} == {expected}
    assert all(err == "" for _, err in results)
