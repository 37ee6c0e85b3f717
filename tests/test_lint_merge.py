"""A whole run after the clock moved (cli/lint/merge.py): the untimed findings' kept pieces
with the timed findings rendered into them give, byte for byte and in every format, what
the plain renderers give for the same findings and what a cold run gives."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import Runner
from lintkit import commit, write_esc

INDEX = Path(".git") / "mechctl" / "index.sqlite"
FORMATS = ("text", "json", "github", "sarif")
# sev1 raised 2026-11-21T10:00 (ack 1h, resolve 1d); sev2 raised 2026-11-20T12:00; sev3
# acknowledged: resolve within 14 days. Each clock turns some deadline, so counts change.
CLOCKS = (
    "2026-11-21T10:30:00Z",
    "2026-11-21T11:00:01Z",
    "2026-11-21T12:07:00Z",
    "2026-11-22T10:00:01Z",
    "2026-12-20T00:00:00Z",
)


@pytest.fixture
def records(cli: Runner, repo: Path) -> Path:
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    # untimed only (until its 14 days pass), timed only, both in one file, untimed only
    write_esc(repo, "esc-20261120-aaaaaaaa", mechanism="wbrr")
    write_esc(
        repo,
        "esc-20261120-bbbbbbbb",
        status="open",
        severity="sev1",
        raised_at="2026-11-21T10:00:00Z",
    )
    write_esc(
        repo,
        "esc-20261120-cccccccc",
        mechanism="wbrx",
        status="open",
        severity="sev2",
        raised_at="2026-11-20T12:00:00Z",
    )
    write_esc(repo, "esc-20261121-dddddddd", mechanism="nope", raised_at="2026-11-21T09:00:00Z")
    commit(repo)
    return repo


def _expire(repo: Path) -> None:
    """As if the clock had moved past the span of the run kept (its untimed part stays)."""
    if (repo / INDEX).exists():
        with sqlite3.connect(repo / INDEX) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'lint_runs'").fetchone():
                db.execute("DELETE FROM lint_runs")


def _pieces(repo: Path) -> set[str]:
    with sqlite3.connect(repo / INDEX) as db:
        return {row[0] for row in db.execute("SELECT format FROM lint_pieces")}


def _at(now: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moved = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moved.isoformat().replace("+00:00", "Z")


def test_the_clock_moving_renders_only_the_timed_findings(cli: Runner, records: Path) -> None:
    seen: list[list[str]] = []
    for now in CLOCKS:
        for step, form in enumerate(FORMATS):
            for level in ("error", "warning"):
                env = {"MECHCTL_NOW": _at(now, 2 * step + (level == "warning"))}
                args = ("lint", "--format", form, "--fail-level", level)
                _expire(records)
                moved = cli(*args, env=env)
                plain = cli(*args, ".", env=env)  # a PATH: the plain renderers, all findings
                assert moved.stdout == plain.stdout, (now, form)
                assert moved.exit_code == plain.exit_code, (now, form, level)
                if form == "json":
                    found = json.loads(moved.stdout)
                    errors = any(f["severity"] == "error" for f in found)
                    assert moved.exit_code == (1 if errors or level == "warning" else 0)
                    if level == "error":
                        seen.append([f"{f['path'][-13:-5]} {f['rule']}" for f in found])
        assert _pieces(records) == set(FORMATS)
        env = {"MECHCTL_NOW": now}
        kept = {form: cli("lint", "--format", form, env=env).stdout for form in FORMATS}
        shutil.rmtree(records / ".git" / "mechctl")
        for form in FORMATS:
            assert cli("lint", "--format", form, env=env).stdout == kept[form], (now, form)
    unknown = ["aaaaaaaa unknown-mechanism", "cccccccc unknown-mechanism"]
    late = "dddddddd unknown-mechanism"
    assert seen == [
        [unknown[0], unknown[1], "cccccccc ack-overdue", late],
        # a file with timed findings only, between two kept pieces
        [unknown[0], "bbbbbbbb ack-overdue", unknown[1], "cccccccc ack-overdue", late],
        [unknown[0], "bbbbbbbb ack-overdue", unknown[1], "cccccccc ack-overdue", late],
        [
            unknown[0],
            "bbbbbbbb ack-overdue",
            "bbbbbbbb resolve-overdue",
            unknown[1],
            "cccccccc ack-overdue",
            late,
        ],
        [
            unknown[0],
            "aaaaaaaa resolve-overdue",
            "bbbbbbbb ack-overdue",
            "bbbbbbbb resolve-overdue",
            unknown[1],
            "cccccccc ack-overdue",
            "cccccccc resolve-overdue",
            late,
            "dddddddd resolve-overdue",
        ],
    ]


def test_no_finding_then_some(cli: Runner, repo: Path) -> None:
    """No untimed finding at all: the timed ones alone, and none at all."""
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    write_esc(repo, "esc-20261121-bbbbbbbb", status="open", raised_at="2026-11-21T10:00:00Z")
    commit(repo)
    for now in ("2026-11-21T10:30:00Z", "2026-12-21T10:30:00Z", "2026-11-21T10:31:00Z"):
        env = {"MECHCTL_NOW": now}
        for form in FORMATS:
            _expire(repo)
            moved = cli("lint", "--format", form, env=env)
            plain = cli("lint", "--format", form, ".", env=env)
            assert moved.stdout == plain.stdout, (now, form)
            assert moved.exit_code == plain.exit_code
            if form == "text":
                clean = moved.stdout == "no problems in 2 record files\n"
                assert clean == now.startswith("2026-11-21"), moved.stdout


def test_undecodable_or_cut_pieces_change_nothing(cli: Runner, records: Path) -> None:
    env = {"MECHCTL_NOW": CLOCKS[2]}
    expected = {form: cli("lint", "--format", form, ".", env=env).stdout for form in FORMATS}
    for form in FORMATS:  # makes each format's pieces
        _expire(records)
        assert cli("lint", "--format", form, env=env).stdout == expected[form]
    for change in (
        "UPDATE lint_pieces SET body = x'ff00'",
        "UPDATE lint_pieces SET paths = x'ff00'",
        "UPDATE lint_pieces SET body = (SELECT body FROM lint_pieces WHERE format = 'json')",
    ):
        with sqlite3.connect(records / INDEX) as db:
            db.execute(change)
        for form in FORMATS:
            _expire(records)
            assert cli("lint", "--format", form, env=env).stdout == expected[form], change
