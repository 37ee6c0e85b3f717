"""Each lint rule: a case that makes it fire (at the exact place) and one that keeps it quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import (
    NOW,
    TEAMS,
    commit,
    esc_rel,
    esc_text,
    findings,
    fired,
    line,
    rules,
    write,
    write_esc,
)

CREATED = "2026-11-01T09:00:00Z"


@pytest.fixture
def wbr(cli: Runner, repo: Path) -> Path:
    """An active `wbr` mechanism owned by finance, created and activated on 1 Nov 2026."""
    env = {"MECHCTL_NOW": CREATED, "GIT_AUTHOR_DATE": CREATED, "GIT_COMMITTER_DATE": CREATED}
    assert (
        cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance", env=env).exit_code
        == 0
    )
    assert cli("mechanism", "activate", "wbr", env=env).exit_code == 0
    return repo / "mechanisms" / "wbr.yaml"


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line that starts with `text`."""
    return next(
        i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text)
    )


def test_clean_repository_has_no_findings(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo)
    result = cli("lint", env={"MECHCTL_NOW": NOW})
    assert result.exit_code == 0, result
    assert result.stdout == "no problems in 2 record files\n"
    assert result.stderr == ""


# -- yaml-syntax, schema ---------------------------------------------------------------------


def test_yaml_syntax(cli: Runner, repo: Path, wbr: Path) -> None:
    write(repo, esc_rel("esc-20261120-aaaaaaaa"), "id: esc-20261120-aaaaaaaa\ntitle: [unclosed\n")
    assert findings(cli, code=1) == [
        {
            "path": "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
            "line": 3,
            "column": 1,
            "rule": "yaml-syntax",
            "severity": "error",
            "message": "YAML syntax error: did not find expected ',' or ']' (while parsing a flow"
            " sequence)",
        }
    ]


def test_schema_points_at_the_key_or_value(cli: Runner, repo: Path, wbr: Path) -> None:
    text = (
        esc_text()
        .replace("severity: sev3", "severty: sev3")
        .replace("level: director", "level: ceo")
    )
    write(repo, esc_rel("esc-20261120-aaaaaaaa"), text)
    got = findings(cli, code=1)
    assert [(f["line"], f["column"], f["rule"], f["message"]) for f in got] == [
        (5, 1, "schema", "unknown key 'severty' (did you mean 'severity'?)"),
        (
            6,
            8,
            "schema",
            "level: unknown level 'ceo'; configured levels: team, manager, director, vp",
        ),
    ]


def test_schema_missing_field_points_at_its_parent(cli: Runner, repo: Path, wbr: Path) -> None:
    text = esc_text(status="resolved").replace("  summary: Added the metric\n", "")
    write(repo, esc_rel("esc-20261120-aaaaaaaa"), text)
    got = fired(cli, "schema", code=1)
    assert [(f["line"], f["column"], f["message"]) for f in got] == [
        (line(text, "resolution:"), 1, "missing required field 'resolution.summary'"),
    ]


# -- id-mismatch, duplicate-id ---------------------------------------------------------------


def test_id_mismatch_file_name(cli: Runner, repo: Path, wbr: Path) -> None:
    write(repo, esc_rel("esc-20261120-bbbbbbbb"), esc_text("esc-20261120-aaaaaaaa"))
    assert rules(cli, code=1) == [
        ("escalations/2026/11/esc-20261120-bbbbbbbb.yaml", 1, 5, "id-mismatch", "error")
    ]
    assert fired(cli, "id-mismatch")[0]["message"] == (
        "id 'esc-20261120-aaaaaaaa' does not match the file name 'esc-20261120-bbbbbbbb'"
    )


def test_id_mismatch_wrong_place(cli: Runner, repo: Path, wbr: Path) -> None:
    write(repo, "escalations/2026/12/esc-20261120-aaaaaaaa.yaml", esc_text())
    write(repo, "mechanisms/old/wbr2.yaml", wbr.read_text().replace("id: wbr\n", "id: wbr2\n"))
    got = fired(cli, "id-mismatch", code=1)
    assert [(f["path"], f["message"]) for f in got] == [
        (
            "escalations/2026/12/esc-20261120-aaaaaaaa.yaml",
            "this record belongs at escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
        ),
        ("mechanisms/old/wbr2.yaml", "this record belongs at mechanisms/wbr2.yaml"),
    ]


