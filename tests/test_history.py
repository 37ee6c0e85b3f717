"""`mechctl history ID`: a record's life from git, in a real history."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner, git
from story import (
    ACKED,
    ESC,
    ESC_REL,
    LEVEL_RAISED,
    TITLE,
    commit_record,
    escalation,
    story,  # noqa: F401  (a fixture)
)


def _entries(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e["action"], e["event"], e["renamed_from"], [c["summary"] for c in e["changes"]])
        for e in data["entries"]
    ]


STORY = [
    ("undo", "changed", None, ["inspections[1] removed (2026-11-07, at-risk)"]),
    ("mechanism.inspect", "changed", None, ["inspections[1] added (2026-11-07, at-risk)"]),
    ("edited by hand", "renamed", "mechanisms/demo-old.yaml", ["id: demo-old → demo"]),
    ("edited by hand", "changed", None, [f"title: {TITLE} → WBR"]),
    ("mechanism.inspect", "changed", None, ["inspections[0] added (2026-11-04, on-track)"]),
    (
        "mechanism.set",
        "changed",
        None,
        [
            "version: 1 → 2",
            "tool.steps[6] added: Publish the notes",
            "iterations[1] added (v2: Readers asked for notes)",
        ],
    ),
    ("mechanism.activate", "changed", None, ["status: draft → active"]),
    ("mechanism.create", "created", None, []),
]


def test_history_follows_commands_hand_edits_renames_and_undo(
    story: Path,
    cli: Runner,
) -> None:
    result = cli("history", "demo", "--json", cwd=story)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert (data["record"], data["kind"], data["path"], data["partial"]) == (
        "demo",
        "mechanism",
        "mechanisms/demo.yaml",
        False,
    )
    assert _entries(data) == STORY
    undo = data["entries"][0]
    assert undo["commit"] == git(story, "rev-parse", "HEAD").strip()
    assert (undo["date"], undo["author"], undo["hand_edit"], undo["subject"], undo["path"]) == (
        "2026-11-08T12:00:00Z",
        "Test User <test@example.com>",
        False,
        "undo: inspect: demo (at-risk)",
        "mechanisms/demo.yaml",
    )
    assert undo["changes"][0] == {
        "path": "inspections[1]",
        "kind": "removed",
        "old": {
            "date": "2026-11-07",
            "outcome": "at-risk",
            "metrics": {"Deck published before the agreed cut-off time": 0.7},
            "anecdotes": ["Two VPs said the deck arrived late"],
            "by": "Test User <test@example.com>",
        },
        "new": None,
        "summary": "inspections[1] removed (2026-11-07, at-risk)",
    }
    assert data["entries"][3]["hand_edit"] is True
    assert data["entries"][2]["path"] == "mechanisms/demo.yaml"
    assert data["entries"][3]["path"] == "mechanisms/demo-old.yaml"


def test_history_text(story: Path, cli: Runner) -> None:
    result = cli("history", "demo", cwd=story)
    assert result.exit_code == 0, result
    text = re.sub(r"(?m)^[0-9a-f]{10}  ", "<sha>  ", result.stdout)
    assert text == (
        "mechanism demo (mechanisms/demo.yaml): 8 commits, newest first\n"
        "\n<sha>  2026-11-08 12:00  Test User  undo\n"
        "  inspections[1] removed (2026-11-07, at-risk)\n"
        "\n<sha>  2026-11-07 12:00  Test User  mechanism.inspect\n"
        "  inspections[1] added (2026-11-07, at-risk)\n"
        "\n<sha>  2026-11-06 12:00  Test User  edited by hand\n"
        "  renamed from mechanisms/demo-old.yaml\n"
        "  id: demo-old → demo\n"
        "\n<sha>  2026-11-05 12:00  Test User  edited by hand\n"
        f"  title: {TITLE} → WBR\n"
        "\n<sha>  2026-11-04 12:00  Test User  mechanism.inspect\n"
        "  inspections[0] added (2026-11-04, on-track)\n"
        "\n<sha>  2026-11-03 12:00  Test User  mechanism.set\n"
        "  version: 1 → 2\n"
        "  tool.steps[6] added: Publish the notes\n"
        "  iterations[1] added (v2: Readers asked for notes)\n"
        "\n<sha>  2026-11-02 12:00  Test User  mechanism.activate\n"
        "  status: draft → active\n"
        "\n<sha>  2026-11-01 12:00  Test User  mechanism.create\n"
        "  created\n"
    )


def test_history_of_the_old_name_ends_at_the_rename(story: Path, cli: Runner) -> None:
    data = json.loads(cli("history", "demo-old", "--json", cwd=story).stdout)
    assert data["path"] == "mechanisms/demo-old.yaml"
    assert _entries(data)[0] == ("edited by hand", "deleted", None, [])
    assert _entries(data)[1:] == STORY[3:]


def test_history_reads_git_with_one_log_and_one_cat_file(
    story: Path,
    cli: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spy (not mock) on every git process: each still runs for real."""
    seen: list[str] = []
    real = subprocess.Popen

    def spy(command: list[str], *rest: Any, **kwargs: Any) -> Any:
        if command[:1] == ["git"]:
            seen.append(command[1])
        return real(command, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)  # subprocess.run starts processes here too
    assert cli("history", "demo", "--json", cwd=story).exit_code == 0
    assert seen == ["rev-parse", "log", "rev-parse", "cat-file"]  # discover, log, shallow?, blobs


