"""Many clones: the field-level merge driver, `sync`, `--push`, and `doctor`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import SRC, Runner, git, status
from mechctl.services.merge import merge_texts

BASE = """\
id: wbr
title: Weekly
version: 3
problem: P
inspections: []
iterations:
  - version: 3
    date: 2026-11-01
    why: base
"""


def test_independent_edits_and_both_logs_combine() -> None:
    ours = (
        BASE.replace("title: Weekly", "title: Weekly review")
        .replace("\nversion: 3\n", "\nversion: 4\n")
        .replace(
            "    why: base\n",
            "    why: base\n  - version: 4\n    date: 2026-11-05\n    why: ours\n",
        )
    )
    theirs = (
        BASE.replace("problem: P", "problem: Q")
        .replace("\nversion: 3\n", "\nversion: 4\n")
        .replace(
            "    why: base\n",
            "    why: base\n  - version: 4\n    date: 2026-11-04\n    why: theirs\n",
        )
        .replace(
            "inspections: []",
            "inspections:\n  - date: 2026-11-04\n    outcome: on-track\n    by: Ana",
        )
    )
    result = merge_texts(BASE, ours, theirs)
    assert result.conflicts == []
    assert (
        result.text
        == """\
id: wbr
title: Weekly review
version: 5
problem: Q
inspections:
  - date: 2026-11-04
    outcome: on-track
    by: Ana
iterations:
  - version: 3
    date: 2026-11-01
    why: base
  - version: 4
    date: 2026-11-04
    why: theirs
  - version: 5
    date: 2026-11-05
    why: ours
