"""What lint keeps in the index (services/lint/kept.py): warm runs give what cold runs give,
and anything that matters invalidates."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import NOW, commit, findings, write_esc

CACHE = Path(".git") / "mechctl" / "index.sqlite"


@pytest.fixture
def records(cli: Runner, repo: Path) -> Path:
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    write_esc(repo, "esc-20261120-aaaaaaaa", mechanism="wbrr")
    write_esc(
        repo,
        "esc-20261120-bbbbbbbb",
        status="open",
        severity="sev1",
        failure_mode="scale",
        raised_at="2026-11-21T10:00:00Z",
    )
    commit(repo)
    return repo


def test_warm_run_repeats_the_cold_one(cli: Runner, records: Path) -> None:
    cold = cli("lint", "--format", "json", env={"MECHCTL_NOW": NOW})
    assert (records / CACHE).is_file()
    warm = cli("lint", "--format", "json", env={"MECHCTL_NOW": NOW})
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)
    assert [f["rule"] for f in json.loads(cold.stdout)] == ["unknown-mechanism", "ack-overdue"]


def test_changed_file_is_checked_again(cli: Runner, records: Path) -> None:
    findings(cli)
    write_esc(records, "esc-20261120-aaaaaaaa", mechanism="wbr")  # fixed, not committed
    assert [f["rule"] for f in findings(cli)] == ["ack-overdue"]
    git(records, "checkout", "--", ".")  # back to the committed (broken) content
    assert [f["rule"] for f in findings(cli)] == ["unknown-mechanism", "ack-overdue"]


def test_config_change_invalidates(cli: Runner, records: Path) -> None:
    findings(cli)
    config = records / ".mechctl.yaml"
    config.write_text(config.read_text().replace("  rules: {}", "  rules: {ack-overdue: off}"))
    assert [f["rule"] for f in findings(cli)] == ["unknown-mechanism"]
    config.write_text(
        config.read_text()
        .replace("default_level: director", "default_level: vp")
        .replace("levels: [team, manager, director, vp]", "levels: [team, vp]")
    )
    assert [f["message"] for f in findings(cli) if f["rule"] == "schema"] == [
        "level: unknown level 'director'; configured levels: team, vp",
        "level: unknown level 'director'; configured levels: team, vp",
    ]


def test_code_change_invalidates(
    cli: Runner, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings(cli)
    from mechctl import derived

    monkeypatch.setattr(derived, "FORMAT", derived.FORMAT + 1)
    db = sqlite3.connect(records / CACHE)
    before = db.execute("SELECT key FROM lint_runs").fetchall()
    findings(cli)
    after = db.execute("SELECT key FROM lint_runs").fetchall()
    db.close()
    assert len(before) == len(after) == 1
    assert before != after


def test_the_clock_moving_past_a_deadline_changes_findings(cli: Runner, records: Path) -> None:
    # sev1 raised at 10:00: acknowledge within 1h, resolve within 1d.
    assert [f["rule"] for f in findings(cli, now="2026-11-21T10:30:00Z")] == ["unknown-mechanism"]
    assert [f["rule"] for f in findings(cli, now="2026-11-21T11:00:00Z")] == ["unknown-mechanism"]
    assert [f["rule"] for f in findings(cli, now="2026-11-22T10:00:01Z")] == [
        "unknown-mechanism",
        "ack-overdue",
        "resolve-overdue",
    ]
    # and back: a clock set earlier is not answered from a later run
    assert [f["rule"] for f in findings(cli, now="2026-11-21T10:30:00Z")] == ["unknown-mechanism"]


def test_corrupt_cache_is_ignored(cli: Runner, records: Path) -> None:
    expected = findings(cli)
    (records / CACHE).write_bytes(b"this is not a database" * 100)
    assert findings(cli) == expected
    assert findings(cli) == expected


def test_unwritable_cache_folder(cli: Runner, records: Path) -> None:
    expected = findings(cli)
    (records / CACHE).unlink()
    folder = records / CACHE.parent
    folder.chmod(0o500)
    try:
        assert findings(cli) == expected
    finally:
        folder.chmod(0o700)


def test_new_files_give_the_same_findings_cold_and_warm(cli: Runner, records: Path) -> None:
    for n in range(6):
        write_esc(
            records,
            f"esc-2026111{n}-cccccccc",
            failure_mode="other",
            raised_at=f"2026-11-1{n}T10:00:00Z",
            status="closed",
        )
    warm = findings(cli)
    (records / CACHE).unlink()
    cold = findings(cli)
    assert cold == warm
    assert len(cold) == 9  # 6 no-change warnings, 1 recurring, unknown, ack-overdue


def test_untracked_and_unstaged_files_are_linted(cli: Runner, records: Path) -> None:
    write_esc(
        records,
        "esc-20261121-dddddddd",
        mechanism="nope",
        failure_mode="other",
        raised_at="2026-11-21T09:00:00Z",
    )
    assert "escalations/2026/11/esc-20261121-dddddddd.yaml" in {f["path"] for f in findings(cli)}


def test_warm_path_answers_without_the_full_command(
    cli: Runner, records: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The warm path (cli/lint/warm.py) gives byte for byte what the full command gives."""
    from mechctl.cli.lint import warm

    monkeypatch.setenv("MECHCTL_NOW", NOW)
    monkeypatch.chdir(records)
    assert warm.run(["lint"]) is None  # no index yet: the full command must run
    for args in (
        ["--format", "json"],
        ["--format", "sarif"],
        ["--format", "github"],
        [],
        ["--fail-level", "warning"],
        ["--format=json", "escalations/2026"],
        ["mechanisms"],
    ):
        full = cli("lint", *args, env={"MECHCTL_NOW": NOW})
        capsys.readouterr()
        assert warm.run(["lint", *args]) == full.exit_code, args
        assert capsys.readouterr().out == full.stdout, args
    assert warm.run(["-C", str(records), "lint"]) == 1
    capsys.readouterr()
    for args in (
        ["--base", "HEAD"],
        ["--list-rules"],
        ["nope.yaml"],
        ["--bogus"],
        ["--format"],
    ):
        assert warm.run(["lint", *args]) is None, args
    write_esc(records, "esc-20261120-aaaaaaaa", mechanism="wbr")
    assert warm.run(["lint"]) is None  # a file changed
    from mechctl.services.lint import state

    assert state.handed(records) is not None  # the index and state go on to the full command


