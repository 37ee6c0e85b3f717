"""`mechctl status`: my escalations, my team's, inspections due this week, the checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import Result
from report_repo import ANA, E2, E5, E7, E8, NOW, build

TEAMS = """teams:
  finance: {codeowners: ["@org/finance", "Ana@Example.com"]}
  product-management: {codeowners: ["@org/pm"]}
  recruiting: {codeowners: []}
"""


@pytest.fixture(scope="module")
def known(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(_template, tmp_path_factory.mktemp("status") / "repo")


@pytest.fixture
def with_teams(known: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "teams"
    shutil.copytree(known, copy, symlinks=True)
    (copy / ".mechctl.yaml").write_text(TEAMS)
    return copy


def run(repo: Path, *args: str, who: str = ANA, env: dict[str, str] | None = None) -> Result:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    name, email = who[:-1].split(" <")
    base = {"MECHCTL_NOW": NOW, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    done = CliRunner().invoke(app, ["-C", str(repo), "status", *args], env={**base, **(env or {})})
    return Result(done.exit_code, done.stdout, done.stderr)


def status_json(repo: Path, *args: str, **kwargs: Any) -> dict[str, Any]:
    done = run(repo, "--json", *args, **kwargs)
    assert done.exit_code == 0, done
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_mine_are_the_unresolved_ones_i_raised(known: Path) -> None:
    data = status_json(known)
    assert data["identity"] == ANA
    assert [e["id"] for e in data["mine"]] == [E2, E7]
    assert data["mine"][0]["derived"]["ack_overdue"] is True
    assert (data["teams"], data["team_source"], data["team"]) == ([], "none", [])


def test_team_from_the_option_or_the_environment(known: Path) -> None:
    data = status_json(known, "--team", "finance")
    assert (data["teams"], data["team_source"]) == (["finance"], "option")
    assert [e["id"] for e in data["team"]] == [E2, E7, E8]
    assert status_json(known, env={"MECHCTL_TEAM": "finance"})["teams"] == ["finance"]


def test_team_from_my_email_in_codeowners(with_teams: Path) -> None:
    data = status_json(with_teams)
    assert (data["teams"], data["team_source"]) == (["finance"], "codeowners")
    assert [e["id"] for e in data["team"]] == [E2, E7, E8]
    other = status_json(with_teams, who="Wei Chen <wei@example.com>")
    assert (other["teams"], other["team_source"], other["team"]) == ([], "none", [])


def test_inspections_due_this_week_and_the_checks(known: Path) -> None:
    data = status_json(known)
    assert data["inspections_due_by"] == "2026-03-08"
    assert data["inspections_due"] == [
        {
            "mechanism": "prfaq",
            "title": "PRFAQ (working backwards)",
            "owner": "product-management",
            "inspector": "product-management",
            "cadence": "quarterly",
            "due": "2026-01-31",
            "days_left": -29,
        }
    ]
    assert status_json(known, "--team", "finance")["inspections_due"] == []  # wbr: 03-12
    checks = data["checks"]
    assert {k: v for k, v in checks.items() if k != "problems"} == {
        "mechanisms": 3,
        "escalations": 9,
        "invalid_files": 1,
        "ack_overdue": 2,
        "resolve_overdue": 1,
        "inspections_overdue": 1,
    }
    assert checks["problems"] == [
        "escalations/2026/02/esc-20260220-bbbbbbbb.yaml:1:1: missing required field"
        " 'customer_impact'"
    ]


def test_text_screen(known: Path) -> None:
    done = run(known, "--team", "finance")
    assert done.exit_code == 0, done
    lines = done.stdout.splitlines()
    assert lines[0] == f"{ANA} · teams: finance (from --team)"
    assert "My open escalations (2)" in lines
    assert "Open escalations on mechanisms owned by finance (3)" in lines
    assert "Inspections due by 2026-03-08 (0)" in lines
    assert any(line.startswith(E2) for line in lines)
    assert lines[-2].startswith("Checks: 3 mechanisms, 9 escalations, 1 invalid file(s);")
    everyone = run(known).stdout
    assert "  prfaq  PRFAQ (working backwards) · quarterly · was due 2026-01-31 (29d overdue)" in (
        everyone
    )


def test_without_a_git_identity_the_rest_still_shows(known: Path, tmp_path: Path) -> None:
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    done = CliRunner().invoke(
        app,
        ["-C", str(known), "status", "--json"],
        env={"MECHCTL_NOW": NOW, "GIT_CONFIG_GLOBAL": str(empty)},
    )
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["identity"], data["mine"]) == (None, [])
    assert data["checks"]["resolve_overdue"] == 1
    assert [
        e["id"] for e in json.loads(run(known, "--json", "--team", "finance").stdout)["team"]
    ] == [E2, E7, E8]
    assert E5  # the no-mechanism escalation belongs to no team


def test_unknown_team_is_a_usage_error(with_teams: Path) -> None:
    done = run(with_teams, "--team", "financ")
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        "error: unknown team 'financ' for --team; configured teams: finance, product-management,"
        " recruiting\n"
    )
