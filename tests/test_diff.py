"""`mechctl diff [REV_RANGE]`: field-level changes for review, in three formats."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import Runner, git
from story import ACKED, ESC, ESC_REL, at, commit_record, escalation, runner

DATA = Path(__file__).parent / "data"
ESC2 = "esc-20261105-mq2b7xza"
ESC3 = "esc-20261106-zz2aa3bb"
LONG_PROBLEM = (
    "Leaders cannot see the business first-hand any more, so problems surface late, usually"
    " through customer complaints; and when they do, the discussion swings between gut feel"
    " and isolated numbers."
)


def _esc_rel(esc_id: str) -> str:
    return f"escalations/2026/11/{esc_id}.yaml"


@pytest.fixture(scope="module")
def _pull_request(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main has an active WBR and an open escalation; the `feature` branch changes the WBR's
    definition, inspects it, acknowledges the escalation, raises a new one and adds a draft;
    main meanwhile raises another escalation and reformats a record. Built once."""
    repo = tmp_path_factory.mktemp("pr") / "repo"
    cli = runner(repo)
    assert cli("init", str(repo), env=at("2026-10-31")).exit_code == 0

    def run(day: str, *args: str) -> None:
        result = cli(*args, env=at(day))
        assert result.exit_code == 0, result

    run("2026-11-01", "mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance")
    run("2026-11-01", "mechanism", "activate", "wbr")
    run(
        "2026-11-01",
        "mechanism",
        "new",
        "narrative",
        "--template",
        "narrative",
        "--owner",
        "finance",
    )
    commit_record(repo, ESC_REL, escalation(), "escalate", "escalation.raise", ESC, "2026-11-01")
    git(repo, "switch", "-q", "-c", "feature")
    run(
        "2026-11-03",
        "mechanism",
        "set",
        "wbr",
        "tool.steps[]=Publish the notes | and *why*",
        f"problem={LONG_PROBLEM}",
        "inspection.cadence=weekly",
        "--why",
        "Readers asked for notes; churn went unseen",
        "--escalation",
        "k3f",
    )
    run(
        "2026-11-04",
        "inspect",
        "wbr",
        "--outcome",
        "at-risk",
        "--metric",
        "Deck published before the agreed cut-off time=0.82",
        "--anecdote",
        "Two VPs said the deck arrived after they had left",
        "--action",
        "Move the data refresh two hours earlier",
    )
    commit_record(
        repo,
        ESC_REL,
        escalation("acknowledged", extra=ACKED),
        f"ack: {ESC}",
        "escalation.ack",
        ESC,
        "2026-11-05",
    )
    commit_record(
        repo,
        _esc_rel(ESC2),
        escalation(esc_id=ESC2).replace(
            "Weekly deck missed the churn metric", "Hiring loop lost two candidates"
        ),
        "escalate",
        "escalation.raise",
        ESC2,
        "2026-11-05",
    )
    run("2026-11-05", "mechanism", "new", "prfaq", "--template", "prfaq", "--owner", "finance")
    narrative = repo / "mechanisms" / "narrative.yaml"
    commit_record(
        repo,
        "mechanisms/narrative.yaml",
        narrative.read_text().replace("\nkind:", "\n# reviewed in November\nkind:"),
        "Note a review",
        None,
        "narrative",
        "2026-11-05",
    )
    git(repo, "switch", "-q", "main")
    commit_record(
        repo,
        _esc_rel(ESC3),
        escalation(esc_id=ESC3),
        "escalate",
        "escalation.raise",
        ESC3,
        "2026-11-06",
    )
    git(repo, "switch", "-q", "feature")
    return repo


@pytest.fixture
def pull_request(_pull_request: Path, tmp_path: Path) -> Path:
    """A copy of the pull-request repository, for this test to change as it likes."""
    copy = tmp_path / "pr"
    shutil.copytree(_pull_request, copy, symlinks=True)
    return copy


def test_markdown_for_a_pull_request_matches_the_stored_comment(pull_request: Path) -> None:
    cli = runner(pull_request)
    result = cli("diff", "main...feature", "--format", "markdown")
    assert result.exit_code == 0, result
    assert result.stderr == ""
    expected = (DATA / "diff.md").read_text(encoding="utf-8")
    if os.environ.get("MECHCTL_REGENERATE"):
        (DATA / "diff.md").write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected


def test_text_for_a_pull_request(pull_request: Path) -> None:
    cli = runner(pull_request)
    result = cli("diff", "main...feature")
    assert result.exit_code == 0, result
    assert result.stdout == (
        "mechanism narrative: formatting or comments only\n"
        "mechanism prfaq: new, draft, v1\n"
        "mechanism wbr: v1 → v2, 3 definition changes, +1 inspection, +1 iteration\n"
        "  why: Readers asked for notes; churn went unseen\n"
        "  definition:\n"
        "    problem changed\n"
        "    tool.steps[6] added: Publish the notes | and *why*\n"
        "    inspection.cadence: monthly → weekly\n"
        "  new inspections:\n"
        "    2026-11-04 at-risk by Test User <test@example.com>\n"
        "      metric Deck published before the agreed cut-off time: 0.82\n"
        "      anecdote: Two VPs said the deck arrived after they had left\n"
        "      action: Move the data refresh two hours earlier\n"
        "  new iterations:\n"
        f"    v2 (2026-11-03): Readers asked for notes; churn went unseen\n"
        f"      escalation: {ESC}\n"
        f"escalation {ESC}: open → acknowledged, +1 timeline entry\n"
        "  state:\n"
        "    status: open → acknowledged\n"
        "  new timeline:\n"
        "    2026-11-02T10:00:00Z acknowledged by Test User <test@example.com>\n"
        "      note: Looking into the deck pipeline\n"
        f"escalation {ESC2}: raised: sev2 at director, open\n"
    )