"""
    )


def test_timeline_appends_merge_in_time_order() -> None:
    base = "id: e\nstatus: open\ntimeline:\n  - at: 2026-11-01T09:00:00Z\n    action: raised\n"
    ours = base + "  - at: 2026-11-01T11:00:00Z\n    action: commented\n    note: ours\n"
    theirs = base + "  - at: 2026-11-01T10:00:00Z\n    action: commented\n    note: theirs\n"
    result = merge_texts(base, ours, theirs)
    assert result.conflicts == []
    notes = [line.strip() for line in result.text.splitlines() if "note:" in line]
    assert notes == ["note: theirs", "note: ours"]


def test_true_conflict_is_marked_at_its_field() -> None:
    base = "id: e\nstatus: open\nlevel: director\n"
    result = merge_texts(base, base.replace("open", "resolved"), base.replace("open", "closed"))
    assert [c.path for c in result.conflicts] == [("status",)]
    assert result.text == (
        "id: e\n"
        "<<<<<<< ours (status changed on both sides)\n"
        "status: resolved\n"
        "=======\n"
        "status: closed\n"
        ">>>>>>> theirs\n"
        "level: director\n"
    )


def test_one_side_removes_a_field() -> None:
    base = "id: e\nask: help\ntitle: T\n"
    result = merge_texts(base, base, "id: e\ntitle: T\n")
    assert (result.text, result.conflicts) == ("id: e\ntitle: T\n", [])


def test_driver_command(cli: Runner, tmp_path: Path) -> None:
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text("id: e\nstatus: open\n")
    ours.write_text("id: e\nstatus: open\ntags: [x]\n")
    theirs.write_text("id: e\nstatus: acknowledged\n")
    clean = cli("merge-driver", str(base), str(ours), str(theirs), "escalations/e.yaml")
    assert (clean.exit_code, clean.stderr) == (0, "")
    assert ours.read_text() == "id: e\nstatus: acknowledged\ntags: [x]\n"
    ours.write_text("id: e\nstatus: resolved\n")
    conflict = cli("merge-driver", str(base), str(ours), str(theirs), "escalations/e.yaml")
    assert conflict.exit_code == 1
    assert conflict.stderr == (
        "mechctl merge-driver: escalations/e.yaml: status changed on both sides\n"
    )
    assert "<<<<<<< ours" in ours.read_text()


def test_driver_falls_back_to_line_merge_on_broken_yaml(
    cli: Runner, repo: Path, tmp_path: Path
) -> None:
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text("a: 1\nx: 0\ny: 0\nb: 2\n")
    ours.write_text("a: [1\nx: 0\ny: 0\nb: 2\n")
    theirs.write_text("a: 1\nx: 0\ny: 0\nb: 3\n")
    result = cli("merge-driver", str(base), str(ours), str(theirs), "x.yaml")
    assert result.exit_code == 0
    assert result.stderr == (
        "mechctl merge-driver: x.yaml (ours):2:2: YAML syntax error: expected ',' or ']', but"
        " got ':' (while parsing a flow sequence); falling back to a line merge\n"
    )
    assert ours.read_text() == "a: [1\nx: 0\ny: 0\nb: 3\n"


# -- sync ----------------------------------------------------------------------------------


def _driver(clone: Path) -> None:
    command = f"env PYTHONPATH={SRC} {sys.executable} -m mechctl merge-driver %O %A %B %P"
    git(clone, "config", "merge.mechctl.driver", command)


@pytest.fixture
def clones(repo: Path, tmp_path: Path, mechanism) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    _driver(repo)
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    _driver(other)
    return repo, other


def test_sync_merges_concurrent_edits_of_one_record(cli: Runner, clones: tuple[Path, Path]) -> None:
    a, b = clones
    assert cli("mechanism", "set", "wbr", "title=WBR", "--why", "shorter", cwd=a).exit_code == 0
    assert cli("sync", cwd=a).exit_code == 0
    assert cli("mechanism", "set", "wbr", "problem=Q", "--why", "sharper", cwd=b).exit_code == 0
    synced = cli("sync", cwd=b)
    assert (synced.exit_code, synced.stderr) == (0, "synced with origin/main\n")
    shown = json.loads(cli("mechanism", "show", "wbr", "--json", cwd=b).stdout)
    assert (shown["title"], shown["problem"], shown["version"]) == ("WBR", "Q", 3)
    assert [i["why"] for i in shown["iterations"][1:]] == ["shorter", "sharper"]
    assert git(a, "ls-remote", "origin", "main").split()[0] == git(b, "rev-parse", "HEAD").strip()
    assert status(b) == ""


def test_sync_conflict_leaves_repository_as_before(cli: Runner, clones: tuple[Path, Path]) -> None:
    a, b = clones
    assert cli("mechanism", "set", "wbr", "title=From A", "--why", "a", cwd=a).exit_code == 0
    assert cli("sync", cwd=a).exit_code == 0
    assert cli("mechanism", "set", "wbr", "title=From B", "--why", "b", cwd=b).exit_code == 0
    head = git(b, "rev-parse", "HEAD")
    (b / "notes.txt").write_text("unstaged work\n")
    result = cli("sync", cwd=b)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: sync stopped: mechanisms/wbr.yaml changed here and on origin/main in ways that"
        " do not merge; nothing was changed"
    )
    assert git(b, "rev-parse", "HEAD") == head
    assert not (b / ".git" / "rebase-merge").exists()
    assert status(b) == "?? notes.txt\n"
    assert "<<<<<<<" not in (b / "mechanisms" / "wbr.yaml").read_text()


def test_push_flag_and_auto_push(cli: Runner, clones: tuple[Path, Path]) -> None:
    a, _ = clones
    raised = cli("escalate", "-m", "wbr", "-t", "T", "-i", "I", "--push", cwd=a)
    assert raised.exit_code == 0, raised
    assert git(a, "ls-remote", "origin", "main").split()[0] == git(a, "rev-parse", "HEAD").strip()
    config = a / ".mechctl.yaml"
    config.write_text(config.read_text() + "sync:\n  auto_push: true\n")
    git(a, "commit", "-qam", "auto push")
    acked = cli("escalation", "ack", raised.stdout.strip(), cwd=a)
    assert acked.exit_code == 0, acked
    assert git(a, "ls-remote", "origin", "main").split()[0] == git(a, "rev-parse", "HEAD").strip()


def test_push_failure_keeps_the_commit_and_says_so(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    git(repo, "remote", "add", "origin", str(repo.parent / "missing.git"))
    result = cli("escalate", "-m", "wbr", "-t", "T", "-i", "I", "--push")
    assert result.exit_code == 1
    assert result.stdout.startswith("esc-")
    assert result.stderr.startswith(
        "error: committed locally, but the sync failed: cannot reach remote 'origin'"
    )
    assert git(repo, "log", "-1", "--format=%s").strip() == "escalate: T"


def test_sync_without_remote(cli: Runner) -> None:
    result = cli("sync")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: no remote 'origin' in this repository\nhint: add one with"
        " `git remote add origin URL`, or set sync.remote\n"
    )


def test_doctor(cli: Runner, repo: Path) -> None:
    result = cli(
        "doctor", "--json", env={"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    )
    assert result.exit_code == 0, result
    checks = {c["name"]: c["status"] for c in json.loads(result.stdout)}
    assert checks["identity"] == "ok"
    assert checks["merge attributes"] == "ok"
    assert checks["merge driver"] == "ok"
    assert checks["schemas"] == "ok"
    assert checks["remote"] == "warn"
    (repo / ".mechctl.yaml").write_text("escalation:\n  levels: []\n")
    broken = cli("doctor", "--json")
    assert broken.exit_code == 1
    assert {c["name"]: c["status"] for c in json.loads(broken.stdout)}["config"] == "fail"


def test_both_sides_appending_to_a_definition_list_keep_both() -> None:
    base = "id: wbr\ntool:\n  inputs:\n    - a\n"
    result = merge_texts(base, base + "    - b\n", base + "    - c\n")
    assert result.conflicts == []
    assert result.text == "id: wbr\ntool:\n  inputs:\n    - a\n    - b\n    - c\n"
    edited = merge_texts(base, base.replace("- a", "- z"), base + "    - c\n")
    assert (edited.text, edited.conflicts) == ("id: wbr\ntool:\n  inputs:\n    - z\n    - c\n", [])
    both = merge_texts(base, base.replace("- a", "- z"), base.replace("- a", "- y"))
    assert [c.path for c in both.conflicts] == [("tool", "inputs")]


def test_a_rebased_series_merges_after_renumbering() -> None:
    """During a rebase the base is our own earlier commit, which upstream already holds,
    renumbered: the second commit of the series must still apply."""
    base = (
        "id: wbr\nversion: 2\ntool:\n  inputs:\n    - a\n    - mine 1\niterations:\n"
        "  - version: 1\n    date: 2026-11-01\n    why: created\n"
        "  - version: 2\n    date: 2026-11-02\n    why: mine 1\n"
    )
    upstream = (
        "id: wbr\nversion: 3\ntool:\n  inputs:\n    - a\n    - theirs\n    - mine 1\n"
        "iterations:\n  - version: 1\n    date: 2026-11-01\n    why: created\n"
        "  - version: 2\n    date: 2026-11-02\n    why: theirs\n"
        "  - version: 3\n    date: 2026-11-02\n    why: mine 1\n"
    )
    mine = base.replace("version: 2\ntool", "version: 3\ntool").replace(
        "    - mine 1\n", "    - mine 1\n    - mine 2\n"
    ) + ("  - version: 3\n    date: 2026-11-03\n    why: mine 2\n")
    result = merge_texts(base, upstream, mine)
    assert result.conflicts == []
    assert result.text == (
        "id: wbr\nversion: 4\ntool:\n  inputs:\n    - a\n    - theirs\n    - mine 1\n"
        "    - mine 2\niterations:\n  - version: 1\n    date: 2026-11-01\n    why: created\n"
        "  - version: 2\n    date: 2026-11-02\n    why: theirs\n"
        "  - version: 3\n    date: 2026-11-02\n    why: mine 1\n"
        "  - version: 4\n    date: 2026-11-03\n    why: mine 2\n"
    )
