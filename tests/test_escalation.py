"""`mechctl escalate` and the escalation lifecycle."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Runner, commit_count, committed_files, git, status, trailers

ID_RE = re.compile(r"^esc-\d{8}-[a-z2-7]{8}$")
T0 = "2026-11-02T09:00:00Z"


@pytest.fixture
def wbr(mechanism: Callable[..., str]) -> str:
    return mechanism("wbr", "wbr", owner="finance")


@pytest.fixture
def raise_one(cli: Runner, wbr: str) -> Callable[..., str]:
    def make(*extra: str, at: str = T0) -> str:
        result = cli(
            "escalate",
            "--mechanism",
            wbr,
            "--title",
            "Deck missed churn",
            "--impact",
            "Churn went unnoticed",
            *extra,
            env={"MECHCTL_NOW": at},
        )
        assert result.exit_code == 0, result
        return result.stdout.strip()

    return make


def _record(repo: Path, esc_id: str) -> dict:  # type: ignore[type-arg]
    from mechctl.store.yamlio import load_fast

    day = esc_id[4:12]
    path = repo / "escalations" / day[:4] / day[4:6] / f"{esc_id}.yaml"
    return load_fast(path.read_text(), str(path))


def test_escalate_writes_one_file_in_one_commit(cli: Runner, repo: Path, wbr: str) -> None:
    (repo / "mine.txt").write_text("staged\n")
    git(repo, "add", "mine.txt")
    result = cli(
        "escalate",
        "--mechanism",
        "wbr",
        "--title",
        "Weekly deck missed the churn metric",
        "--impact",
        "A churn spike went unnoticed for two weeks",
        env={"MECHCTL_NOW": T0},
    )
    assert result.exit_code == 0, result
    esc_id = result.stdout.strip()
    assert ID_RE.match(esc_id)
    assert esc_id.startswith("esc-20261102-")
    rel = f"escalations/2026/11/{esc_id}.yaml"
    assert result.stdout == esc_id + "\n"
    assert result.stderr == ""
    assert committed_files(repo) == [rel]
    assert trailers(repo) == {"Mechctl-Action": "escalation.raise", "Mechctl-Record": esc_id}
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        "escalate: Weekly deck missed the churn metric"
    )
    assert status(repo) == "A  mine.txt\n"
    text = (repo / rel).read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/escalation.schema.json\n"
    )
    assert (
        text
        == f"""\
# yaml-language-server: $schema=../../../schemas/escalation.schema.json
id: {esc_id}
title: Weekly deck missed the churn metric
mechanism: wbr
failure_mode: other
severity: sev3
level: director
status: open
customer_impact: A churn spike went unnoticed for two weeks
raised_by: Test User <test@example.com>
raised_at: 2026-11-02T09:00:00Z
owner: finance
links: []
tags: []
timeline:
  - at: 2026-11-02T09:00:00Z
    by: Test User <test@example.com>
    action: raised
    level: director
