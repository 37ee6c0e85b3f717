"""`lint --base REV` on real commits: unversioned changes, state transitions, deletions."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import commit, esc_text, fired, line, rules, write, write_esc

BASE_RULES = ("unversioned-change", "invalid-transition", "deleted-record")


@pytest.fixture
def based(cli: Runner, repo: Path) -> Path:
    """wbr (active, v1) and one acknowledged escalation, committed and tagged `base`."""
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    write_esc(repo)
    commit(repo, "an escalation")
    git(repo, "tag", "base")
    return repo


def base_findings(cli: Runner, rev: str = "base") -> list[tuple[str, int, int, str, str]]:
    return [r for r in rules(cli, "--base", rev) if r[3] in BASE_RULES]


def test_nothing_changed(cli: Runner, based: Path) -> None:
    assert base_findings(cli) == []


def test_definition_change_through_mechctl_is_versioned(cli: Runner, based: Path) -> None:
    changed = cli("mechanism", "set", "wbr", "tool.steps[]=Review churn", "--why", "churn")
    assert changed.exit_code == 0
    assert cli("mechanism", "set", "wbr", "problem=Churn hides", "--why", "sharper").exit_code == 0
    assert base_findings(cli) == []  # two changes, two versions, two iterations entries


def test_definition_change_by_hand_without_version_bump(cli: Runner, based: Path) -> None:
    path = based / "mechanisms" / "wbr.yaml"
    path.write_text(
        path.read_text().replace(
            "title: Weekly Business Review (WBR/MBR/QBR)", "title: Weekly Business Review"
        )
    )
    commit(based, "hand edit")
    got = fired(cli, "unversioned-change", "--base", "base", code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            "mechanisms/wbr.yaml",
            line(path.read_text(), "version:"),
            10,
            "the definition changed but version stayed 1; bump it to 2 with an iterations entry"
            " saying why (`mechctl mechanism set` and `edit` do both)",
        ),
    ]


def test_version_bump_without_iterations_entry(cli: Runner, based: Path) -> None:
    path = based / "mechanisms" / "wbr.yaml"
    text = path.read_text().replace("version: 1\n", "version: 3\n", 1)
    path.write_text(text.replace("kind: review", "kind: planning"))
    got = fired(cli, "unversioned-change", "--base", "base", code=1)
    where = line(path.read_text(), "iterations:")
    assert [(f["line"], f["message"]) for f in got] == [
        (where, "version 2 has no iterations entry saying why the definition changed"),
        (where, "version 3 has no iterations entry saying why the definition changed"),
    ]


def test_rewritten_iterations_log(cli: Runner, based: Path) -> None:
    path = based / "mechanisms" / "wbr.yaml"
    text = path.read_text()
    path.write_text(text.replace("why: created from the wbr template", "why: rewritten"))
    got = fired(cli, "unversioned-change", "--base", "base", code=1)
    assert [f["message"] for f in got] == [
        "iterations is a log: entries recorded before were changed or removed"
    ]


def test_escalation_steps_through_the_state_machine(cli: Runner, based: Path) -> None:
    # acknowledged -> resolved -> closed in one pull request: two allowed steps.
    write_esc(based, status="closed")
    assert base_findings(cli) == []


def test_escalation_status_jump_is_an_invalid_transition(cli: Runner, based: Path) -> None:
    rel = write_esc(based, status="acknowledged")
    path = based / rel
    path.write_text(path.read_text().replace("status: acknowledged", "status: open"))
    got = fired(cli, "invalid-transition", "--base", "base", code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            rel,
            7,
            9,
            "status went from acknowledged to open, which the escalation state machine"
            " does not allow (open -> acknowledged -> resolved -> closed; reopen from resolved or"
            " closed)",
        ),
    ]


def test_timeline_is_append_only(cli: Runner, based: Path) -> None:
    rel = "escalations/2026/11/esc-20261120-aaaaaaaa.yaml"
    path = based / rel
    path.write_text(path.read_text().replace("action: acknowledged", "action: commented"))
    got = fired(cli, "invalid-transition", "--base", "base", code=1)
    assert [(f["line"], f["message"]) for f in got] == [
        (12, "the timeline is append-only: entries recorded before were changed or removed")
    ]


def test_mechanism_cannot_go_back_to_draft(cli: Runner, based: Path) -> None:
    path = based / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("status: active", "status: draft"))
    got = fired(cli, "invalid-transition", "--base", "base", code=1)
    assert [f["message"] for f in got] == [
        "mechanism status went from active to draft; it only moves draft -> active -> retired"
    ]


def test_retiring_is_a_valid_transition(cli: Runner, based: Path) -> None:
    assert cli("mechanism", "retire", "wbr", "--reason", "replaced").exit_code == 0
    assert base_findings(cli) == []


def test_deleted_records(cli: Runner, based: Path) -> None:
    git(based, "rm", "-q", "mechanisms/wbr.yaml", "escalations/2026/11/esc-20261120-aaaaaaaa.yaml")
    git(based, "commit", "-qm", "delete")
    got = fired(cli, "deleted-record", "--base", "base", code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
            1,
            1,
            "escalation 'esc-20261120-aaaaaaaa' was deleted; escalations are closed, never deleted",
        ),
        (
            "mechanisms/wbr.yaml",
            1,
            1,
            "mechanism 'wbr' was deleted; retire it instead"
            " (`mechctl mechanism retire wbr --reason R`)",
        ),
    ]


def test_a_moved_record_is_not_deleted(cli: Runner, based: Path) -> None:
    old = based / "escalations/2026/11/esc-20261120-aaaaaaaa.yaml"
    write(based, "escalations/2026/12/esc-20261120-aaaaaaaa.yaml", old.read_text())
    old.unlink()
    got = rules(cli, "--base", "base")
    assert [r[3] for r in got] == ["id-mismatch"]


def test_base_against_work_tree_changes_not_committed(cli: Runner, based: Path) -> None:
    # Uncommitted edits count too: lint checks the files as they are.
    rel = "escalations/2026/11/esc-20261120-aaaaaaaa.yaml"
    path = based / rel
    path.write_text(path.read_text().replace("status: acknowledged", "status: open"))
    assert [r[3] for r in base_findings(cli)] == ["invalid-transition"]
    assert base_findings(cli, "HEAD") == [(rel, 7, 9, "invalid-transition", "error")]


def test_new_records_need_no_base_version(cli: Runner, based: Path) -> None:
    write_esc(
        based, "esc-20261121-bbbbbbbb", raised_at="2026-11-21T09:00:00Z", failure_mode="scale"
    )
    made = cli("mechanism", "new", "prfaq", "--template", "prfaq", "--owner", "finance")
    assert made.exit_code == 0
    assert base_findings(cli) == []


@pytest.mark.parametrize("rev", ["nope", "--all", "HEAD~99"])
def test_unknown_base_is_a_usage_error(cli: Runner, based: Path, rev: str) -> None:
    result = cli("lint", "--base", rev)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --base: unknown revision {rev!r}\n"
        "hint: fetch it first (e.g. `git fetch origin main`); in GitHub Actions check out with"
        " `fetch-depth: 0`\n"
    )


def test_base_with_a_remote_branch(cli: Runner, based: Path, tmp_path: Path) -> None:
    """The pull-request set-up: a clone whose origin/main is the base."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(based), str(clone))
    git(clone, "switch", "-qc", "feature")
    path = clone / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("kind: review", "kind: planning"))
    git(clone, "commit", "-qam", "hand edit")
    result = cli("lint", "--base", "origin/main", "--format", "github", cwd=clone)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "::error file=mechanisms/wbr.yaml,line=7,col=10,title=unversioned-change (mechctl)::"
    )


def test_closed_escalation_text_helper_is_valid(cli: Runner, based: Path) -> None:
    # The fixtures above rely on esc_text producing valid records in every status.
    for status in ("open", "acknowledged", "resolved", "closed"):
        write(based, "escalations/2026/11/esc-20261120-aaaaaaaa.yaml", esc_text(status=status))
        assert [r for r in rules(cli) if r[4] == "error"] == [], status