def test_real_process_cold_then_warm(cli: Runner, proc: Runner, records: Path) -> None:
    env = {"MECHCTL_NOW": NOW}
    cold = proc("lint", "--format", "github", env=env)
    warm = proc("lint", "--format", "github", env=env)
    assert cold.exit_code == warm.exit_code == 1
    assert cold.stdout == warm.stdout
    assert cold.stderr == warm.stderr == ""
    # One file changed: the warm path steps aside and hands its look at the tree on.
    write_esc(records, "esc-20261120-aaaaaaaa", mechanism="wbr")
    changed = proc("lint", "--format", "github", env=env)
    assert changed.stdout == cli("lint", "--format", "github", env=env).stdout
    assert "wbrr" not in changed.stdout


def test_cache_is_shared_by_worktrees(cli: Runner, records: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    git(records, "worktree", "add", "-q", str(tree))
    assert findings(cli, cwd=tree) == findings(cli)
    assert not (tree / CACHE).exists()
    assert os.path.isfile(records / CACHE)


def _ages(cli: Runner, now: str) -> list[str]:
    return [f["message"] for f in findings(cli, now=now) if f["rule"] == "ack-overdue"]


def test_an_age_in_a_message_is_never_answered_stale(cli: Runner, records: Path) -> None:
    """ack-overdue says how long ago the escalation was raised: a run a minute later says
    it differently, so the kept run does not answer it."""
    first = _ages(cli, "2026-11-21T12:00:30Z")
    later = _ages(cli, "2026-11-21T12:01:00Z")
    assert first != later
    (records / CACHE).unlink()
    assert _ages(cli, "2026-11-21T12:01:00Z") == later
