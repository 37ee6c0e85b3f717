"""`mechctl report`: exact figures from a repository of known records (see report_repo.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, git
from report_repo import ANA, BAD, E1, E2, E3, E4, E5, E6, E7, E8, LENA, NOW, PRIYA, WEI, build


@pytest.fixture(scope="module")
def known(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(_template, tmp_path_factory.mktemp("report") / "repo")


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    done = CliRunner().invoke(
        app, ["-C", str(repo), *args], env={"MECHCTL_NOW": NOW, **(env or {})}
    )
    return Result(done.exit_code, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def figures(known: Path) -> dict[str, Any]:
    done = run(known, "report", "--format", "json")
    assert done.exit_code == 0, done
    assert done.stderr == "warning: 1 invalid file(s) are not counted (run `mechctl lint`)\n"
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def times(
    count: int = 0, median: int | None = None, p90: int | None = None, within: int = 0
) -> dict[str, Any]:
    return {"count": count, "median_seconds": median, "p90_seconds": p90, "within_target": within}


def test_period_and_records(figures: dict[str, Any]) -> None:
    assert figures["generated_at"] == NOW
    assert figures["since"] == "2026-02-22T12:00:00Z"
    assert figures["until"] == NOW
    assert figures["comparison_since"] == "2026-01-25T12:00:00Z"
    assert figures["comparison_periods"] == 4
    assert figures["records"] == {"mechanisms": 3, "escalations": 9, "invalid_files": 1}
    assert figures["skipped"] == [
        {
            "path": f"escalations/2026/02/{BAD}.yaml",
            "line": 1,
            "column": 1,
            "message": "missing required field 'customer_impact'",
        }
    ]


def test_headline_counts_against_the_four_weeks_before(figures: dict[str, Any]) -> None:
    head = figures["headline"]
    assert head["opened"] == {"period": 3, "previous_total": 5, "previous_average": 1.25}
    assert head["resolved"] == {"period": 2, "previous_total": 2, "previous_average": 0.5}
    assert head["open_at_end"] == {"period": 4, "previous_total": 5, "previous_average": 1.25}
    assert [(c["opened"], c["resolved"], c["open_at_end"]) for c in figures["series"]] == [
        ({"sev1": 0, "sev2": 1, "sev3": 0, "sev4": 0}, 1, 0),
        ({"sev1": 0, "sev2": 0, "sev3": 0, "sev4": 1}, 1, 0),
        ({"sev1": 0, "sev2": 0, "sev3": 1, "sev4": 1}, 0, 2),
        ({"sev1": 0, "sev2": 1, "sev3": 0, "sev4": 0}, 0, 3),
        ({"sev1": 1, "sev2": 0, "sev3": 1, "sev4": 1}, 2, 4),
    ]
    assert [c["since"] for c in figures["series"]] == [
        "2026-01-25T12:00:00Z",
        "2026-02-01T12:00:00Z",
        "2026-02-08T12:00:00Z",
        "2026-02-15T12:00:00Z",
        "2026-02-22T12:00:00Z",
    ]


def test_response_times_per_severity_against_targets(figures: dict[str, Any]) -> None:
    head = figures["headline"]
    assert head["time_to_acknowledge"] == [
        {
            "severity": "sev1",
            "target_seconds": 3600,
            "period": times(1, 1800, 1800, 1),
            "previous": times(),
        },
        {
            "severity": "sev2",
            "target_seconds": 14400,
            "period": times(),
            "previous": times(2, 18000, 28800, 1),
        },
        {
            "severity": "sev3",
            "target_seconds": 86400,
            "period": times(),
            "previous": times(1, 21600, 21600, 1),
        },
        {"severity": "sev4", "target_seconds": 259200, "period": times(), "previous": times()},
    ]
    assert head["time_to_resolve"] == [
        {
            "severity": "sev1",
            "target_seconds": 86400,
            "period": times(1, 100800, 100800, 0),
            "previous": times(),
        },
        {
            "severity": "sev2",
            "target_seconds": 259200,
            "period": times(),
            "previous": times(1, 172800, 172800, 1),
        },
        {
            "severity": "sev3",
            "target_seconds": 1209600,
            "period": times(1, 1123200, 1123200, 1),
            "previous": times(),
        },
        {
            "severity": "sev4",
            "target_seconds": 2592000,
            "period": times(),
            "previous": times(1, 259200, 259200, 1),
        },
    ]
    assert [(r["id"], r["seconds"]) for r in figures["resolutions"]] == [
        (E1, 172800),
        (E6, 259200),
        (E3, 1123200),
        (E4, 100800),
    ]


def test_every_open_escalation_by_severity_then_age(figures: dict[str, Any]) -> None:
    rows = [
        (
            e["id"],
            e["severity"],
            e["level"],
            e["status"],
            e["age_seconds"],
            e["time_to_acknowledge_seconds"],
            e["ack_overdue"],
            e["resolve_overdue"],
        )
        for e in figures["open_escalations"]
    ]
    assert rows == [
        (E5, "sev2", "vp", "acknowledged", 1130400, 28800, False, True),
        (E2, "sev3", "director", "open", 442800, None, True, False),
        (E7, "sev4", "director", "open", 1479600, None, True, False),
        (E8, "sev4", "director", "open", 183600, None, False, False),
    ]


def test_mechanisms_under_strain(figures: dict[str, Any]) -> None:
    strain = figures["strain"]
    assert [
        (r["mechanism"], r["failure_mode"], r["period"], r["previous_total"])
        for r in strain["by_mechanism"]
    ] == [
        ("wbr", "scale", 1, 2),
        ("wbr", "new-input", 1, 1),
        ("prfaq", "scale", 1, 0),
        (None, "no-mechanism", 0, 1),
        ("prfaq", "not-adopted", 0, 1),
    ]
    assert strain["recurring"] == [
        {"mechanism": "wbr", "failure_mode": "scale", "escalations": [E6, E7, E8]}
    ]
    assert strain["inspection_overdue"] == [
        {
            "mechanism": "prfaq",
            "title": "PRFAQ (working backwards)",
            "owner": "product-management",
            "cadence": "quarterly",
            "last_inspection": None,
            "due": "2026-01-31",
            "days_overdue": 29,
        }
    ]
    assert strain["no_change"] == {"period": 1, "previous_total": 1, "previous_average": 0.25}
    assert strain["no_change_escalations"] == [
        {
            "id": E3,
            "title": "PRFAQs written after the build",
            "mechanism": "prfaq",
            "resolved_at": "2026-02-23T09:00:00Z",
            "reason": "The template already asks for it",
        }
    ]


def test_recurring_failures_are_the_shared_lint_rule(known: Path, figures: dict[str, Any]) -> None:
    from mechctl.services.core import analysis, catalog
    from mechctl.services.core.context import open_workspace

    found, _ = catalog.escalations(open_workspace(known))
    shared = [
        {
            "mechanism": r.mechanism,
            "failure_mode": r.failure_mode.value,
            "escalations": list(r.escalations),
        }
        for r in analysis.recurring_failures(found)
    ]
    assert figures["strain"]["recurring"] == shared


def test_loop_closure(figures: dict[str, Any]) -> None:
    loop = figures["loop"]
    assert loop["resolved"] == {"period": 2, "previous_total": 2, "previous_average": 0.5}
    assert loop["changed_mechanism"] == {"period": 1, "previous_total": 1, "previous_average": 0.25}
    assert loop["share_changed"] == 0.5
    assert loop["previous_share_changed"] == 0.5
    assert (loop["held"], loop["recurred"]) == (1, 1)
    assert [
        (
            c["id"],
            c["mechanism"],
            c["failure_mode"],
            c["version"],
            c["resolved_at"],
            c["recurred_by"],
        )
        for c in loop["changes"]
    ] == [
        (E1, "wbr", "new-input", 2, "2026-01-30T10:00:00Z", [E2]),
        (E4, "prfaq", "scale", 2, "2026-02-26T12:00:00Z", []),
    ]


def test_inspection_results_put_data_next_to_anecdotes(figures: dict[str, Any]) -> None:
    prfaq, wbr = figures["inspections"]
    assert (
        prfaq["mechanism"],
        prfaq["last_date"],
        prfaq["last_outcome"],
        prfaq["next_due"],
        prfaq["outcomes"],
        prfaq["anecdotes"],
    ) == ("prfaq", None, None, "2026-01-31", [], [])
    assert (
        wbr["mechanism"],
        wbr["last_date"],
        wbr["last_outcome"],
        wbr["last_by"],
        wbr["next_due"],
    ) == ("wbr", "2026-02-10", "at-risk", "Tom Okafor <tom@example.com>", "2026-03-12")
    assert wbr["outcomes"] == [
        {"date": "2026-01-10", "outcome": "on-track"},
        {"date": "2026-02-10", "outcome": "at-risk"},
    ]
    trends = {
        s["name"]: (s["kind"], s["target"], [p["value"] for p in s["values"]])
        for s in wbr["signals"]
    }
    assert trends["Deck published before the agreed cut-off time"] == ("input", 0.95, [0.9, 0.8])
    assert trends["Action items closed by their due date"] == ("output", 0.85, [0.7, 0.75])
    assert trends["Meeting finishes within its time slot"] == ("input", "<= 60 min", ["75 min"])
    assert trends["Share of deck metrics that are controllable inputs"] == ("input", 0.6, [])
    assert trends["Extra metric"] == (None, None, [3])
    assert wbr["anecdotes"] == ["A customer asked why the deck was late two weeks running"]


def test_appreciation_thanks_people_sorted_by_name(figures: dict[str, Any]) -> None:
    assert figures["appreciation"] == [
        {"person": ANA, "raised": 1, "resolved": 0},
        {"person": LENA, "raised": 0, "resolved": 2},
        {"person": PRIYA, "raised": 1, "resolved": 0},
        {"person": WEI, "raised": 1, "resolved": 0},
    ]


def test_custom_period_and_comparison(known: Path) -> None:
    done = run(known, "report", "--json", "--since", "2026-02-01", "--until", "2026-02-14")
    assert done.exit_code == 0, done
    data = json.loads(done.stdout)
    assert (data["since"], data["until"], data["comparison_since"]) == (
        "2026-02-01T00:00:00Z",
        "2026-02-15T00:00:00Z",
        "2025-12-07T00:00:00Z",
    )
    assert data["headline"]["opened"] == {
        "period": 3,
        "previous_total": 1,
        "previous_average": 0.25,
    }
    assert data["appreciation"] == [
        {"person": ANA, "raised": 2, "resolved": 0},
        {"person": "Tom Okafor <tom@example.com>", "raised": 0, "resolved": 1},
        {"person": WEI, "raised": 1, "resolved": 0},
    ]
    # Judged at the end of the period, from the records' current status: E5, E2 and E8
    # were raised later; E3 was open then but is resolved now (the files are not replayed).
    assert [(e["id"], e["age_seconds"]) for e in data["open_escalations"]] == [
        (E7, 2 * 86400 + 15 * 3600)
    ]


def test_numbers_come_from_the_files_at_run_time(known: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(known, copy, symlinks=True)
    (copy / "escalations" / "2026" / "02" / f"{BAD}.yaml").unlink()
    git(copy, "commit", "-qam", "drop the bad file")
    done = run(copy, "report", "--json")
    data = json.loads(done.stdout)
    assert done.stderr == ""
    assert data["records"] == {"mechanisms": 3, "escalations": 9, "invalid_files": 0}
    assert not list((copy / ".git").glob("**/report*"))  # nothing cached or stored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "2026-13-01"],
            "error: invalid --since '2026-13-01': use a date"
            " (YYYY-MM-DD) or an ISO-8601 time such as 2026-11-21T09:00:00Z",
        ),
        (
            ["--until", "yesterday"],
            "error: invalid --until 'yesterday': use a date"
            " (YYYY-MM-DD) or an ISO-8601 time such as 2026-11-21T09:00:00Z",
        ),
        (
            ["--since", "2026-03-02", "--until", "2026-03-01"],
            "error: --since (2026-03-02T00:00:00Z) must be before --until (2026-03-02T00:00:00Z)",
        ),
        (
            ["--format", "pdf"],
            "error: Invalid value for '--format' / '-f': 'pdf' is not one of"
            " 'text', 'markdown', 'json', 'html'. (see `mechctl report --help`)",
        ),
        (["--json", "--format", "markdown"], "error: --json conflicts with --format markdown"),
    ],
)
def test_bad_input_is_a_usage_error(known: Path, args: list[str], message: str) -> None:
    done = run(known, "report", *args)
    assert (done.exit_code, done.stdout, done.stderr) == (2, "", message + "\n")


def test_out_writes_the_file_and_says_so(known: Path, tmp_path: Path) -> None:
    target = tmp_path / "week.json"
    done = run(known, "report", "--format", "json", "--out", str(target))
    assert done.exit_code == 0, done
    assert done.stdout == ""
    assert done.stderr.endswith(f"wrote {target}\n")
    assert json.loads(target.read_text())["records"]["escalations"] == 9
    assert target.stat().st_mode & 0o044  # readable by others, as the umask allows, not private
    nested = tmp_path / "reports" / "2026" / "week.md"
    assert run(known, "report", "-f", "markdown", "-o", str(nested)).exit_code == 0
    assert nested.read_text().startswith("# Mechanism review")


def test_out_to_an_unwritable_place_is_one_error_line(known: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = run(known, "report", "--format", "json", "--out", str(blocker / "week.json"))
    assert done.exit_code == 1
    assert (
        done.stderr == f"error: cannot write {blocker / 'week.json'}: {blocker} is not a folder\n"
    )
    done = run(known, "report", "--out", str(tmp_path))
    assert (done.exit_code, done.stderr) == (1, f"error: cannot write {tmp_path}: it is a folder\n")


def test_text_report_has_every_section_and_sparklines(known: Path) -> None:
    done = run(known, "report")
    assert done.exit_code == 0, done
    out = done.stdout
    for heading in (
        "1. Headline",
        "2. Open escalations (4)",
        "3. Mechanisms under strain",
        "4. Loop closure",
        "5. Inspection results",
        "6. Appreciation",
    ):
        assert heading in out
    assert "Deck published before the agreed cut-off time" in out
    assert "█▁" in out and "▁█" in out  # 0.9 → 0.8 and 0.7 → 0.75
    assert "“A customer asked why the deck was late two weeks running”" in out
    assert f"escalated again: {E2}" in out
    assert "1 invalid file(s) are not counted" in out


def test_empty_repository_reports_zeros(cli: Any) -> None:
    done = cli("report", "--json", env={"MECHCTL_NOW": NOW})
    assert done.exit_code == 0, done
    data = json.loads(done.stdout)
    assert data["headline"]["opened"] == {"period": 0, "previous_total": 0, "previous_average": 0.0}
    assert data["open_escalations"] == [] and data["appreciation"] == []
    assert data["loop"]["share_changed"] is None
    text = cli("report", env={"MECHCTL_NOW": NOW})
    assert text.exit_code == 0 and "none: every escalation is resolved" in text.stdout


def test_outside_a_repository(outside: Path) -> None:
    done = run(outside, "report")
    assert done.exit_code == 1
    assert done.stderr.startswith(f"error: not a git repository: {outside}")


def test_json_is_written_straight_from_the_dataclasses(
    known: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data.dumps (orjson over the dataclasses) gives the bytes of as_dict's plain form,
    for periods with and without fractions of a second, and a clock in another zone."""
    from datetime import datetime

    import orjson

    from mechctl.services.core.context import open_workspace
    from mechctl.services.report.build import build_report, parse_period
    from mechctl.services.report.data import as_dict, dumps

    ws = open_workspace(known)
    for pinned in (NOW, "2026-03-01T14:00:00.123456+02:00"):
        monkeypatch.setenv("MECHCTL_NOW", pinned)
        for since, until in (
            (None, None),
            ("2026-02-22T12:00:00.5Z", "2026-02-26T12:00:00.25Z"),
        ):
            period = parse_period(since, until, datetime.fromisoformat(pinned))
            data = build_report(ws, period)
            assert data.open_escalations and data.inspections  # there is something to write
            assert dumps(data) == orjson.dumps(as_dict(data), option=orjson.OPT_INDENT_2)