"""
    )


def test_escalate_json_and_options(cli: Runner, repo: Path, wbr: str) -> None:
    result = cli(
        "escalate",
        "-m",
        "wbr",
        "-t",
        "T",
        "-i",
        "I",
        "--severity",
        "sev1",
        "--failure-mode",
        "scale",
        "--level",
        "vp",
        "--ask",
        "Two analysts",
        "--link",
        "https://x.example/1",
        "--tag",
        "churn",
        "--tag",
        "deck",
        "--json",
        env={"MECHCTL_NOW": T0},
    )
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["severity"] == "sev1"
    assert data["failure_mode"] == "scale"
    assert data["level"] == "vp"
    assert data["ask"] == "Two analysts"
    assert data["links"] == ["https://x.example/1"]
    assert data["tags"] == ["churn", "deck"]
    assert data["raised_at"] == T0
    assert data["derived"]["ack_target_seconds"] == 3600
    assert data["derived"]["age_seconds"] == 0


def test_escalate_without_mechanism(cli: Runner, repo: Path) -> None:
    result = cli(
        "escalate",
        "--failure-mode",
        "no-mechanism",
        "--title",
        "Refunds have no owner",
        "--impact",
        "Refunds take three weeks",
    )
    assert result.exit_code == 0, result
    record = _record(repo, result.stdout.strip())
    assert record["mechanism"] is None
    assert record["failure_mode"] == "no-mechanism"
    assert "owner" not in record


def test_escalate_on_retired_mechanism_warns(cli: Runner, mechanism: Callable[..., str]) -> None:
    mechanism("wbr", "wbr")
    mechanism("mbr", "wbr")
    assert (
        cli(
            "mechanism", "retire", "wbr", "--reason", "monthly now", "--superseded-by", "mbr"
        ).exit_code
        == 0
    )
    result = cli("escalate", "-m", "wbr", "-t", "T", "-i", "I")
    assert result.exit_code == 0
    assert result.stderr == "warning: mechanism 'wbr' is retired; it was superseded by 'mbr'\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("-m", "wbrr", "-t", "T", "-i", "I"), 1, "no mechanism 'wbrr' (did you mean 'wbr'?)"),
        (
            ("-m", "../x", "-t", "T", "-i", "I"),
            2,
            "invalid mechanism id '../x': use 2-63 lowercase letters, digits and '-', starting and"
            " ending with a letter or digit (e.g. 'weekly-business-review')",
        ),
        (
            ("-m", "wbr", "-t", "T", "-i", "I", "--severity", "sev9"),
            2,
            "Invalid value for '--severity' / '-s': 'sev9' is not one of 'sev1', 'sev2', 'sev3',"
            " 'sev4'. (see `mechctl escalate --help`)",
        ),
        (
            ("-m", "wbr", "-t", "T", "-i", "I", "--level", "ceo"),
            2,
            "unknown --level 'ceo'; configured levels: team, manager, director, vp",
        ),
        (
            ("-m", "wbr", "-t", "T", "-i", "I", "--failure-mode", "broken"),
            2,
            "Invalid value for '--failure-mode' / '-f': 'broken' is not one of 'new-input',"
            " 'output-changed', 'scale', 'not-adopted', 'not-inspected', 'no-mechanism', 'other'."
            " (see `mechctl escalate --help`)",
        ),
        (("-m", "wbr", "-t", " ", "-i", "I"), 2, "--title must not be empty"),
        (("-m", "wbr", "-t", "T", "-i", ""), 2, "--impact must not be empty"),
        (("-m", "wbr", "-i", "I"), 2, "missing option --title (What went wrong)"),
        (
            ("-t", "T", "-i", "I"),
            2,
            "missing option --mechanism (or --failure-mode no-mechanism when no mechanism exists"
            " for this)",
        ),
        (
            ("-t", "T", "-i", "I", "--failure-mode", "scale"),
            2,
            "--failure-mode scale needs --mechanism; only 'no-mechanism' may be raised without one",
        ),
        (
            ("-m", "wbr", "-t", "T", "-i", "I", "--failure-mode", "no-mechanism"),
            2,
            "--failure-mode no-mechanism cannot name a --mechanism",
        ),
    ],
)
def test_escalate_bad_input(
    cli: Runner, repo: Path, wbr: str, args: tuple[str, ...], code: int, message: str
) -> None:
    count = commit_count(repo)
    result = cli("escalate", *args)
    assert (result.exit_code, result.stderr) == (code, f"error: {message}\n")
    assert commit_count(repo) == count
    assert not list((repo / "escalations").rglob("esc-*.yaml"))


def _hook(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'blocked by policy' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def test_escalate_rejected_by_hook_saves_draft(cli: Runner, repo: Path, wbr: str) -> None:
    _hook(repo)
    count = commit_count(repo)
    result = cli("escalate", "-m", "wbr", "-t", "Deck wrong", "-i", "Customers confused")
    assert result.exit_code == 1
    first, hint = result.stderr.splitlines()
    assert first.startswith(
        "error: commit failed, nothing was changed: blocked by policy; your input is saved in "
    )
    assert hint == (
        "hint: retry with: mechctl escalate --title 'Deck wrong' --impact"
        " 'Customers confused' --severity sev3 --mechanism wbr"
    )
    draft = Path(first.rsplit("saved in ", 1)[1])
    assert "title: Deck wrong" in (draft if draft.is_absolute() else Path.cwd() / draft).read_text()
    assert commit_count(repo) == count
    assert status(repo) == ""


# -- transitions ---------------------------------------------------------------------------

ALL = ["ack", "comment", "raise", "resolve", "close", "reopen"]
ALLOWED = {
    "open": {"ack", "comment", "raise", "resolve"},
    "acknowledged": {"comment", "raise", "resolve"},
    "resolved": {"comment", "close", "reopen"},
    "closed": {"comment", "reopen"},
}
ARGS = {
    "ack": ["--note", "on it"],
    "comment": ["a note"],
    "raise": [],
    "resolve": ["--summary", "fixed", "--no-change-reason", "one-off outage"],
    "close": [],
    "reopen": ["--reason", "it came back"],
}
SETUP = {
    "open": [],
    "acknowledged": ["ack"],
    "resolved": ["resolve"],
    "closed": ["resolve", "close"],
}
AFTER = {"ack": "acknowledged", "resolve": "resolved", "close": "closed", "reopen": "open"}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("verb", ALL)
def test_every_transition(
    cli: Runner, repo: Path, raise_one: Callable[..., str], state: str, verb: str
) -> None:
    esc_id = raise_one("--level", "manager")
    for step in SETUP[state]:
        assert cli("escalation", step, esc_id, *ARGS[step]).exit_code == 0
    count = commit_count(repo)
    result = cli("escalation", verb, esc_id, *ARGS[verb])
    if verb in ALLOWED[state]:
        assert result.exit_code == 0, result
        assert commit_count(repo) == count + 1
        assert committed_files(repo) == [f"escalations/2026/11/{esc_id}.yaml"]
        expected_action = {"raise": "escalation.level-raise"}.get(verb, f"escalation.{verb}")
        assert trailers(repo) == {"Mechctl-Action": expected_action, "Mechctl-Record": esc_id}
        record = _record(repo, esc_id)
        assert record["status"] == AFTER.get(verb, state)
        entry = record["timeline"][-1]
        action = {
            "ack": "acknowledged",
            "comment": "commented",
            "raise": "level-raised",
            "resolve": "resolved",
            "close": "closed",
            "reopen": "reopened",
        }[verb]
        assert entry["action"] == action
        assert entry["by"] == "Test User <test@example.com>"
    else:
        allowed = [
            v
            for v in ("ack", "resolve", "close", "reopen", "raise", "comment")
            if v in ALLOWED[state]
        ]
        verbs = {
            "ack": "acknowledge",
            "comment": "comment on",
            "raise": "raise",
            "resolve": "resolve",
            "close": "close",
            "reopen": "reopen",
        }
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: cannot {verbs[verb]} {esc_id}: it is {state}; allowed now: "
            + ", ".join(allowed)
            + "\n"
        )
        assert commit_count(repo) == count


def test_raise_levels(cli: Runner, raise_one: Callable[..., str], repo: Path) -> None:
    esc_id = raise_one("--level", "manager")
    assert cli("escalation", "raise", esc_id).exit_code == 0
    assert _record(repo, esc_id)["level"] == "director"
    lower = cli("escalation", "raise", esc_id, "--to", "team")
    assert (lower.exit_code, lower.stderr) == (
        1,
        f"error: cannot raise {esc_id} to 'team': it is"
        " already at 'director' (team < manager <"
        " director < vp)\n",
    )
    unknown = cli("escalation", "raise", esc_id, "--to", "ceo")
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "error: unknown --to 'ceo'; configured levels: team, manager, director, vp\n",
    )
    assert cli("escalation", "raise", esc_id, "--to", "vp", "--note", "needs budget").exit_code == 0
    record = _record(repo, esc_id)
    assert record["level"] == "vp"
    assert record["timeline"][-1] == {
        "at": record["timeline"][-1]["at"],
        "by": "Test User <test@example.com>",
        "action": "level-raised",
        "note": "needs budget",
        "level": "vp",
    }
    top = cli("escalation", "raise", esc_id)
    assert (top.exit_code, top.stderr) == (
        1,
        f"error: cannot raise {esc_id}: it is already at 'vp', the top level"
        " (team < manager < director < vp)\n",
    )


def test_resolve_with_mechanism_change_closes_the_loop(
    cli: Runner, repo: Path, raise_one: Callable[..., str]
) -> None:
    esc_id = raise_one()
    missing = cli("escalation", "resolve", esc_id, "--summary", "s", "--mechanism-change", "wbr@2")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "error: mechanism 'wbr' has no version 2; its current version is 1\n",
    )
    unknown = cli("escalation", "resolve", esc_id, "--summary", "s", "--mechanism-change", "wbx")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "error: no mechanism 'wbx' (did you mean 'wbr'?)\n",
    )
    both = cli(
        "escalation",
        "resolve",
        esc_id,
        "--summary",
        "s",
        "--mechanism-change",
        "wbr",
        "--no-change-reason",
        "r",
    )
    assert (both.exit_code, both.stderr) == (
        2,
        "error: give exactly one of --mechanism-change ID[@VERSION] or --no-change-reason TEXT\n",
    )
    changed = cli(
        "mechanism",
        "set",
        "wbr",
        "tool.inputs[]=Churn by cohort",
        "--why",
        "the deck missed churn",
        "--escalation",
        esc_id[13:17],
    )
    assert changed.exit_code == 0, changed
    mech = json.loads(cli("mechanism", "show", "wbr", "--json").stdout)
    assert mech["iterations"][-1]["escalations"] == [esc_id]
    assert f"Escalations: {esc_id}" in git(repo, "log", "-1", "--format=%b")
    done = cli(
        "escalation",
        "resolve",
        esc_id,
        "--summary",
        "Churn is in the deck",
        "--root-cause",
        "new metric",
        "--mechanism-change",
        "wbr",
    )
    assert done.exit_code == 0, done
    record = _record(repo, esc_id)
    assert record["resolution"] == {
        "summary": "Churn is in the deck",
        "root_cause": "new metric",
        "mechanism_change": {"mechanism": "wbr", "version": 2},
    }
    reopened = cli("escalation", "reopen", esc_id, "--reason", "still missing for EU")
    assert reopened.exit_code == 0
    record = _record(repo, esc_id)
    assert record["status"] == "open"
    assert "resolution" not in record
    assert record["timeline"][-2]["note"] == "Churn is in the deck"


def test_time_figures_in_show(cli: Runner, raise_one: Callable[..., str]) -> None:
    esc_id = raise_one("--severity", "sev2")
    assert (
        cli("escalation", "ack", esc_id, env={"MECHCTL_NOW": "2026-11-02T11:00:00Z"}).exit_code == 0
    )
    assert (
        cli(
            "escalation",
            "resolve",
            esc_id,
            "--summary",
            "ok",
            "--no-change-reason",
            "r",
            env={"MECHCTL_NOW": "2026-11-04T09:00:00Z"},
        ).exit_code
        == 0
    )
    shown = cli("escalation", "show", esc_id, "--json", env={"MECHCTL_NOW": "2026-11-05T09:00:00Z"})
    derived = json.loads(shown.stdout)["derived"]
    assert derived == {
        "age_seconds": 3 * 86400,
        "time_to_acknowledge_seconds": 7200,
        "time_to_resolve_seconds": 2 * 86400,
        "ack_target_seconds": 4 * 3600,
        "resolve_target_seconds": 3 * 86400,
        "ack_overdue": False,
        "resolve_overdue": False,
    }
    text = cli("escalation", "show", esc_id, env={"MECHCTL_NOW": "2026-11-05T09:00:00Z"})
    assert text.stdout.splitlines()[0] == esc_id
    assert "acknowledge: in 2h (target 4h)   resolve: in 2d (target 3d)" in text.stdout


def test_list_defaults_filters_and_overdue(
    cli: Runner, raise_one: Callable[..., str], mechanism: Callable[..., str]
) -> None:
    mechanism("prfaq", "prfaq", owner="product")
    old = raise_one("--severity", "sev2", at="2026-11-01T09:00:00Z")
    new = raise_one(at="2026-11-03T09:00:00Z")
    done = raise_one(at="2026-11-02T09:00:00Z")
    assert (
        cli("escalation", "resolve", done, "--summary", "s", "--no-change-reason", "r").exit_code
        == 0
    )
    other = cli(
        "escalate",
        "-m",
        "prfaq",
        "-t",
        "FAQ wrong",
        "-i",
        "I",
        env={"MECHCTL_NOW": "2026-11-04T09:00:00Z"},
    ).stdout.strip()
    now = {"MECHCTL_NOW": "2026-11-05T09:00:00Z"}
    listed = json.loads(cli("escalation", "list", "--json", env=now).stdout)
    assert [e["id"] for e in listed] == [old, new, other]
    assert listed[0]["derived"]["ack_overdue"] is True
    assert listed[0]["derived"]["resolve_overdue"] is True
    every = json.loads(cli("escalation", "list", "--status", "all", "--json", env=now).stdout)
    assert [e["id"] for e in every] == [old, done, new, other]
    by_mech = json.loads(cli("escalation", "list", "--mechanism", "prfaq", "--json").stdout)
    assert [e["id"] for e in by_mech] == [other]
    by_sev = json.loads(cli("escalation", "list", "--severity", "sev2", "--json").stdout)
    assert [e["id"] for e in by_sev] == [old]
    table = cli("escalation", "list", env=now)
    # Plain aligned rows on a pipe (tests/test_listing.py): the last column is not padded.
    assert table.stdout.splitlines() == [
        "ID                     AGE    SEV   LEVEL     STATUS        MECHANISM  ACK            "
        "RESOLVE        TITLE",
        # The acknowledge time (4h for sev2) passed 3 days and 20 hours ago.
        f"{old}  4d     sev2  director  open          wbr        overdue 3d     overdue 24h    Deck"
        " missed churn",
        f"{new}  2d     sev3  director  open          wbr        overdue 24h    due in 12d     Deck"
        " missed churn",
        f"{other}  24h    sev3  director  open          prfaq      due in 0m      due in 13d     "
        "FAQ wrong",
    ]
    bad = cli("escalation", "list", "--status", "pending")
    assert (bad.exit_code, bad.stderr) == (
        2,
        "error: unknown --status 'pending'; allowed: open, acknowledged, resolved, closed, all\n",
    )


def test_abbreviations(cli: Runner, repo: Path, raise_one: Callable[..., str]) -> None:
    esc_id = raise_one()
    for short in (esc_id[13:16], esc_id[13:], esc_id[:16], esc_id):
        shown = cli("escalation", "show", short, "--json")
        assert shown.exit_code == 0, (short, shown)
        assert json.loads(shown.stdout)["id"] == esc_id
    # A second escalation sharing the first three letters of the random part.
    twin_id = esc_id[:13] + esc_id[13:16] + ("a" if esc_id[16] != "a" else "b") * 5
    twin = (repo / f"escalations/2026/11/{esc_id}.yaml").read_text().replace(esc_id, twin_id)
    (repo / f"escalations/2026/11/{twin_id}.yaml").write_text(twin)
    ambiguous = cli("escalation", "ack", esc_id[13:16])
    first, second = sorted([esc_id, twin_id])
    assert (ambiguous.exit_code, ambiguous.stderr) == (
        1,
        f"error: {esc_id[13:16]!r} is ambiguous; it matches {first}, {second}\n",
    )
    unknown = cli("escalation", "show", "zzzz")
    assert (unknown.exit_code, unknown.stderr) == (1, "error: no escalation matches 'zzzz'\n")
    short = cli("escalation", "show", "ab")
    assert short.exit_code == 2
    assert short.stderr == (
        "error: 'ab' is not an escalation id or an abbreviation of one (give"
        " at least 3 characters)\n"
    )
    for verb, extra in (("comment", ["x"]), ("raise", []), ("ack", [])):
        done = cli("escalation", verb, esc_id[13:18], *extra)
        assert done.exit_code == 0, (verb, done)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "status: open",
            "status: pending",
            ":8:9: status: invalid value 'pending'; allowed: open, acknowledged, resolved, closed",
        ),
        (
            "    action: raised",
            "    action: shouted",
            ":18:13: timeline[0].action: invalid value 'shouted'; allowed: raised, acknowledged,"
            " commented, level-raised, resolved, closed, reopened",
        ),
        ("status: open", "status: resolved", ":2:1: a resolved escalation needs a 'resolution'"),
    ],
)
def test_hand_edited_invalid_file(
    cli: Runner, repo: Path, raise_one: Callable[..., str], old: str, new: str, message: str
) -> None:
    esc_id = raise_one()
    rel = f"escalations/2026/11/{esc_id}.yaml"
    path = repo / rel
    path.write_text(path.read_text().replace(old, new))
    git(repo, "commit", "-qam", "hand edit")
    result = cli("escalation", "ack", esc_id)
    assert (result.exit_code, result.stderr) == (1, f"error: {rel}{message}\n")
    listed = cli("escalation", "list")
    assert listed.stderr == (
        f"warning: skipped {rel}{message} (run `mechctl lint`)\n"
        "no escalations match (try --status all)\n"
    )


def test_ids_are_distinct_and_collisions_redrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    from datetime import date

    from mechctl.store import layout

    day = date(2026, 11, 21)
    drawn = {layout.draw_escalation_id(day, lambda _: False) for _ in range(10_000)}
    assert len(drawn) == 10_000
    assert all(ID_RE.match(i) and i.startswith("esc-20261121-") for i in drawn)
    taken = "esc-20261121-" + base64.b32encode(b"\0" * 5).decode().lower()
    draws = iter([b"\0" * 5, b"\1" * 5])
    monkeypatch.setattr(layout.secrets, "token_bytes", lambda n: next(draws))
    assert layout.draw_escalation_id(day, lambda candidate: candidate == taken) == (
        "esc-20261121-" + base64.b32encode(b"\1" * 5).decode().lower()
    )


def test_twenty_concurrent_escalations(repo: Path, proc: Runner, wbr: str) -> None:
    import os
    import subprocess
    import sys

    from conftest import SRC

    count = commit_count(repo)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mechctl",
                "escalate",
                "-m",
                "wbr",
                "-t",
                f"Failure {n}",
                "-i",
                "Customers waited",
            ],
            cwd=repo,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(20)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0] * 20, outputs
    ids = {out.strip() for out, _ in outputs}
    assert len(ids) == 20
    assert commit_count(repo) == count + 20
    files = sorted(p.stem for p in (repo / "escalations").rglob("esc-*.yaml"))
    assert files == sorted(ids)
    listed = proc("escalation", "list", "--json")
    assert listed.exit_code == 0
    assert sorted(e["id"] for e in json.loads(listed.stdout)) == sorted(ids)
    assert status(repo) == ""