def test_shallow_clone_says_history_is_partial(story: Path, cli: Runner, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "3", f"file://{story}", str(shallow))
    result = cli("history", "demo", "--json", cwd=shallow)
    assert result.exit_code == 0, result
    assert result.stderr == (
        "note: this is a shallow clone, so the history is partial: commits before 2026-11-06"
        " are missing (`git fetch --unshallow` fetches them)\n"
    )
    data = json.loads(result.stdout)
    assert data["partial"] is True
    assert _entries(data) == [*STORY[:2], ("edited by hand", "earliest", None, [])]
    text = cli("history", "demo", cwd=shallow).stdout
    assert text.endswith("edited by hand\n  the earliest version in this shallow clone\n")


def test_a_revision_that_is_invalid_says_so_and_does_not_stop_the_history(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism("demo", active=False)
    rel = "mechanisms/demo.yaml"
    good = (repo / rel).read_text()
    commit_record(
        repo,
        rel,
        good.replace("kind: review", "kind: [review"),
        "Broken by hand",
        None,
        "demo",
        "2026-11-10",
    )
    commit_record(
        repo,
        rel,
        good.replace("status: draft", "status: bogus"),
        "Bogus status",
        None,
        "demo",
        "2026-11-11",
    )
    commit_record(
        repo,
        rel,
        good.replace("title: Weekly", "title: Monthly"),
        "Fixed",
        None,
        "demo",
        "2026-11-12",
    )
    result = cli("history", "demo", "--json")
    assert result.exit_code == 0, result
    entries = json.loads(result.stdout)["entries"]
    assert [
        (e["subject"], e["invalid"], [c["summary"] for c in e["changes"]]) for e in entries[:3]
    ] == [
        (
            "Fixed",
            None,
            [
                "title: Weekly Business Review (WBR/MBR/QBR) → Monthly Business Review"
                " (WBR/MBR/QBR)",
                "status: bogus → draft",
            ],
        ),
        (
            "Bogus status",
            "mechanisms/demo.yaml:5:9: status: invalid value 'bogus'; allowed: draft, active,"
            " retired",
            ["status: draft → bogus"],
        ),
        (
            "Broken by hand",
            "mechanisms/demo.yaml:5:7: YAML syntax error: did not find expected ',' or ']'"
            " (while parsing a flow sequence)",
            [],
        ),
    ]
    text = cli("history", "demo").stdout
    assert "  invalid at this revision: mechanisms/demo.yaml:5:9: status: invalid value" in text


def test_history_of_an_escalation_by_abbreviation(cli: Runner, repo: Path) -> None:
    commit_record(
        repo,
        ESC_REL,
        escalation(),
        "escalate: Weekly deck missed the churn metric",
        "escalation.raise",
        ESC,
        "2026-11-01",
    )
    commit_record(
        repo,
        ESC_REL,
        escalation("acknowledged", extra=ACKED),
        f"ack: {ESC}",
        "escalation.ack",
        ESC,
        "2026-11-02",
    )
    commit_record(
        repo,
        ESC_REL,
        escalation("acknowledged", "vp", ACKED + LEVEL_RAISED),
        f"raise: {ESC}",
        "escalation.raise-level",
        ESC,
        "2026-11-03",
    )
    for text in ("k3f", ESC, "esc-20261101-k3", ESC.upper()):
        result = cli("history", text, "--json")
        assert result.exit_code == 0, (text, result)
        data = json.loads(result.stdout)
        assert (data["record"], data["kind"], data["path"]) == (ESC, "escalation", ESC_REL)
    assert _entries(data) == [
        (
            "escalation.raise-level",
            "changed",
            None,
            [
                "level: director → vp",
                "timeline[2] added (level-raised by Test User <test@example.com>)",
            ],
        ),
        (
            "escalation.ack",
            "changed",
            None,
            [
                "status: open → acknowledged",
                "timeline[1] added (acknowledged by Test User <test@example.com>)",
            ],
        ),
        ("escalation.raise", "created", None, []),
    ]


@pytest.mark.parametrize(
    ("text", "stderr", "code"),
    [
        ("wbx", "error: no mechanism or escalation 'wbx' (did you mean 'wbr'?)\n", 1),
        (
            "zzz-nothing",
            "error: no mechanism or escalation 'zzz-nothing'\n"
            "hint: list them with `mechctl mechanism list`\n",
            1,
        ),
        ("esc-20261101-aaaaaaaa", "error: no escalation 'esc-20261101-aaaaaaaa'\n", 1),
        (
            "../etc/passwd",
            "error: no mechanism or escalation '../etc/passwd'\n"
            "hint: list them with `mechctl mechanism list`\n",
            1,
        ),
        (
            "esc-2026",
            "error: 'esc-2026' is ambiguous; it matches esc-20261101-k3f7q2ma,"
            " esc-20261102-abcdefgh\n",
            1,
        ),
    ],
)
def test_unknown_or_ambiguous_ids(
    cli: Runner, repo: Path, mechanism: Callable[..., str], text: str, stderr: str, code: int
) -> None:
    mechanism()
    commit_record(repo, ESC_REL, escalation(), "escalate", "escalation.raise", ESC, "2026-11-01")
    other = "esc-20261102-abcdefgh"
    commit_record(
        repo,
        f"escalations/2026/11/{other}.yaml",
        escalation(esc_id=other),
        "escalate",
        "escalation.raise",
        other,
        "2026-11-02",
    )
    result = cli("history", text)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_a_record_never_committed_and_a_deleted_one(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    (repo / "mechanisms" / "fresh.yaml").write_text("id: fresh\n")
    result = cli("history", "fresh")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "no commit has touched mechanisms/fresh.yaml yet\n"
    assert json.loads(cli("history", "fresh", "--json").stdout)["entries"] == []
    mechanism()
    git(repo, "rm", "-q", "mechanisms/wbr.yaml")
    git(repo, "commit", "-q", "-m", "Drop wbr")
    data = json.loads(cli("history", "wbr", "--json").stdout)
    assert _entries(data) == [
        ("edited by hand", "deleted", None, []),
        ("mechanism.activate", "changed", None, ["status: draft → active"]),
        ("mechanism.create", "created", None, []),
    ]


def test_history_in_a_repository_without_commits(cli: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    result = cli("history", "wbr", cwd=empty)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no mechanism or escalation 'wbr'\nhint: list them with `mechctl mechanism list`\n"
    )


def test_a_copy_is_a_creation_not_the_start_of_another_files_life(cli: Runner, repo: Path) -> None:
    from mechctl.services.mechanism.new import template
    from mechctl.store import yamlio

    draft = {"id": "wbr", "status": "draft", "version": 1, **template("wbr", "finance")}
    (repo / "drafts").mkdir()
    (repo / "drafts" / "wbr.yaml").write_text(yamlio.dump(yamlio.to_yaml(draft)))
    git(repo, "add", "drafts")
    git(repo, "commit", "-q", "-m", "Draft outside mechanctl")
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert "\tdrafts/wbr.yaml\t" in git(
        repo, "log", "--follow", "--raw", "--format=", "--", "mechanisms/wbr.yaml"
    )  # git saw a copy
    data = json.loads(cli("history", "wbr", "--json").stdout)
    assert _entries(data) == [("mechanism.create", "created", None, [])]


def test_log_show_signature_in_the_users_config_changes_nothing(
    story: Path,
    cli: Runner,
) -> None:
    plain = json.loads(cli("history", "demo", "--json", cwd=story).stdout)
    git(story, "config", "log.showSignature", "true")
    try:
        shown = json.loads(cli("history", "demo", "--json", cwd=story).stdout)
        audited = json.loads(cli("audit", "--json", cwd=story).stdout)
    finally:
        git(story, "config", "--unset", "log.showSignature")
    assert shown == plain
    assert [e["signature"] for e in audited["entries"]][:3] == ["G", "G", "N"]
