"""Killed processes, unusual repositories and hostile input (issue: hardening)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SRC, Runner, commit_count, git, status, trailers


def _start(repo: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-m", "mechctl", *args],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _records_all_committed(repo: Path) -> None:
    assert status(repo) == "", status(repo)
    tracked = set(git(repo, "ls-files", "escalations", "mechanisms").split())
    on_disk = {
        p.relative_to(repo).as_posix()
        for p in repo.rglob("*.yaml")
        if ".git" not in p.parts and p.parts[len(repo.parts)] in ("escalations", "mechanisms")
    }
    assert on_disk <= tracked


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_at_random_points(repo: Path, proc: Runner, mechanism, sig: int) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    rng = random.Random(sig)
    for round_ in range(10):
        child = _start(repo, "escalate", "-m", "wbr", "-t", f"Killed {round_}", "-i", "I")
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(sig)
        child.communicate(timeout=60)
        if sig == signal.SIGTERM:
            # It restored the tree itself (or its commit landed): nothing for anyone to fix.
            assert status(repo) == "", (round_, status(repo))
        # The next command is never blocked, and finishes whatever was left.
        after = proc("escalate", "-m", "wbr", "-t", f"After {round_}", "-i", "I")
        assert after.exit_code == 0, after
        _records_all_committed(repo)
        assert not list(repo.rglob("*.tmp"))
    listed = proc("escalation", "list", "--json")
    assert listed.exit_code == 0 and listed.stderr == ""


def test_killed_edit_of_existing_record_is_restored(repo: Path, proc: Runner, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    from mechctl.services.core.context import open_workspace
    from mechctl.services.core.txn import FileChange, _journal_path

    # Exactly what a SIGKILL between writing and committing leaves behind.
    path = repo / "mechanisms" / "wbr.yaml"
    before = path.read_text()
    after = before.replace("status: active", "status: active\n# half done")
    ws = open_workspace(repo)
    journal = _journal_path(ws)
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps([FileChange("mechanisms/wbr.yaml", after, before).__dict__]))
    path.write_text(after)
    git(repo, "add", "mechanisms/wbr.yaml")
    (path.parent / ".wbr.yaml.abc123.tmp").write_text("partial")
    result = proc("escalate", "-m", "wbr", "-t", "T", "-i", "I")
    assert result.exit_code == 0, result
    assert path.read_text() == before
    assert status(repo) == ""
    assert not journal.exists()


@pytest.mark.parametrize(
    "kind", ["worktree", "spaces-and-unicode", "hooks-path", "autocrlf", "sparse"]
)
def test_unusual_repositories(
    repo: Path, tmp_path: Path, cli: Runner, mechanism, kind: str
) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    target = repo
    if kind == "worktree":
        target = tmp_path / "second tree"
        git(repo, "worktree", "add", "-q", "-b", "side", str(target))
    elif kind == "spaces-and-unicode":
        target = tmp_path / "Ünïcode dir with spaces" / "répo"
        target.parent.mkdir()
        git(tmp_path, "clone", "-q", str(repo), str(target))
    elif kind == "hooks-path":
        hooks = repo / "my hooks"
        hooks.mkdir()
        hook = hooks / "commit-msg"
        hook.write_text("#!/bin/sh\ngrep -q 'Mechctl-Action' \"$1\"\n")
        hook.chmod(0o755)
        git(repo, "config", "core.hooksPath", "my hooks")
        (repo / ".git" / "info" / "exclude").write_text("my hooks/\n")
    elif kind == "autocrlf":
        git(repo, "config", "core.autocrlf", "true")
    elif kind == "sparse":
        git(repo, "sparse-checkout", "set", "mechanisms", "escalations", "schemas")
    raised = cli("escalate", "-m", "wbr", "-t", "Works here", "-i", "I", cwd=target)
    assert raised.exit_code == 0, raised
    esc_id = raised.stdout.strip()
    assert cli("escalation", "ack", esc_id, cwd=target).exit_code == 0
    listed = json.loads(cli("escalation", "list", "--json", cwd=target).stdout)
    assert [e["id"] for e in listed] == [esc_id]
    assert status(target) == ""
    assert trailers(target)["Mechctl-Record"] == esc_id


def test_hostile_text_cannot_forge_trailers(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    nasty = "Deck broke $(rm -rf ~) `id` ; echo pwned\n\nMechctl-Action: undo\nMechctl-Record: wbr"
    raised = cli("escalate", "-m", "wbr", "-t", nasty, "-i", nasty, "--tag", "a;b")
    assert raised.exit_code == 0, raised
    esc_id = raised.stdout.strip()
    assert trailers(repo) == {"Mechctl-Action": "escalation.raise", "Mechctl-Record": esc_id}
    subject = git(repo, "log", "-1", "--format=%s").strip()
    assert subject == (
        "escalate: Deck broke $(rm -rf ~) `id` ; echo pwned Mechctl-Action: undo"
        " Mechctl-Record: wbr"
    )
    comment = cli("escalation", "comment", esc_id, "fine\n\nMechctl-Action: undo\n---\nx: y")
    assert comment.exit_code == 0, comment
    assert trailers(repo) == {"Mechctl-Action": "escalation.comment", "Mechctl-Record": esc_id}
    why = cli(
        "mechanism",
        "set",
        "wbr",
        "problem=New",
        "--why",
        "ok\n\nMechctl-Action: escalation.raise\nMechctl-Record: esc-20260101-aaaaaaaa",
    )
    assert why.exit_code == 0, why
    assert trailers(repo) == {"Mechctl-Action": "mechanism.set", "Mechctl-Record": "wbr"}
    shown = json.loads(cli("escalation", "show", esc_id, "--json").stdout)
    assert shown["customer_impact"] == nasty.strip()
    assert commit_count(repo) > 0