def test_json_for_a_pull_request(pull_request: Path) -> None:
    cli = runner(pull_request)
    result = cli("diff", "main...feature", "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["range"] == "main...feature"
    assert data["base"] == git(pull_request, "merge-base", "main", "feature").strip()
    assert data["target"] == git(pull_request, "rev-parse", "feature").strip()
    records = {r["id"]: r for r in data["records"]}
    assert list(records) == ["narrative", "prfaq", "wbr", ESC, ESC2]
    wbr = records["wbr"]
    assert (wbr["change"], wbr["version"], wbr["why"], wbr["title"], wbr["status"]) == (
        "modified",
        {"old": 1, "new": 2},
        ["Readers asked for notes; churn went unseen"],
        "Weekly Business Review (WBR/MBR/QBR)",
        "active",
    )
    assert [c["path"] for c in wbr["definition"]] == [
        "problem",
        "tool.steps[6]",
        "inspection.cadence",
    ]
    assert wbr["definition"][0]["new"] == LONG_PROBLEM
    assert wbr["appended"]["inspections"][0]["outcome"] == "at-risk"
    assert wbr["appended"]["iterations"] == [
        {
            "version": 2,
            "date": "2026-11-03",
            "why": "Readers asked for notes; churn went unseen",
            "escalations": [ESC],
        }
    ]
    assert wbr["state"] == [] and wbr["log_edits"] == []
    esc = records[ESC]
    assert [c["summary"] for c in esc["state"]] == ["status: open → acknowledged"]
    assert esc["appended"]["timeline"][0]["action"] == "acknowledged"
    assert (records[ESC2]["change"], records[ESC2]["status"]) == ("added", "open")
    assert records["narrative"]["formatting_only"] is True


def test_two_dots_compare_the_tips_three_dots_the_merge_base(pull_request: Path) -> None:
    cli = runner(pull_request)
    two = json.loads(cli("diff", "main..feature", "--format", "json").stdout)
    assert {r["id"]: r["change"] for r in two["records"]}[ESC3] == "removed"
    three = json.loads(cli("diff", "main...feature", "--format", "json").stdout)
    assert ESC3 not in {r["id"] for r in three["records"]}
    # A side left out means HEAD, as in git.
    assert (
        json.loads(cli("diff", "main...", "--format", "json").stdout)["records"] == three["records"]
    )


def test_default_is_the_working_tree_against_head(pull_request: Path) -> None:
    cli = runner(pull_request)
    wbr = pull_request / "mechanisms" / "wbr.yaml"
    wbr.write_text(wbr.read_text().replace("status: active", "status: retired"))
    (pull_request / _esc_rel(ESC2)).unlink()
    new = pull_request / _esc_rel("esc-20261107-untrack2")
    new.write_text(escalation(esc_id="esc-20261107-untrack2"))
    (pull_request / "mechanisms" / "notes.txt").write_text("not a record\n")
    result = cli("diff")
    assert result.exit_code == 0, result
    assert result.stdout == (
        "mechanism wbr: active → retired, INVALID after the change\n"
        "  invalid after: mechanisms/wbr.yaml:2:1: a retired mechanism needs a 'retired'"
        " section with date and reason\n"
        "  state:\n"
        "    status: active → retired\n"
        f"escalation {ESC2}: removed\n"
        "escalation esc-20261107-untrack2: raised: sev2 at director, open\n"
    )
    shown = json.loads(cli("diff", "--format", "json").stdout)
    assert (shown["range"], shown["target"]) == ("HEAD", "working tree")
    assert cli("diff", "HEAD~1").stdout.startswith("mechanism narrative: formatting")


def test_a_record_invalid_in_the_range_is_shown_not_fatal(cli: Runner, repo: Path) -> None:
    commit_record(repo, ESC_REL, escalation(), "escalate", "escalation.raise", ESC, "2026-11-01")
    commit_record(
        repo,
        ESC_REL,
        escalation().replace("status: open", "status: [open"),
        "Broken",
        None,
        ESC,
        "2026-11-02",
    )
    result = cli("diff", "HEAD~1..HEAD")
    assert result.exit_code == 0, result
    assert result.stdout == (
        f"escalation {ESC}: INVALID after the change\n"
        f"  invalid after: {ESC_REL}:8:16: YAML syntax error: did not find expected ',' or ']'"
        " (while parsing a flow sequence)\n"
    )
    fixed = cli("diff", "HEAD..HEAD~1", "--format", "markdown").stdout
    assert f"**Invalid before the change:** {ESC_REL}:8:16: YAML syntax error" in fixed
    assert "was invalid, now valid" in fixed


def test_nothing_changed(cli: Runner, repo: Path) -> None:
    assert (cli("diff").stdout, cli("diff").stderr) == ("", "no record changed\n")
    assert cli("diff", "--format", "markdown").stdout == (
        "## mechctl diff\n\nUncommitted record changes against `HEAD`.\n\nNo record changed.\n"
    )
    assert json.loads(cli("diff", "--format", "json").stdout)["records"] == []
    assert cli("diff", "HEAD", "--format", "markdown").stdout.startswith(
        "## mechctl diff\n\nUncommitted record changes against `HEAD`.\n"
    )
    assert (
        "Record changes from `HEAD~0` to the working tree."
        in cli("diff", "HEAD~0", "--format", "markdown").stdout
    )


@pytest.mark.parametrize(
    ("spec", "stderr", "code"),
    [
        ("nope", "error: bad revision 'nope'\n", 1),
        ("main..nope", "error: bad revision 'nope'\n", 1),
        ("nope...main", "error: bad revision 'nope'\n", 1),
        ("HEAD~5", "error: bad revision 'HEAD~5'\n", 1),
        ("HEAD:mechanisms", "error: 'HEAD:mechanisms' is not a commit\n", 1),
        ("..", "error: invalid REV_RANGE '..': expected REV, A..B or A...B\n", 2),
        (" ", "error: invalid REV_RANGE ' ': expected REV, A..B or A...B\n", 2),
    ],
)
def test_bad_rev_range(cli: Runner, spec: str, stderr: str, code: int) -> None:
    result = cli("diff", spec)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_unknown_format(cli: Runner) -> None:
    result = cli("diff", "--format", "html")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--format': 'html' is not one of")


def test_repository_without_commits(cli: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    result = cli("diff", cwd=empty)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the repository has no commits yet, so there is nothing to compare with\n"
        "hint: make a first commit (`mechctl init` does) and try again\n"
    )


def test_rename_by_hand_in_the_range(cli: Runner, repo: Path) -> None:
    commit_record(repo, ESC_REL, escalation(), "escalate", "escalation.raise", ESC, "2026-11-01")
    moved = f"escalations/2026/12/{ESC}.yaml"
    (repo / moved).parent.mkdir(parents=True)
    git(repo, "mv", ESC_REL, moved)
    git(repo, "commit", "-q", "-m", "Move to December")
    result = cli("diff", "HEAD~1..HEAD", "--format", "json")
    record = json.loads(result.stdout)["records"][0]
    assert (record["change"], record["path"], record["old_path"]) == ("renamed", moved, ESC_REL)
    assert cli("diff", "HEAD~1..HEAD").stdout == (f"escalation {ESC}: renamed from {ESC_REL}\n")
