"""Repeats that never become spam: `ack-overdue` (until acknowledged) and `ack-reminder`
(acknowledged, until resolved) under a pinned clock, with late, skipped and repeated runs.
A real http.server receives every message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Runner, git
from notifykit import Receiver, receiver  # noqa: F401

CONFIG = """\
escalation:
  levels: [team, manager, director, vp]
  default_level: team
notify:
  channels:
    ops-slack: {kind: slack, url_env: T_SLACK}
    leads-hook: {kind: webhook, url_env: T_HOOK}
  routes:
    - {level: team, channels: [ops-slack]}
    - {level: manager, channels: [leads-hook]}
    - {level: director, channels: [leads-hook]}
    - {level: vp, channels: [leads-hook]}
  policy:
    remind_every: {sev1: 1h}
    remind_acknowledged_every: {sev1: 1d}
"""


def _setup(repo: Path, config: str = CONFIG) -> None:
    (repo / ".mechctl.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".mechctl.yaml")
    git(repo, "commit", "-q", "-m", "notify config")


def _raise(cli: Runner, now: str) -> str:
    done = cli(
        "escalate",
        "--failure-mode",
        "no-mechanism",
        "--severity",
        "sev1",
        "--title",
        "Refunds wait a week",
        "--impact",
        "Customers wait seven days for a refund",
        env={"MECHCTL_NOW": now},
    )
    assert done.exit_code == 0, done
    return done.stdout.strip()


def _run(cli: Runner, rx: Receiver, now: str) -> list[tuple[str, str, str]]:
    """One `mechctl notify` at `now`: (event id without the record, channel, state)."""
    env = {
        "T_SLACK": rx.url("/slack"),
        "T_HOOK": rx.url("/hook"),
        "MECHCTL_NOW": now,
        "MECHCTL_NOTIFY_TIMEOUT": "1",
    }
    done = cli("notify", "--json", env=env)
    assert done.exit_code == 0, done
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return [(r["id"].split("/", 1)[1], r["channel"], r["state"]) for r in rows]


def test_ack_overdue_once_per_period_whatever_the_runs(
    repo: Path, cli: Runner, receiver: Receiver
) -> None:
    _setup(repo)
    esc = _raise(cli, "2026-12-01T10:00:00Z")
    start = "2026-12-01T10:00:00Z"
    walk = [
        ("2026-12-01T10:00:30Z", [(f"raised/{start}", "ops-slack", "delivered")]),
        ("2026-12-01T10:59:59Z", []),  # ack_within (1h) not passed yet
        ("2026-12-01T11:00:00Z", [(f"ack-overdue/{start}/0", "ops-slack", "delivered")]),
        ("2026-12-01T11:14:00Z", []),  # a second run in the same period
        ("2026-12-01T11:14:00Z", []),  # and a duplicate of it
        ("2026-12-01T12:40:00Z", [(f"ack-overdue/{start}/1", "ops-slack", "delivered")]),
        # CI stopped for a day: one catch-up reminder (the current period's), not 23.
        ("2026-12-02T12:10:00Z", [(f"ack-overdue/{start}/25", "ops-slack", "delivered")]),
        ("2026-12-02T12:59:59Z", []),
    ]
    for now, expected in walk:
        assert _run(cli, receiver, now) == expected, now
    assert len(receiver.on("/slack")) == 4
    keys = [h.headers["X-Mechctl-Key"] for h in receiver.received]
    assert len(set(keys)) == 4
    # Acknowledged: the ack-overdue reminders stop at once.
    ack = cli("escalation", "ack", esc, env={"MECHCTL_NOW": "2026-12-02T13:05:00Z"})
    assert ack.exit_code == 0, ack
    assert _run(cli, receiver, "2026-12-02T14:00:00Z") == []
    assert len(receiver.received) == 4


def test_ack_reminder_until_resolved(repo: Path, cli: Runner, receiver: Receiver) -> None:
    _setup(repo)
    esc = _raise(cli, "2026-12-01T10:00:00Z")
    acked = "2026-12-01T10:30:00Z"
    assert cli("escalation", "ack", esc, env={"MECHCTL_NOW": acked}).exit_code == 0
    walk = [
        ("2026-12-01T10:31:00Z", [("raised/2026-12-01T10:00:00Z", "ops-slack", "delivered")]),
        ("2026-12-02T10:29:59Z", []),  # a day since the acknowledgement not passed yet
        ("2026-12-02T10:30:00Z", [(f"ack-reminder/{acked}/1", "ops-slack", "delivered")]),
        ("2026-12-02T18:00:00Z", []),  # late and repeated runs in the same period
        ("2026-12-02T18:00:00Z", []),
        # Skipped for three days: one reminder, the fourth, not three at once.
        ("2026-12-05T11:00:00Z", [(f"ack-reminder/{acked}/4", "ops-slack", "delivered")]),
        ("2026-12-05T11:00:00Z", []),
    ]
    for now, expected in walk:
        assert _run(cli, receiver, now) == expected, now
    (first, fourth) = [h.json for h in receiver.on("/slack")][1:]
    assert first["text"] == "[sev1 · team] Acknowledged, not yet resolved: Refunds wait a week"
    blocks = {b["text"]["text"] for b in first["blocks"] if b["type"] == "section" and "text" in b}
    assert (
        "*Waiting*\nAcknowledged 1d ago at level team, not resolved yet (reminder 1). The sev1"
        " target of resolving within 1d passed 30m ago." in blocks
    )
    assert (
        f"To act: `mechctl escalation resolve {esc} --summary TEXT --mechanism-change MECHANISM`"
        in json.dumps(fourth["blocks"], ensure_ascii=False)
    )
    # Raised a level while acknowledged: that level hears `level-raised` now, and its
    # reminders count from the raise, not from the acknowledgement.
    raised_at = "2026-12-05T12:00:00Z"
    moved = cli("escalation", "raise", esc, "--to", "director", env={"MECHCTL_NOW": raised_at})
    assert moved.exit_code == 0, moved
    assert _run(cli, receiver, "2026-12-05T12:01:00Z") == [
        (f"level-raised/{raised_at}/director", "leads-hook", "delivered")
    ]
    assert _run(cli, receiver, "2026-12-06T11:59:00Z") == []
    assert _run(cli, receiver, "2026-12-06T12:00:00Z") == [
        (f"ack-reminder/{raised_at}/1", "leads-hook", "delivered")
    ]
    (hook,) = [h.json for h in receiver.on("/hook") if h.json["event"] == "ack-reminder"]
    assert (hook["level"], hook["escalation"]["status"]) == ("director", "acknowledged")
    # Resolved: the reminders stop; the resolution itself is told.
    done = cli(
        "escalation",
        "resolve",
        esc,
        "--summary",
        "Refunds go out daily",
        "--no-change-reason",
        "one-off backlog",
        env={"MECHCTL_NOW": "2026-12-06T13:00:00Z"},
    )
    assert done.exit_code == 0, done
    assert [e for e, _, _ in _run(cli, receiver, "2026-12-08T13:00:00Z")] == [
        "resolved/2026-12-06T13:00:00Z/3"
    ]
    shown = json.loads(cli("escalation", "show", esc, "--json").stdout)["notifications"]
    assert [(n["event"], n["channel"], n["at"]) for n in shown] == [
        ("raised", "ops-slack", "2026-12-01T10:00:00Z"),
        ("ack-reminder", "ops-slack", "2026-12-02T10:30:00Z"),
        ("ack-reminder", "ops-slack", "2026-12-05T10:30:00Z"),
        ("level-raised", "leads-hook", raised_at),
        ("ack-reminder", "leads-hook", "2026-12-06T12:00:00Z"),
        ("resolved", "leads-hook", "2026-12-06T13:00:00Z"),
    ]


def test_lint_policy_event_off_and_zero_period(repo: Path, cli: Runner) -> None:
    _setup(
        repo,
        CONFIG.replace("  policy:", "  events: [raised, ack-overdue]\n  policy:"),
    )
    done = cli("lint", "--format", "json")
    assert done.exit_code == 0, done  # a warning
    found = [
        (f["line"], f["column"], f["rule"], f["severity"], f["message"])
        for f in json.loads(done.stdout)
        if f["path"] == ".mechctl.yaml"
    ]
    assert found == [
        (
            16,
            5,
            "policy-event-off",
            "warning",
            "notify.policy.remind_acknowledged_every is set, but notify.events leaves out"
            " 'ack-reminder': nobody hears of it; add the event or remove the policy",
        )
    ]
    _setup(
        repo,
        CONFIG.replace(
            "remind_acknowledged_every: {sev1: 1d}", "remind_acknowledged_every: {sev1: 0h}"
        ),
    )
    refused = cli("notify")
    assert refused.exit_code == 2, refused
    assert refused.stderr.startswith("error: invalid configuration: .mechctl.yaml:15:")
    assert "sev1: a reminder period must be at least 1m" in refused.stderr