def test_duplicate_id(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo)
    write(repo, "escalations/2026/11/esc-20261120-aaaaaaaa.yml", esc_text())
    got = fired(cli, "duplicate-id", code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
            1,
            5,
            "escalation id 'esc-20261120-aaaaaaaa' is also used by"
            " escalations/2026/11/esc-20261120-aaaaaaaa.yml",
        ),
        (
            "escalations/2026/11/esc-20261120-aaaaaaaa.yml",
            1,
            5,
            "escalation id 'esc-20261120-aaaaaaaa' is also used by"
            " escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
        ),
    ]


def test_distinct_ids_are_quiet(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, "esc-20261120-aaaaaaaa")
    write_esc(repo, "esc-20261120-bbbbbbbb", failure_mode="scale")
    assert fired(cli, "duplicate-id", code=0) == []


# -- unknown-mechanism, unknown-team ---------------------------------------------------------


def test_unknown_mechanism(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, mechanism="wbrr")
    rel = write_esc(
        repo,
        "esc-20261120-bbbbbbbb",
        status="resolved",
        resolution="  summary: s\n  mechanism_change:\n    mechanism: okr\n    version: 2\n",
    )
    got = fired(cli, "unknown-mechanism", code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
            3,
            12,
            "no mechanism 'wbrr' (did you mean 'wbr'?)",
        ),
        (
            rel,
            line((repo / rel).read_text(), "    mechanism: okr"),
            16,
            "mechanism_change: no mechanism 'okr'",
        ),
    ]


def test_unknown_superseded_by(cli: Runner, repo: Path, wbr: Path) -> None:
    text = wbr.read_text().replace("status: active", "status: retired")
    text += "retired:\n  date: 2026-11-20\n  reason: replaced\n  superseded_by: wbr-two\n"
    wbr.write_text(text)
    got = fired(cli, "unknown-mechanism", code=1)
    assert [(f["line"], f["column"], f["message"]) for f in got] == [
        (len(text.splitlines()), 18, "superseded_by: no mechanism 'wbr-two' (did you mean 'wbr'?)")
    ]


def test_known_mechanism_even_when_its_file_is_broken(cli: Runner, repo: Path, wbr: Path) -> None:
    wbr.write_text(wbr.read_text().replace("kind: review", "kind: revue"))
    write_esc(repo)
    assert [f["rule"] for f in findings(cli, code=1)] == ["schema"]


def test_unknown_team(cli: Runner, repo: Path, wbr: Path) -> None:
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text() + TEAMS)
    write_esc(repo, owner="financ")
    got = fired(cli, "unknown-team", code=1)
    stakeholders = [(f["line"], f["message"]) for f in got if f["path"] == "mechanisms/wbr.yaml"]
    assert stakeholders == [
        (
            line_of(wbr, "    - team: business-intelligence"),
            "unknown team 'business-intelligence' (did you mean 'business-operations'?)",
        ),
        (
            line_of(wbr, "    - team: metric-owners"),
            "unknown team 'metric-owners'; add it to `teams` in .mechctl.yaml",
        ),
        (
            line_of(wbr, "    - team: leadership-team"),
            "unknown team 'leadership-team'; add it to `teams` in .mechctl.yaml",
        ),
    ]
    escalation = [
        (f["line"], f["column"], f["message"]) for f in got if f["path"] != "mechanisms/wbr.yaml"
    ]
    assert escalation == [(11, 8, "unknown team 'financ' (did you mean 'finance'?)")]


def test_unknown_team_owner_and_inspector(cli: Runner, repo: Path, wbr: Path) -> None:
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text() + TEAMS.replace("finance:", "money:"))
    got = fired(cli, "unknown-team", code=1)
    places = {(f["line"], f["column"]) for f in got}
    assert (line_of(wbr, "owner: finance"), 8) in places
    assert (line_of(wbr, "  inspector: finance"), 14) in places


def test_teams_not_configured_means_any_team(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, owner="whoever")
    assert fired(cli, "unknown-team", code=0) == []


# -- incomplete-mechanism --------------------------------------------------------------------


