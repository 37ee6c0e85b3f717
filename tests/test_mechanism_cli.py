"""`mechctl mechanism …` commands: the happy paths and the bad input a user would type."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import Runner, commit_count, committed_files, git, trailers

NEW = ("mechanism", "new", "demo", "--title", "Demo", "--owner", "finance", "--problem", "P")


@pytest.fixture
def demo(cli: Runner) -> str:
    assert cli(*NEW).exit_code == 0
    return "demo"


@pytest.mark.parametrize("bad", ["../x", "A B", "x", "x-", "x/y", "a" * 64])
def test_new_refuses_bad_ids(cli: Runner, repo: Path, bad: str) -> None:
    count = commit_count(repo)
    result = cli("mechanism", "new", bad, "--title", "T", "--owner", "finance", "--problem", "P")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: invalid mechanism id {bad!r}: use 2-63 lowercase letters, digits and '-',"
        " starting and ending with a letter or digit (e.g. 'weekly-business-review')\n"
    )
    assert commit_count(repo) == count
    assert list((repo / "mechanisms").glob("*.yaml")) == []


def test_new_refuses_existing_id(cli: Runner, repo: Path, demo: str) -> None:
    count = commit_count(repo)
    result = cli(*NEW)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mechanism 'demo' already exists (mechanisms/demo.yaml)\n"
        "hint: change it with `mechctl mechanism edit demo`\n"
    )
    assert commit_count(repo) == count


def test_new_missing_value_without_terminal_is_usage_error(cli: Runner) -> None:
    result = cli("mechanism", "new", "demo", "--title", "T", "--problem", "P")
    assert result.exit_code == 2
    assert result.stderr == "error: missing option --owner (Owning team)\n"


def test_new_empty_title_is_usage_error(cli: Runner) -> None:
    result = cli("mechanism", "new", "demo", "--title", " ", "--owner", "f", "--problem", "P")
    assert result.exit_code == 2
    assert result.stderr == "error: --title must not be empty\n"


def test_new_owner_must_be_a_team(cli: Runner) -> None:
    result = cli(
        "mechanism", "new", "demo", "--title", "T", "--owner", "Jane Doe", "--problem", "P"
    )
    assert result.exit_code == 1
    assert "is not a team name" in result.stderr


def test_new_unknown_template(cli: Runner) -> None:
    result = cli("mechanism", "new", "demo", "--template", "okr", "--owner", "finance")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown --template 'okr'; choose one of: bar-raiser, wbr, operating-plan,"
        " prfaq, narrative\n"
    )


@pytest.mark.parametrize("template", ["bar-raiser", "wbr", "operating-plan", "prfaq", "narrative"])
def test_every_template_is_complete(cli: Runner, repo: Path, template: str) -> None:
    made = cli("mechanism", "new", "demo", "--template", template, "--owner", "my-team")
    assert made.exit_code == 0, made
    activated = cli("mechanism", "activate", "demo")
    assert activated.exit_code == 0, activated
    shown = json.loads(cli("mechanism", "show", "demo", "--json").stdout)
    assert shown["status"] == "active"
    assert shown["iterations"] == [
        {
            "version": 1,
            "date": shown["iterations"][0]["date"],
            "why": f"created from the {template} template",
            "escalations": [],
        }
    ]
    assert "{owner}" not in (repo / "mechanisms" / "demo.yaml").read_text()


def test_set_bumps_version_and_appends_iteration(cli: Runner, repo: Path, demo: str) -> None:
    result = cli(
        "mechanism",
        "set",
        "demo",
        "tool.inputs[]=Sales data",
        "tool.steps=[collect, review]",
        "inspection.cadence=weekly",
        "--why",
        "first steps",
    )
    assert result.exit_code == 0, result
    assert result.stderr == "demo is now version 2\n"
    assert committed_files(repo) == ["mechanisms/demo.yaml"]
    assert trailers(repo) == {"Mechctl-Action": "mechanism.set", "Mechctl-Record": "demo"}
    assert git(repo, "log", "-1", "--format=%s%n%n%b").startswith(
        "mechanism set: demo v2\n\nfirst steps\n"
    )
    data = json.loads(cli("mechanism", "show", "demo", "--json").stdout)
    assert data["version"] == 2
    assert data["tool"]["inputs"] == ["Sales data"]
    assert data["tool"]["steps"] == ["collect", "review"]
    assert data["inspection"]["cadence"] == "weekly"
    assert data["iterations"][-1]["why"] == "first steps"
    assert data["iterations"][-1]["version"] == 2


def test_set_keeps_comments_and_order(cli: Runner, repo: Path, demo: str) -> None:
    path = repo / "mechanisms" / "demo.yaml"
    text = path.read_text().replace("title: Demo", "title: Demo  # keep me")
    path.write_text(text)
    git(repo, "commit", "-qam", "comment")
    assert cli("mechanism", "set", "demo", "problem=Q", "--why", "sharper").exit_code == 0
    after = path.read_text()
    assert "title: Demo  # keep me\n" in after
    diff = git(repo, "diff", "HEAD~1", "--", "mechanisms/demo.yaml")
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-version: 1",
        "-problem: P",
        "+version: 2",
        "+problem: Q",
        "+  - version: 2",
        "+    date: " + after.split("    date: ")[-1].splitlines()[0],
        "+    why: sharper",
    ]


def test_set_same_value_commits_nothing(cli: Runner, repo: Path, demo: str) -> None:
    count = commit_count(repo)
    result = cli("mechanism", "set", "demo", "title=Demo", "--why", "noop")
    assert result.exit_code == 0
    assert result.stderr == "no change to the definition; nothing committed\n"
    assert commit_count(repo) == count


@pytest.mark.parametrize(
    ("assignment", "code", "message"),
    [
        ("tool.stpes=[a]", 2, "unknown field 'tool.stpes' (did you mean 'steps'?)"),
        ("titel=x", 2, "unknown field 'titel' (did you mean 'title'?)"),
        (
            "version=9",
            2,
            "cannot set 'version': `version` is bumped by mechctl on every definition change",
        ),
        (
            "status=active",
            2,
            "cannot set 'status': use `mechctl mechanism activate` or `mechctl mechanism retire`",
        ),
        ("tool.steps=oops", 1, "invalid value: tool.steps: Input should be a valid list"),
        (
            "kind=revue",
            1,
            "invalid value: kind: invalid value 'revue'; allowed: review,"
            " planning, hiring, writing, operations, other",
        ),
        ("tool.steps[5]=x", 2, "tool.steps[5]: index 5 is out of range (the list has 0 items)"),
        ("tool.steps=[a", 2, "invalid YAML value for 'tool.steps': while parsing a flow sequence"),
        ("noequals", 2, "expected FIELD.PATH=VALUE, got 'noequals'"),
    ],
)
def test_set_bad_input(
    cli: Runner, repo: Path, demo: str, assignment: str, code: int, message: str
) -> None:
    count = commit_count(repo)
    before = (repo / "mechanisms" / "demo.yaml").read_text()
    result = cli("mechanism", "set", "demo", assignment, "--why", "try")
    assert result.exit_code == code, result
    assert result.stderr == f"error: {message}\n"
    assert commit_count(repo) == count
    assert (repo / "mechanisms" / "demo.yaml").read_text() == before


def test_set_unknown_mechanism_suggests(cli: Runner, demo: str) -> None:
    result = cli("mechanism", "set", "demos", "title=x", "--why", "w")
    assert result.exit_code == 1
    assert result.stderr == "error: no mechanism 'demos' (did you mean 'demo'?)\n"


def test_set_without_why_is_usage_error(cli: Runner, demo: str) -> None:
    result = cli("mechanism", "set", "demo", "title=x")
    assert result.exit_code == 2
    assert result.stderr == "error: missing option --why (Why does the mechanism change)\n"


def test_activate_lists_what_is_missing(cli: Runner, repo: Path, demo: str) -> None:
    count = commit_count(repo)
    result = cli("mechanism", "activate", "demo")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: cannot activate 'demo': it is incomplete; missing at least one tool input"
        " (tool.inputs); at least one desired output (tool.outputs); at least one tool step"
        " (tool.steps); at least one adoption stakeholder (adoption.stakeholders); at least"
        " one adoption approach (adoption.approach); an inspection cadence"
        " (inspection.cadence); at least one inspection signal (inspection.signals)"
    )
    assert commit_count(repo) == count


def test_activate_then_retire(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    assert trailers(repo)["Mechctl-Action"] == "mechanism.activate"
    again = cli("mechanism", "activate", "wbr")
    assert again.exit_code == 1
    assert again.stderr == "error: mechanism 'wbr' is active; only a draft can be activated\n"
    mechanism("new-wbr", "wbr")
    result = cli("mechanism", "retire", "wbr", "--reason", "replaced", "--superseded-by", "new-wbr")
    assert result.exit_code == 0, result
    data = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)
    assert data["status"] == "retired"
    assert data["retired"]["reason"] == "replaced"
    assert data["retired"]["superseded_by"] == "new-wbr"
    listed = json.loads(cli("mechanism", "list", "--status", "active", "--json").stdout)
    assert [m["id"] for m in listed] == ["new-wbr"]


def test_list_filters_and_json(cli: Runner, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr", owner="finance")
    mechanism("hiring", "bar-raiser", owner="talent", active=False)
    by_owner = json.loads(cli("mechanism", "list", "--owner", "talent", "--json").stdout)
    assert [m["id"] for m in by_owner] == ["hiring"]
    text = cli("mechanism", "list")
    assert text.exit_code == 0
    # Plain aligned rows on a pipe (tests/test_listing.py): the last column is not padded.
    assert text.stdout == (
        "ID      TITLE                                 KIND        STATUS   OWNER    VER  CADENCE "
        "   LAST INSPECTED\n"
        "hiring  Bar Raiser hiring                     hiring      draft    talent   1    quarterly"
        "  never\n"
        "wbr     Weekly Business Review (WBR/MBR/QBR)  review      active   finance  1    monthly  "
        "  never\n"
    )
    bad = cli("mechanism", "list", "--status", "dead")
    assert bad.exit_code == 2
    assert bad.stderr == (
        "error: Invalid value for '--status': 'dead' is not one of 'draft', 'active',"
        " 'retired'. (see `mechctl mechanism list --help`)\n"
    )


def _editor(tmp_path: Path, script: str) -> dict[str, str]:
    path = tmp_path / "editor.py"
    path.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + script)
    return {"EDITOR": f"{sys.executable} {path}"}


def test_edit_applies_and_bumps(cli: Runner, repo: Path, demo: str, tmp_path: Path) -> None:
    env = _editor(
        tmp_path, "p.write_text(p.read_text().replace('problem: P', 'problem: Sharper'))\n"
    )
    result = cli("mechanism", "edit", "demo", "--why", "clearer problem", env=env)
    assert result.exit_code == 0, result
    assert result.stderr == "demo is now version 2\n"
    assert trailers(repo) == {"Mechctl-Action": "mechanism.edit", "Mechctl-Record": "demo"}


def test_edit_unchanged_or_emptied_is_abandoned(
    cli: Runner, repo: Path, demo: str, tmp_path: Path
) -> None:
    count = commit_count(repo)
    same = cli(
        "mechanism",
        "edit",
        "demo",
        "--why",
        "w",
        env=_editor(tmp_path, "p.write_text(p.read_text())\n"),
    )
    assert (same.exit_code, same.stderr) == (0, "no changes; nothing committed\n")
    emptied = cli(
        "mechanism", "edit", "demo", "--why", "w", env=_editor(tmp_path, "p.write_text('')\n")
    )
    assert (emptied.exit_code, emptied.stderr) == (
        0,
        "edit abandoned: the file was emptied; nothing changed\n",
    )
    assert commit_count(repo) == count


def test_edit_invalid_without_terminal_saves_draft(
    cli: Runner, repo: Path, demo: str, tmp_path: Path
) -> None:
    count = commit_count(repo)
    env = _editor(tmp_path, "p.write_text(p.read_text().replace('kind: other', 'kind: revue'))\n")
    result = cli("mechanism", "edit", "demo", "--why", "w", env=env)
    assert result.exit_code == 1
    first, hint = result.stderr.splitlines()
    assert first.startswith("error: mechanisms/demo.yaml:4:7: kind: invalid value 'revue';")
    assert "; your edit is saved in " in first
    draft = first.rsplit("saved in ", 1)[1]
    assert hint == f"hint: fix it, then: mechctl mechanism edit demo --why w --from-file {draft}"
    assert commit_count(repo) == count
    # The saved draft, once fixed, applies with --from-file.
    draft_path = Path(draft) if Path(draft).is_absolute() else Path.cwd() / draft
    draft_path.write_text(draft_path.read_text().replace("kind: revue", "kind: review"))
    retried = cli("mechanism", "edit", "demo", "--why", "w", "--from-file", str(draft_path))
    assert retried.exit_code == 0, retried
    assert json.loads(cli("mechanism", "show", "demo", "--json").stdout)["kind"] == "review"


def test_edit_cannot_change_id_or_version(cli: Runner, demo: str, tmp_path: Path) -> None:
    env = _editor(tmp_path, "p.write_text(p.read_text().replace('version: 1', 'version: 7'))\n")
    result = cli("mechanism", "edit", "demo", "--why", "w", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: mechanisms/demo.yaml:7:10: 'version' cannot be changed here: `version` is"
        " bumped by mechctl on every definition change; your edit is saved in "
    )


def test_activation_dates_from_trailers(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from mechctl.git.repo import Git

    mechanism("wbr", "wbr")
    mechanism("draft-one", "prfaq", active=False)
    git(repo, "commit", "--allow-empty", "-qm", "Mechctl-Action: mechanism.activate (in a subject)")
    dates = Git.discover(repo).activation_dates()
    assert list(dates) == ["wbr"]
    assert isinstance(dates["wbr"], date)
