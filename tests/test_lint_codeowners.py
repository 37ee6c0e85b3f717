"""`mechctl codeowners [--check]`, and what the project ships for other repositories."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import Runner, status
from lintkit import TEAMS, write
from mechctl.store import yamlio

ROOT = Path(__file__).resolve().parents[1]

BLOCK = (
    (
        "# BEGIN mechctl codeowners: generated from mechanism owners and .mechctl.yaml teams;"
        " run `mechctl codeowners` after a change, edits here are overwritten\n"
    )
    + """\
/mechanisms/bar-raiser.yaml @acme/bizops
/mechanisms/wbr.yaml @acme/finance
# END mechctl codeowners
"""
)


@pytest.fixture
def teams(cli: Runner, repo: Path) -> Path:
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text() + TEAMS)
    for mechanism_id, template, owner in (
        ("wbr", "wbr", "finance"),
        ("bar-raiser", "bar-raiser", "business-operations"),
    ):
        assert (
            cli(
                "mechanism", "new", mechanism_id, "--template", template, "--owner", owner
            ).exit_code
            == 0
        )
    return repo


def test_writes_github_codeowners_without_committing(cli: Runner, teams: Path) -> None:
    result = cli("codeowners")
    assert result.exit_code == 0, result
    assert result.stderr == "wrote .github/CODEOWNERS; commit it with the change that caused it\n"
    assert (teams / ".github" / "CODEOWNERS").read_text() == BLOCK
    assert "?? .github/CODEOWNERS" in status(teams).splitlines()  # written, not committed
    again = cli("codeowners")
    assert again.stderr == ".github/CODEOWNERS is up to date\n"


def test_check(cli: Runner, teams: Path) -> None:
    missing = cli("codeowners", "--check")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "error: .github/CODEOWNERS is missing\nhint: run `mechctl codeowners` and commit it\n"
    )
    assert not (teams / ".github" / "CODEOWNERS").exists()
    assert cli("codeowners").exit_code == 0
    assert cli("codeowners", "--check").exit_code == 0
    made = cli("mechanism", "new", "prfaq", "--template", "prfaq", "--owner", "finance")
    assert made.exit_code == 0
    stale = cli("codeowners", "--check")
    assert stale.exit_code == 1
    assert stale.stderr.startswith("error: .github/CODEOWNERS is stale\n")


def test_keeps_the_users_own_lines(cli: Runner, teams: Path) -> None:
    write(
        teams,
        "CODEOWNERS",
        "* @acme/everyone\n\n" + BLOCK.replace("@acme/finance", "@old") + "/docs/ @acme/writers\n",
    )
    assert cli("codeowners").exit_code == 0
    assert (teams / "CODEOWNERS").read_text() == (
        "* @acme/everyone\n\n" + BLOCK + "/docs/ @acme/writers\n"
    )


def test_team_without_codeowners_is_noted(cli: Runner, teams: Path) -> None:
    made = cli("mechanism", "new", "prfaq", "--template", "prfaq", "--owner", "recruiting")
    assert made.exit_code == 0
    result = cli("codeowners")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "warning: team 'recruiting' has no codeowners in .mechctl.yaml; mechanisms/prfaq.yaml"
        " gets no owner line"
    )
    assert "prfaq" not in (teams / ".github" / "CODEOWNERS").read_text()


def test_needs_teams(cli: Runner, repo: Path) -> None:
    result = cli("codeowners")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: `.mechctl.yaml` lists no teams, so there are no code owners to write\n"
        'hint: add e.g. `teams: {platform-eng: {codeowners: ["@my-org/platform-eng"]}}`\n'
    )


def test_broken_mechanism_stops_it_with_its_place(cli: Runner, teams: Path) -> None:
    path = teams / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("kind: review", "kind: revue"))
    result = cli("codeowners")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: mechanisms/wbr.yaml:4:7: kind: invalid value 'revue'")


# -- what other repositories use -------------------------------------------------------------


def test_pre_commit_hooks() -> None:
    hooks = yamlio.load_value((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    lint = by_id["mechctl-lint"]
    assert lint["entry"] == "mechctl lint"
    assert lint["language"] == "python"
    assert re.search(lint["files"], "escalations/2026/11/esc-20261121-k3f9q2ma.yaml")
    assert re.search(lint["files"], "mechanisms/wbr.yaml")
    assert not re.search(lint["files"], "README.md")
    check = by_id["mechctl-codeowners"]
    assert check["entry"] == "mechctl codeowners --check"
    assert check["pass_filenames"] is False
    assert re.search(check["files"], ".github/CODEOWNERS")


def test_github_actions_example() -> None:
    """The lint example runs the action (action.yml runs --base on pull requests, SARIF,
    then --format github; tests/test_action.py checks the action itself)."""
    text = (ROOT / "examples" / "github-actions-lint.yml").read_text()
    workflow = yamlio.load_value(text)
    steps = workflow["jobs"]["lint"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert steps[-1]["uses"] == "<owner>/mechctl@<tag>"
    assert steps[-1]["with"] == {"command": "lint", "sarif": True}
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"]["security-events"] == "write"
    readme = (ROOT / "README.md").read_text()
    assert "examples/github-actions-lint.yml" in readme