def test_incomplete_active_mechanism(cli: Runner, repo: Path, wbr: Path) -> None:
    text = wbr.read_text()
    start = text.index("  steps:\n")
    end = text.index("levers:")
    wbr.write_text(text[:start] + "  steps: []\n" + text[end:])
    got = fired(cli, "incomplete-mechanism", code=1)
    assert [(f["line"], f["column"], f["message"]) for f in got] == [
        (
            line_of(wbr, "  steps: []"),
            10,
            "active mechanism is incomplete: 'tool.steps' is missing or empty",
        ),
    ]


def test_incomplete_draft_is_quiet(cli: Runner, repo: Path) -> None:
    assert (
        cli(
            "mechanism", "new", "demo", "--title", "Demo", "--owner", "finance", "--problem", "P"
        ).exit_code
        == 0
    )
    assert findings(cli, code=0) == []


# -- inspection-overdue, inspection-without-anecdote -----------------------------------------


def _inspect(wbr: Path, *records: str) -> None:
    text = wbr.read_text()
    wbr.write_text(text.replace("inspections: []\n", "inspections:\n" + "".join(records)))


def record(day: str, metrics: bool = True, anecdotes: bool = True) -> str:
    text = f"  - date: {day}\n    outcome: on-track\n"
    if metrics:
        text += "    metrics:\n      decks on time: 0.9\n"
    if anecdotes:
        text += "    anecdotes:\n      - A customer saw the churn chart and asked for it weekly\n"
    return text + "    by: Test User\n"


def test_inspection_overdue_from_last_inspection(cli: Runner, repo: Path, wbr: Path) -> None:
    _inspect(wbr, record("2026-09-01"), record("2026-10-01"))
    got = fired(cli, "inspection-overdue", now="2026-11-05T09:00:00Z", code=0)
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in got] == [
        (
            line_of(wbr, "  cadence: monthly"),
            12,
            "warning",
            "monthly inspection overdue since 2026-10-31 (last inspected 2026-10-01); record one"
            " with `mechctl inspect wbr`",
        ),
    ]
    assert fired(cli, "inspection-overdue", now="2026-10-31T23:59:00Z") == []


def test_inspection_overdue_never_inspected_counts_from_activation(
    cli: Runner, repo: Path, wbr: Path
) -> None:
    # Activated on 1 Nov (the activation commit), monthly: due 1 Dec.
    assert fired(cli, "inspection-overdue", now="2026-12-01T23:00:00Z") == []
    got = fired(cli, "inspection-overdue", now="2026-12-02T00:00:00Z")
    assert [f["message"] for f in got] == [
        "monthly inspection overdue since 2026-12-01 (never inspected since it became active on"
        " 2026-11-01); record one with `mechctl inspect wbr`"
    ]


def test_inspection_overdue_without_activation_commit_uses_iterations(
    cli: Runner, repo: Path, wbr: Path
) -> None:
    # A hand-written active mechanism has no activation commit: its latest iteration counts.
    write(
        repo,
        "mechanisms/hand.yaml",
        wbr.read_text()
        .replace("id: wbr", "id: hand")
        .replace("    date: 2026-11-01", "    date: 2026-06-01"),
    )
    got = fired(cli, "inspection-overdue", now="2026-07-10T00:00:00Z")
    assert [(f["path"], f["message"]) for f in got] == [
        (
            "mechanisms/hand.yaml",
            "monthly inspection overdue since 2026-07-01 (never inspected"
            " since it became active on 2026-06-01); record one with `mechctl inspect hand`",
        ),
    ]


def test_inspection_without_anecdote(cli: Runner, repo: Path, wbr: Path) -> None:
    _inspect(
        wbr,
        record("2026-11-02"),
        record("2026-11-09", anecdotes=False),
        record("2026-11-16", metrics=False),
    )
    got = fired(cli, "inspection-without-anecdote", code=0)
    lines = [i for i, line in enumerate(wbr.read_text().splitlines(), 1) if "- date:" in line]
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in got] == [
        (
            lines[1],
            5,
            "warning",
            "the inspection of 2026-11-09 has metrics but no customer"
            " anecdote; data alone misleads",
        ),
        (
            lines[2],
            5,
            "warning",
            "the inspection of 2026-11-16 has customer anecdotes but no"
            " metrics; record the signals' values too",
        ),
    ]


def test_inspection_with_both_is_quiet(cli: Runner, repo: Path, wbr: Path) -> None:
    _inspect(wbr, record("2026-11-02"))
    assert findings(cli, code=0) == []


# -- ack-overdue, resolve-overdue ------------------------------------------------------------


