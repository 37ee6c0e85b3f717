"""`mechctl inspect` and `mechctl due`: the inspection loop, and every bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Runner, commit_count, committed_files, git, trailers

NOW = {"MECHCTL_NOW": "2026-11-28T09:00:00Z"}
DECK = "Deck published before the agreed cut-off time"
SLOT = "Meeting finishes within its time slot"
WBR_SIGNALS = (
    "Deck published before the agreed cut-off time; Share of deck metrics that are"
    " controllable inputs; Meeting finishes within its time slot; Action items closed by their"
    " due date; Significant issues first spotted in the review rather than by customers"
)
NO_METRIC = "warning: no --metric given: an inspection needs data as well as anecdotes\n"
NO_ANECDOTE = (
    "warning: no --anecdote given: data alone misleads; record what customers said"
    " (lint flags this as inspection-without-anecdote)\n"
)


def _at(day: str) -> dict[str, str]:
    """Pin mechctl's clock and git's commit dates to one moment."""
    stamp = f"{day}T12:00:00Z"
    return {"MECHCTL_NOW": stamp, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


# -- inspect -------------------------------------------------------------------------------


def test_inspect_appends_one_entry_in_one_commit(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    count = commit_count(repo)
    result = cli(
        "inspect",
        "wbr",
        "--outcome",
        "at-risk",
        "--metric",
        f"{DECK}=0.82",
        "--metric",
        f"{SLOT}=55",
        "--anecdote",
        "Two VPs said the deck arrived after they had left",
        "--action",
        "Move the data refresh two hours earlier",
        env=NOW,
    )
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr == "recorded the 2026-11-28 inspection of wbr: at-risk\n"
    assert commit_count(repo) == count + 1
    assert committed_files(repo) == ["mechanisms/wbr.yaml"]
    assert trailers(repo) == {"Mechctl-Action": "mechanism.inspect", "Mechctl-Record": "wbr"}
    assert git(repo, "log", "-1", "--format=%s").strip() == "inspect: wbr (at-risk)"
    text = (repo / "mechanisms" / "wbr.yaml").read_text()
    assert (
        "inspections:\n"
        "  - date: 2026-11-28\n"
        "    outcome: at-risk\n"
        "    metrics:\n"
        f"      {DECK}: 0.82\n"
        f"      {SLOT}: 55\n"
        "    anecdotes:\n"
        "      - Two VPs said the deck arrived after they had left\n"
        "    actions:\n"
        "      - Move the data refresh two hours earlier\n"
        "    by: Test User <test@example.com>\n"
        "iterations:\n"
    ) in text
    shown = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)
    assert shown["version"] == 1  # a log entry, not a definition change
    assert len(shown["iterations"]) == 1


def test_second_inspection_appends_after_the_first(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    args = ("--metric", f"{DECK}=0.9", "--anecdote", "fine")
    assert cli("inspect", "wbr", "--outcome", "on-track", *args, env=NOW).exit_code == 0
    assert cli("inspect", "wbr", "--outcome", "off-track", *args, env=NOW).exit_code == 0
    shown = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)
    assert [i["outcome"] for i in shown["inspections"]] == ["on-track", "off-track"]


def test_values_are_numbers_where_they_are_numbers(
    cli: Runner, mechanism: Callable[..., str]
) -> None:
    mechanism()
    values = {
        "a": "12",
        "b": "-3",
        "c": "0.5",
        "d": "1e3",
        "e": "93%",
        "f": "<= 60 min",
        "g": " 7 ",
        "h": "0x10",
        "i": "1_000",
    }
    metrics = [arg for name, value in values.items() for arg in ("--metric", f"{name}={value}")]
    result = cli("inspect", "wbr", "--outcome", "on-track", *metrics, "--anecdote", "x", env=NOW)
    assert result.exit_code == 0, result
    recorded = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)["inspections"][0]
    assert recorded["metrics"] == {
        "a": 12,
        "b": -3,
        "c": 0.5,
        "d": 1000.0,
        "e": "93%",
        "f": "<= 60 min",
        "g": 7,
        "h": "0x10",
        "i": "1_000",
    }


def test_unknown_metric_is_recorded_with_a_warning_listing_the_signals(
    cli: Runner, mechanism: Callable[..., str]
) -> None:
    mechanism()
    result = cli(
        "inspect",
        "wbr",
        "--outcome",
        "on-track",
        "--metric",
        "NPS=41",
        "--anecdote",
        "A customer praised the new deck",
        env=NOW,
    )
    assert result.exit_code == 0, result
    assert result.stderr == (
        f"warning: metric 'NPS' is not one of wbr's inspection signals ({WBR_SIGNALS});"
        " it is recorded anyway\n"
        "recorded the 2026-11-28 inspection of wbr: on-track\n"
    )
    recorded = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)["inspections"][0]
    assert recorded["metrics"] == {"NPS": 41}


def test_missing_data_and_anecdotes_warn_but_record(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    count = commit_count(repo)
    result = cli("inspect", "wbr", "--outcome", "on-track", env=NOW)
    assert result.exit_code == 0, result
    assert result.stderr == (
        NO_METRIC + NO_ANECDOTE + "recorded the 2026-11-28 inspection of wbr: on-track\n"
    )
    assert commit_count(repo) == count + 1
    only_data = cli("inspect", "wbr", "--outcome", "on-track", "--metric", f"{DECK}=1", env=NOW)
    assert only_data.stderr.startswith(NO_ANECDOTE)
    only_story = cli("inspect", "wbr", "--outcome", "on-track", "--anecdote", "x", env=NOW)
    assert only_story.stderr.startswith(NO_METRIC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--outcome", "great"),
            "invalid --outcome 'great'; choose one of: on-track, at-risk, off-track",
        ),
        ((), "missing option --outcome (Outcome: on-track, at-risk or off-track)"),
        (("--outcome", " "), "--outcome must not be empty"),
        (
            ("--outcome", "on-track", "--metric", "nonsense"),
            "invalid --metric 'nonsense': expected NAME=VALUE, e.g. --metric 'Decks on time=0.96'",
        ),
        (
            ("--outcome", "on-track", "--metric", "=3"),
            "invalid --metric '=3': expected NAME=VALUE, e.g. --metric 'Decks on time=0.96'",
        ),
        (
            ("--outcome", "on-track", "--metric", "x= "),
            "invalid --metric 'x= ': expected NAME=VALUE, e.g. --metric 'Decks on time=0.96'",
        ),
        (
            ("--outcome", "on-track", "--metric", "x=1", "--metric", "x=2"),
            "--metric 'x' is given twice",
        ),
        (("--outcome", "on-track", "--anecdote", "  "), "--anecdote must not be empty"),
        (("--outcome", "on-track", "--action", ""), "--action must not be empty"),
    ],
)
def test_bad_input_is_a_usage_error(
    cli: Runner, repo: Path, mechanism: Callable[..., str], args: tuple[str, ...], message: str
) -> None:
    mechanism()
    count = commit_count(repo)
    result = cli("inspect", "wbr", *args)
    assert result.exit_code == 2
    assert result.stderr == f"error: {message}\n"
    assert commit_count(repo) == count


def test_bad_id(cli: Runner) -> None:
    result = cli("inspect", "../wbr", "--outcome", "on-track")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid mechanism id '../wbr'")


def test_unknown_id_suggests_a_close_match(cli: Runner, mechanism: Callable[..., str]) -> None:
    mechanism()
    result = cli("inspect", "wbx", "--outcome", "on-track")
    assert result.exit_code == 1
    assert result.stderr == "error: no mechanism 'wbx' (did you mean 'wbr'?)\n"


def test_only_active_mechanisms_are_inspected(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism(active=False)
    count = commit_count(repo)
    draft = cli("inspect", "wbr", "--outcome", "on-track")
    assert draft.exit_code == 1
    assert draft.stderr == (
        "error: mechanism 'wbr' is draft; only active mechanisms are inspected\n"
        "hint: activate it first: `mechctl mechanism activate wbr`\n"
    )
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    assert cli("mechanism", "retire", "wbr", "--reason", "replaced").exit_code == 0
    count = commit_count(repo)
    retired = cli("inspect", "wbr", "--outcome", "on-track")
    assert retired.exit_code == 1
    assert retired.stderr == (
        "error: mechanism 'wbr' is retired; only active mechanisms are inspected\n"
    )
    assert commit_count(repo) == count


def test_uncommitted_edits_are_not_overwritten(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text() + "# note\n")
    result = cli("inspect", "wbr", "--outcome", "on-track")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: mechanisms/wbr.yaml has uncommitted changes; mechctl will not overwrite them\n"
    )
    assert path.read_text().endswith("# note\n")


# -- due -----------------------------------------------------------------------------------


@pytest.fixture
def schedule(cli: Runner, repo: Path) -> Path:
    """Four active mechanisms at different points of their cadence, one draft, one made by
    hand. Today is 2026-11-28."""

    def make(name: str, template: str, day: str, active: bool = True) -> None:
        made = cli(
            "mechanism", "new", name, "--template", template, "--owner", "finance", env=_at(day)
        )
        assert made.exit_code == 0, made
        if active:
            assert cli("mechanism", "activate", name, env=_at(day)).exit_code == 0

    def inspect(name: str, day: str) -> None:
        done = cli(
            "inspect",
            name,
            "--outcome",
            "on-track",
            "--metric",
            "m=1",
            "--anecdote",
            "a",
            env=_at(day),
        )
        assert done.exit_code == 0, done

    make("wbr", "wbr", "2026-10-01")  # monthly, never inspected: due 10-31, 28 days late
    make("prfaq", "prfaq", "2026-10-01")  # quarterly, inspected 11-01: due 2027-01-31
    inspect("prfaq", "2026-11-01")
    make("narrative", "narrative", "2026-08-30")  # quarterly, never inspected: due 11-29
    make("bar-raiser", "bar-raiser", "2026-06-01")  # quarterly, inspected 08-29: due today
    inspect("bar-raiser", "2026-08-29")
    make("operating-plan", "operating-plan", "2026-01-01", active=False)  # a draft
    # Made active by hand, without a mechctl commit: counts from its latest iteration.
    text = (repo / "mechanisms" / "wbr.yaml").read_text()
    text = text.replace("id: wbr", "id: by-hand").replace("date: 2026-10-01", "date: 2026-11-20")
    (repo / "mechanisms" / "by-hand.yaml").write_text(text)
    git(repo, "add", "mechanisms/by-hand.yaml")
    git(repo, "commit", "-q", "-m", "Add a mechanism by hand")
    return repo


def test_due_lists_overdue_first_with_days(cli: Runner, schedule: Path) -> None:
    result = cli("due", env=NOW)
    assert result.exit_code == 0, result
    # Plain aligned rows on a pipe (tests/test_listing.py): the last column is not padded.
    assert result.stdout.splitlines() == [
        "ID          OWNER    CADENCE    LAST INSPECTED  DUE         WHEN",
        "wbr         finance  monthly    never           2026-10-31  overdue by 28 days",
        "bar-raiser  finance  quarterly  2026-08-29      2026-11-28  due today",
        "narrative   finance  quarterly  never           2026-11-29  due in 1 day",
    ]
    assert result.stderr == ""


def test_due_json_and_within(cli: Runner, schedule: Path) -> None:
    result = cli("due", "--within", "70", "--json", env=NOW)
    assert result.exit_code == 0, result
    items = json.loads(result.stdout)
    assert [
        (i["mechanism"], i["due"], i["days"], i["overdue"], i["counted_from"]) for i in items
    ] == [
        ("wbr", "2026-10-31", -28, True, "activation"),
        ("bar-raiser", "2026-11-28", 0, False, "inspection"),
        ("narrative", "2026-11-29", 1, False, "activation"),
        ("by-hand", "2026-12-20", 22, False, "iteration"),
        ("prfaq", "2027-01-31", 64, False, "inspection"),
    ]
    assert items[0] == {
        "mechanism": "wbr",
        "title": "Weekly Business Review (WBR/MBR/QBR)",
        "owner": "finance",
        "cadence": "monthly",
        "inspector": "finance",
        "last_inspected": None,
        "counted_from": "activation",
        "due": "2026-10-31",
        "days": -28,
        "overdue": True,
    }
    only_late = json.loads(cli("due", "--within", "0", "--json", env=NOW).stdout)
    assert [i["mechanism"] for i in only_late] == ["wbr", "bar-raiser"]


def test_due_fail_on_overdue(cli: Runner, schedule: Path) -> None:
    result = cli("due", "--fail-on-overdue", env=NOW)
    assert result.exit_code == 1
    assert "overdue by 28 days" in result.stdout
    assert result.stderr == "error: 1 inspection is overdue: wbr\n"
    early = cli("due", "--fail-on-overdue", env={"MECHCTL_NOW": "2026-10-15T00:00:00Z"})
    assert early.exit_code == 0, early


def test_due_when_nothing_is_due(cli: Runner, mechanism: Callable[..., str]) -> None:
    assert cli("due").stderr == "no inspection is due within 7 days\n"
    mechanism(active=False)
    result = cli("due", "--within", "1", "--fail-on-overdue")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no inspection is due within 1 day\n"
    assert cli("due", "--json").stdout == "[]\n"


def test_due_bad_within(cli: Runner) -> None:
    result = cli("due", "--within", "-1")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--within': -1 is not in the range")
    assert cli("due", "--within", "soon").exit_code == 2


def test_due_skips_an_invalid_file_with_a_warning(cli: Runner, schedule: Path) -> None:
    (schedule / "mechanisms" / "broken.yaml").write_text("id: broken\ntitle: [\n")
    result = cli("due", env=NOW)
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: skipped mechanisms/broken.yaml:")
    assert "wbr" in result.stdout


def test_a_file_without_an_inspections_key_gets_one_before_iterations(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("inspections: []\n", ""))
    git(repo, "commit", "-q", "-am", "Drop the empty log by hand")
    result = cli(
        "inspect",
        "wbr",
        "--outcome",
        "on-track",
        "--metric",
        f"{DECK}=1",
        "--anecdote",
        "ok",
        env=NOW,
    )
    assert result.exit_code == 0, result
    text = path.read_text()
    assert "\ninspections:\n  - date: 2026-11-28\n" in text
    assert text.index("\ninspections:") < text.index("\niterations:")
