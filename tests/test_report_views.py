"""The report's one description and its three views; durations and deadline cells said once,
the same in `escalation list` as in the report; record text never read as rich markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import Result, Runner
from report_repo import E2, E5, NOW, build


@pytest.fixture(scope="module")
def known(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(_template, tmp_path_factory.mktemp("views") / "repo")


def run(repo: Path, *args: str) -> Result:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    done = CliRunner().invoke(app, ["-C", str(repo), *args], env={"MECHCTL_NOW": NOW})
    return Result(done.exit_code, done.stdout, done.stderr)


def row(out: str, needle: str) -> str:
    """The one line holding `needle`, its runs of spaces made one."""
    (line,) = [line for line in out.splitlines() if needle in line and "|" not in line[:1]]
    return " ".join(line.split())


def test_duration_words() -> None:
    from mechctl.cli.deadline import duration

    cases = {None: "-", -90: "0m", 0: "0m", 59.9: "0m", 3599: "59m", 3600: "1h"}
    cases |= {47 * 3600 + 3599: "47h", 48 * 3600: "2d", 30 * 86400 + 1: "30d"}
    assert {seconds: duration(seconds) for seconds in cases} == cases


def test_deadline_cells_and_their_states() -> None:
    from mechctl.cli.deadline import deadline

    hour = 3600.0
    assert deadline(taken=2 * hour, target=hour, left=0) == ("in 2h", "missed")
    assert deadline(taken=hour, target=hour, left=0) == ("in 1h", "met")
    assert deadline(taken=None, target=hour, left=-3 * 86400, waiting=False) == ("-", "none")
    assert deadline(taken=None, target=hour, left=-3 * 86400) == ("overdue 3d", "overdue")
    assert deadline(taken=None, target=hour, left=4 * hour) == ("due in 4h", "due")
    # The report decides overdue from exact times; a second's rounding must not undo it.
    assert deadline(taken=None, target=hour, left=0, overdue=True) == ("overdue 0m", "overdue")


def test_escalation_list_and_report_say_deadlines_alike(known: Path) -> None:
    listed = run(known, "escalation", "list")
    assert listed.exit_code == 0, listed
    text = run(known, "report")
    assert text.exit_code == 0, text
    markdown = run(known, "report", "--format", "markdown")
    assert markdown.exit_code == 0, markdown
    # E2: open, not acknowledged after 5 days (target 1 day), 8 days left to resolve.
    assert row(listed.stdout, E2) == (
        f"{E2} 5d sev3 director open wbr overdue 4d due in 8d Deck omitted APAC churn"
    )
    assert row(text.stdout, E2 + "  Deck") == (
        f"sev3 5d director open wbr overdue 4d due in 8d {E2} Deck omitted APAC churn"
    )
    assert (
        f"| sev3 | 5d | director | open | wbr | **overdue 4d** | due in 8d | `{E2}` |"
        " Deck omitted APAC churn |"
    ) in markdown.stdout.splitlines()
    # E5: acknowledged after 8 hours (target 4), resolve target 3 days long past.
    assert row(listed.stdout, E5) == (
        f"{E5} 13d sev2 vp acknowledged (none) in 8h overdue 10d Nobody owns large refunds"
    )
    assert row(text.stdout, E5) == (
        f"sev2 13d vp acknowledged (none) in 8h overdue 10d {E5} Nobody owns large refunds"
    )


def test_each_view_describes_the_report_once(known: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mechctl.cli.report import model, sections

    calls: list[Any] = []
    describe = sections.describe

    def counted(report: Any) -> model.Document:
        calls.append(report)
        return describe(report)

    monkeypatch.setattr(sections, "describe", counted)
    formats = ["text", "markdown"]
    try:
        import matplotlib  # noqa: F401

        formats.append("html")
    except ImportError:
        pass
    for fmt in formats:
        calls.clear()
        done = run(known, "report", "--format", fmt)
        assert done.exit_code == 0, done
        assert len(calls) == 1, fmt


MARKUP = "Deck [/] [bold]x[/bold] :smile: a | b"


def test_record_text_is_never_read_as_markup(cli: Runner, repo: Path) -> None:
    made = cli(
        "escalate",
        "--failure-mode",
        "no-mechanism",
        "--title",
        MARKUP,
        "--impact",
        "Refunds take three weeks",
        env={"MECHCTL_NOW": "2026-02-28T10:00:00Z"},
    )
    assert made.exit_code == 0, made
    esc_id = made.stdout.strip()
    env = {"MECHCTL_NOW": NOW}
    listed = cli("escalation", "list", env=env)
    assert (listed.exit_code, listed.stderr) == (0, ""), listed
    assert (
        row(listed.stdout, esc_id)
        == f"{esc_id} 26h sev3 director open (none) overdue 2h due in 12d {MARKUP}"
    )
    shown = cli("escalation", "show", esc_id, env=env)
    assert shown.exit_code == 0, shown
    assert shown.stdout.splitlines()[1] == f"{MARKUP}  open"
    text = cli("report", env=env)
    assert (text.exit_code, text.stderr) == (0, ""), text
    assert row(text.stdout, esc_id).endswith(f"{esc_id} {MARKUP}")
    markdown = cli("report", "--format", "markdown", env=env)
    assert markdown.exit_code == 0, markdown
    assert f"| `{esc_id}` | Deck [/] [bold]x[/bold] :smile: a \\| b |" in markdown.stdout