def test_ack_overdue(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="open", severity="sev2", raised_at="2026-11-21T07:00:00Z")
    assert fired(cli, "ack-overdue", now="2026-11-21T11:00:00Z") == []  # exactly 4h: in time
    got = fired(cli, "ack-overdue", now="2026-11-21T11:01:00Z", code=0)
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in got] == [
        (
            7,
            9,
            "warning",
            "sev2 escalation still unacknowledged 4h 1m after it was raised"
            " (acknowledge within 4h: `mechctl escalation ack esc-20261120-aaaaaaaa`)",
        ),
    ]


def test_ack_overdue_quiet_once_acknowledged(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="acknowledged", severity="sev2", raised_at="2026-11-20T07:00:00Z")
    assert fired(cli, "ack-overdue") == []


def test_resolve_overdue(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, severity="sev1", raised_at="2026-11-19T10:00:00Z")
    got = fired(cli, "resolve-overdue", code=0)
    assert [(f["line"], f["column"], f["message"]) for f in got] == [
        (7, 9, "sev1 escalation unresolved 2d 2h after it was raised (resolve within 1d)"),
    ]


def test_resolve_overdue_quiet_once_resolved(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, severity="sev1", status="closed", raised_at="2026-11-19T10:00:00Z")
    assert fired(cli, "resolve-overdue") == []


def test_deadlines_follow_the_configuration(cli: Runner, repo: Path, wbr: Path) -> None:
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text().replace("sev3: 14d", "sev3: 1d"))
    write_esc(repo, raised_at="2026-11-20T10:00:00Z")
    assert [f["message"] for f in fired(cli, "resolve-overdue")] == [
        "sev3 escalation unresolved 1d 2h after it was raised (resolve within 1d)"
    ]


# -- resolution-without-change ---------------------------------------------------------------


def test_resolution_with_no_change_reason_is_a_warning(cli: Runner, repo: Path, wbr: Path) -> None:
    rel = write_esc(repo, status="closed")
    got = fired(cli, "resolution-without-change", code=0)
    assert [(f["line"], f["column"], f["severity"], f["message"]) for f in got] == [
        (
            line((repo / rel).read_text(), "  no_change_reason"),
            21,
            "warning",
            "resolved without changing a mechanism (no_change_reason); the"
            " loop closes when a mechanism changes so the problem does not come back",
        ),
    ]


def _change(version: int) -> str:
    return f"  summary: s\n  mechanism_change:\n    mechanism: wbr\n    version: {version}\n"


def test_resolution_naming_a_change_not_on_record_is_an_error(
    cli: Runner, repo: Path, wbr: Path
) -> None:
    write_esc(repo, "esc-20261120-aaaaaaaa", status="resolved", resolution=_change(5))
    write_esc(
        repo,
        "esc-20261120-bbbbbbbb",
        status="resolved",
        resolution=_change(1),
        failure_mode="scale",
    )
    got = fired(cli, "resolution-without-change", code=1)
    at = line(esc_text(status="resolved", resolution=_change(5)), "  mechanism_change")
    assert [
        (f["path"][-13:], f["line"], f["column"], f["severity"], f["message"]) for f in got
    ] == [
        (
            "aaaaaaaa.yaml",
            at,
            3,
            "error",
            "mechanism_change names wbr version 5, but wbr is at version 1",
        ),
        (
            "bbbbbbbb.yaml",
            at,
            3,
            "error",
            "the iterations entry of wbr version 1 does not list"
            " esc-20261120-bbbbbbbb; the change this resolution claims is not on record",
        ),
    ]


def test_resolution_with_a_recorded_change_is_quiet(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="resolved", resolution=_change(2))
    commit(repo)
    done = cli(
        "mechanism",
        "set",
        "wbr",
        "tool.steps[]=Check churn",
        "--why",
        "churn",
        "--escalation",
        "esc-20261120-aaaaaaaa",
    )
    assert done.exit_code == 0, done
    assert fired(cli, "resolution-without-change", code=0) == []


# -- recurring-failure -----------------------------------------------------------------------


def test_recurring_failure(cli: Runner, repo: Path, wbr: Path) -> None:
    for suffix, day in (
        ("aaaaaaaa", "2026-09-01"),
        ("bbbbbbbb", "2026-10-01"),
        ("cccccccc", "2026-11-20"),
    ):
        write_esc(
            repo,
            f"esc-{day.replace('-', '')}-{suffix}",
            raised_at=f"{day}T10:00:00Z",
            status="closed",
        )
    got = fired(cli, "recurring-failure", code=0)
    assert [(f["path"], f["line"], f["column"], f["severity"], f["message"]) for f in got] == [
        (
            "mechanisms/wbr.yaml",
            2,
            5,
            "warning",
            "3 escalations on 'wbr' with failure mode 'new-input' within 90 days"
            " (esc-20260901-aaaaaaaa, esc-20261001-bbbbbbbb, esc-20261120-cccccccc); change the"
            " mechanism so it stops failing this way",
        ),
    ]
    # Once the first one is more than 90 days old, it no longer counts.
    assert fired(cli, "recurring-failure", now="2026-12-01T00:00:00Z") == []


def test_different_failure_modes_do_not_recur(cli: Runner, repo: Path, wbr: Path) -> None:
    for suffix, mode in (("aaaaaaaa", "new-input"), ("bbbbbbbb", "scale"), ("cccccccc", "other")):
        write_esc(repo, f"esc-20261120-{suffix}", failure_mode=mode)
    assert fired(cli, "recurring-failure", code=0) == []


# -- schema-stale, codeowners-stale ----------------------------------------------------------


def test_schema_stale(cli: Runner, repo: Path) -> None:
    path = repo / "schemas" / "escalation.schema.json"
    path.write_text(path.read_text().replace('"title"', '"tilte"', 1))
    (repo / "schemas" / "config.schema.json").unlink()
    assert [(f["path"], f["message"]) for f in fired(cli, "schema-stale", code=1)] == [
        (
            "schemas/config.schema.json",
            "schemas/config.schema.json is missing; run `mechctl schema` and commit it",
        ),
        (
            "schemas/escalation.schema.json",
            "schemas/escalation.schema.json is out of date; run `mechctl schema` and commit it",
        ),
    ]
    assert cli("schema").exit_code == 0
    assert fired(cli, "schema-stale", code=0) == []


def test_codeowners_stale_only_when_codeowners_exists(cli: Runner, repo: Path, wbr: Path) -> None:
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text() + TEAMS)
    assert fired(cli, "codeowners-stale") == []
    write(repo, "CODEOWNERS", "*.py @acme/dev\n")
    assert [(f["path"], f["line"], f["message"]) for f in fired(cli, "codeowners-stale")] == [
        (
            "CODEOWNERS",
            1,
            "CODEOWNERS does not match mechanism owners and teams; run"
            " `mechctl codeowners` and commit it",
        ),
    ]
    assert cli("codeowners").exit_code == 0
    assert fired(cli, "codeowners-stale") == []
    assert (repo / "CODEOWNERS").read_text().startswith("*.py @acme/dev\n\n# BEGIN mechctl")


# -- levels from .mechctl.yaml ---------------------------------------------------------------


def test_rule_levels_from_config(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="closed")
    config = repo / ".mechctl.yaml"
    text = config.read_text().replace(
        "  rules: {}", "  rules: {resolution-without-change: error, schema-stale: off}"
    )
    config.write_text(text)
    (repo / "schemas" / "config.schema.json").unlink()
    got = findings(cli, code=1)
    assert [(f["rule"], f["severity"]) for f in got] == [("resolution-without-change", "error")]


def test_rule_off(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="closed")
    config = repo / ".mechctl.yaml"
    config.write_text(
        config.read_text().replace("  rules: {}", "  rules:\n    resolution-without-change: off")
    )
    assert findings(cli, code=0) == []


def test_warning_level_fails_with_fail_level_warning(cli: Runner, repo: Path, wbr: Path) -> None:
    write_esc(repo, status="closed")
    assert cli("lint", env={"MECHCTL_NOW": NOW}).exit_code == 0
    assert cli("lint", "--fail-level", "warning", env={"MECHCTL_NOW": NOW}).exit_code == 1
    assert cli("lint", "--fail-level", "error", env={"MECHCTL_NOW": NOW}).exit_code == 0


def test_committed_and_modified_files_give_the_same_findings(
    cli: Runner, repo: Path, wbr: Path
) -> None:
    write_esc(repo, mechanism="wbrr")
    before = findings(cli)
    commit(repo)
    assert findings(cli) == before
    git(repo, "status", "--porcelain")
