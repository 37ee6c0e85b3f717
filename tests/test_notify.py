"""`mechctl notify`: real receivers (http.server, aiosmtpd), real git repos and remotes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import SRC, Runner, git, trailers
from mechctl.services.notify.senders import sign
from notifykit import Mailbox, Receiver, mailbox, receiver  # noqa: F401

RAISED_AT = "2026-12-01T10:00:00Z"

CONFIG = """\
escalation:
  levels: [team, manager, director, vp]
  default_level: team
notify:
  channels:
    ops-slack: {kind: slack, url_env: T_SLACK}
    leads-teams: {kind: teams, url_env: T_TEAMS}
    audit-hook: {kind: webhook, url_env: T_HOOK, secret_env: T_SECRET}
    directors: {kind: email, to: [directors@example.com], smtp_url_env: T_SMTP}
  routes:
    - {level: team, channels: [ops-slack, audit-hook]}
    - {level: manager, channels: [leads-teams, audit-hook]}
    - {level: director, channels: [directors, leads-teams]}
    - {level: vp, channels: [directors, leads-teams]}
  policy:
    auto_raise: {sev1: true}
    remind_every: {sev1: 1h}
"""


def _setup(repo: Path, cli: Runner, config: str = CONFIG) -> None:
    (repo / ".mechctl.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".mechctl.yaml")
    git(repo, "commit", "-q", "-m", "notify config")


def _raise(cli: Runner, severity: str = "sev1", now: str = RAISED_AT) -> str:
    done = cli(
        "escalate",
        "--title",
        "Weekly deck missed the churn metric",
        "--impact",
        "Churn went unseen for a week",
        "--failure-mode",
        "no-mechanism",
        "--severity",
        severity,
        "--ask",
        "Add churn to the deck",
        env={"MECHCTL_NOW": now},
    )
    assert done.exit_code == 0, done
    return done.stdout.strip().splitlines()[0]


def _env(rx: Receiver, box: Mailbox | None = None, now: str = RAISED_AT) -> dict[str, str]:
    env = {
        "T_SLACK": rx.url("/slack"),
        "T_TEAMS": rx.url("/teams"),
        "T_HOOK": rx.url("/hook"),
        "T_SECRET": "s3cret",
        "T_SMTP": box.url if box else "smtp://127.0.0.1:9",
        "MECHCTL_NOW": now,
        "MECHCTL_NOTIFY_TIMEOUT": "1",
    }
    return env


def _ledger(repo: Path) -> list[dict[str, Any]]:
    tree = git(repo, "ls-tree", "--name-only", "refs/mechctl/notify").split()
    lines: list[dict[str, Any]] = []
    for name in tree:
        text = git(repo, "show", f"refs/mechctl/notify:{name}")
        lines += [json.loads(line) for line in text.splitlines()]
    return lines


def test_slack_and_webhook_bodies_and_signature(
    repo: Path, cli: Runner, receiver: Receiver
) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    done = cli("notify", env=_env(receiver))
    assert done.exit_code == 0, done
    assert [line.split()[:3] for line in done.stdout.splitlines()] == [
        ["sent", "raised", esc],
        ["sent", "raised", esc],
    ]
    (slack,) = receiver.on("/slack")
    body = slack.json
    assert body["text"] == ("[sev1 · team] Escalation raised: Weekly deck missed the churn metric")
    assert body["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Escalation raised: Weekly deck missed the churn metric",
        },
    }
    texts = json.dumps(body["blocks"])
    assert "Churn went unseen for a week" in texts and "Add churn to the deck" in texts
    assert f"mechctl escalation ack {esc}" in texts
    (hook,) = receiver.on("/hook")
    assert hook.headers["X-Mechctl-Signature"] == sign("s3cret", hook.body)
    data = hook.json
    assert (data["event"], data["record"], data["channel"], data["level"]) == (
        "raised",
        esc,
        "audit-hook",
        "team",
    )
    assert (
        hook.headers["X-Mechctl-Key"]
        == data["key"]
        == slack.headers["X-Mechctl-Key"][:0] + data["key"]
    )
    assert data["escalation"]["id"] == esc
    # Recorded: a second run sends nothing.
    states = [(e["state"], e["channel"]) for e in _ledger(repo)]
    assert sorted(states) == sorted(
        [
            ("claimed", "ops-slack"),
            ("claimed", "audit-hook"),
            ("delivered", "ops-slack"),
            ("delivered", "audit-hook"),
        ]
    )
    again = cli("notify", env=_env(receiver))
    assert again.exit_code == 0, again
    assert again.stdout == ""
    assert len(receiver.received) == 2
    shown = cli("escalation", "show", esc, "--json")
    notified = json.loads(shown.stdout)["notifications"]
    assert [(n["channel"], n["event"], n["at"]) for n in notified] == [
        ("audit-hook", "raised", RAISED_AT),
        ("ops-slack", "raised", RAISED_AT),
    ]
    text = cli("escalation", "show", esc)
    assert "Notified" in text.stdout and "ops-slack" in text.stdout


def test_teams_and_email(repo: Path, cli: Runner, receiver: Receiver, mailbox: Mailbox) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    assert (
        cli(
            "escalation", "raise", esc, "--to", "director", env={"MECHCTL_NOW": RAISED_AT}
        ).exit_code
        == 0
    )
    done = cli("notify", env=_env(receiver, mailbox))
    assert done.exit_code == 0, done
    (teams,) = receiver.on("/teams")
    body = teams.json
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert attachment["content"]["body"][0]["text"] == (
        "Escalation raised to director: Weekly deck missed the churn metric"
    )
    (mail,) = [m for m in mailbox.messages]
    rcpt, msg = mail
    assert rcpt == ["directors@example.com"]
    assert msg["Subject"] == (
        "[sev1 · director] Escalation raised to director: Weekly deck missed the churn metric"
    )
    assert msg["Message-ID"] == f"<{msg['X-Mechctl-Key']}@mechctl>"
    parts = {part.get_content_type(): part for part in msg.walk()}
    plain = parts["text/plain"].get_content().replace("\r\n", "\n")
    assert "Customer impact\n  Churn went unseen for a week" in plain
    assert f"mechctl escalation ack {esc}" in plain
    assert "<h2>Escalation raised to director" in parts["text/html"].get_content()


@pytest.mark.parametrize("mode", ["fail", "hang", "absent"])
def test_failure_is_named_and_retried(
    repo: Path, cli: Runner, receiver: Receiver, mode: str
) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    env = _env(receiver)
    if mode == "absent":
        env["T_SLACK"] = "http://127.0.0.1:9/slack"
    else:
        receiver.mode = mode
    first = cli("notify", env=env)
    assert first.exit_code == 1, first
    assert "delivery to channel 'ops-slack' failed (raised " + esc + ")" in first.stderr
    if mode != "absent":
        assert "delivery to channel 'audit-hook' failed" in first.stderr
    receiver.mode = "ok"
    delivered_first = {h.path for h in receiver.received}
    second = cli("notify", env=_env(receiver))
    assert second.exit_code == 0, second
    paths = sorted(h.path for h in receiver.received)
    assert paths == ["/hook", "/slack"]  # each exactly once, across both runs
    assert ("/hook" in delivered_first) == (mode == "absent")


def test_dry_run_records_nothing(repo: Path, cli: Runner, receiver: Receiver) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    dry = cli("notify", "--dry-run", "--json", env=_env(receiver))
    assert dry.exit_code == 0, dry
    rows = json.loads(dry.stdout)
    assert [(r["event"], r["record"], r["channel"], r["level"], r["state"]) for r in rows] == [
        ("raised", esc, "ops-slack", "team", "due"),
        ("raised", esc, "audit-hook", "team", "due"),
    ]
    assert all(len(r["key"]) == 32 for r in rows)
    assert receiver.received == []
    assert git(repo, "for-each-ref", "refs/mechctl/").strip() == ""
    real = cli("notify", "--json", env=_env(receiver))
    assert [r["key"] for r in json.loads(real.stdout)] == [r["key"] for r in rows]


def test_clock_walks_sev1_to_the_top(
    repo: Path, cli: Runner, receiver: Receiver, mailbox: Mailbox
) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    seen: list[tuple[str, str]] = []
    for hour in range(0, 7):
        now = f"2026-12-01T{10 + hour:02d}:00:30Z"
        done = cli("notify", "--apply-policy", "--json", env=_env(receiver, mailbox, now))
        assert done.exit_code == 0, done
        seen += [
            (r["event"], r["level"])
            for r in json.loads(done.stdout)
            if r["channel"] != "audit-hook"
        ]
    level = json.loads(cli("escalation", "show", esc, "--json").stdout)["level"]
    assert level == "vp"
    subjects = git(repo, "log", "--format=%s", "-4").splitlines()
    assert subjects[:3] == [
        f"escalation raise to {lv}: Weekly deck missed the churn metric"
        for lv in ("vp", "director", "manager")
    ]
    assert subjects[3].startswith("escalate:")
    assert trailers(repo)["Mechctl-Action"] == "escalation.level-raise"
    timeline = json.loads(cli("escalation", "show", esc, "--json").stdout)["timeline"]
    notes = [e["note"] for e in timeline if e["action"] == "level-raised"]
    assert (
        notes
        == ["raised by the escalation policy: not acknowledged within 1h (sev1 auto_raise)"] * 3
    )
    assert seen == [
        ("raised", "team"),
        ("level-raised", "manager"),
        ("level-raised", "director"),
        ("level-raised", "director"),
        ("level-raised", "vp"),
        ("level-raised", "vp"),
        *[("ack-overdue", "vp")] * 6,  # hours 4, 5 and 6: one reminder each, 2 channels
    ]


def _spawn(cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "mechctl", "notify"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_clones_at_once_send_each_event_once(
    repo: Path, cli: Runner, receiver: Receiver, tmp_path: Path
) -> None:
    _setup(repo, cli)
    for _ in range(3):
        _raise(cli)
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    clones = []
    for name in ("a", "b"):
        target = tmp_path / name
        git(tmp_path, "clone", "-q", str(bare), str(target))
        clones.append(target)
    env = _env(receiver)
    runs = [_spawn(clone, env) for clone in clones]
    outs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outs
    keys = [h.headers["X-Mechctl-Key"] for h in receiver.received]
    assert len(keys) == 6 and len(set(keys)) == 6
    again = _spawn(clones[0], env)
    again.communicate(timeout=60)
    assert len(receiver.received) == 6
    shutil.rmtree(clones[1])


LINT_CONFIG = """\
escalation:
  levels: [team, manager, director]
  default_level: team
teams:
  finance: {}
  ops: {}
notify:
  channels:
    ops-slack: {kind: slack, url_env: "https://hooks.slack.com/services/T/B/X"}
    mail: {kind: email, to: [a@example.com], smtp_url_env: MECHCTL_SMTP_URL}
  routes:
    - {level: team, team: ops, channels: [ops-slack]}
    - {level: manager, channels: [mail, nowhere]}
    - {level: director, channels: [mail]}
"""


def test_lint_notify_rules(repo: Path, cli: Runner) -> None:
    _setup(repo, cli, LINT_CONFIG)
    done = cli("lint", "--format", "json")
    assert done.exit_code == 1, done
    found = [
        (f["line"], f["column"], f["rule"], f["severity"], f["message"])
        for f in json.loads(done.stdout)
        if f["path"] == ".mechctl.yaml"
    ]
    assert found == [
        (
            9,
            39,
            "secret-in-config",
            "error",
            "notify.channels.ops-slack.url_env holds a URL; put the secret in an environment"
            " variable (a CI secret) and write that variable's name here",
        ),
        (
            11,
            3,
            "route-missing",
            "error",
            "an escalation at level 'team' reaches nobody for team(s) finance: add a route for"
            " level 'team' (without `team` for every team)",
        ),
        (
            13,
            41,
            "unknown-channel",
            "error",
            "route 2 (level manager) names channel 'nowhere', which is not in notify.channels",
        ),
    ]
    refused = cli("notify")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: .mechctl.yaml: notify.channels.ops-slack.url_env holds a URL, not the name of an"
        " environment variable; move the secret to the environment (lint: secret-in-config)\n"
    )


def test_secret_key_is_refused_at_its_line(repo: Path, cli: Runner) -> None:
    _setup(repo, cli, 'notify:\n  channels:\n    s: {kind: slack, url: "https://x.example"}\n')
    done = cli("notify")
    assert done.exit_code == 2
    assert "'url' would put a secret in the repository" in done.stderr
    assert done.stderr.startswith("error: invalid configuration: .mechctl.yaml:3:")


README_START = "<!-- notify-example:start (generated by tests/test_notify.py) -->"
README_END = "<!-- notify-example:end -->"
EXAMPLE = "esc-20261119-your5i75"
EXAMPLE_NOW = "2026-11-19T17:15:00Z"


def _example() -> str:
    """The README's Slack message and email, for the example records at a pinned time."""
    import os

    from mechctl.services.core.context import open_workspace
    from mechctl.services.notify import messages
    from mechctl.services.notify.events import Delivery
    from mechctl.services.notify.run import due_events

    root = Path(__file__).resolve().parents[1]
    os.environ["MECHCTL_NOW"] = EXAMPLE_NOW
    try:
        ws = open_workspace(root)
        now = ws.now()
        events, _ = due_events(ws)
    finally:
        del os.environ["MECHCTL_NOW"]
    (event,) = [e for e in events if e.record == EXAMPLE and e.event.value == "raised"]
    rel = f"escalations/2026/11/{EXAMPLE}.yaml"
    slack = messages.build(Delivery(event, "ops-slack"), ws.config, now, rel)
    mail = messages.build(Delivery(event, "directors"), ws.config, now, rel)
    email = messages.email(mail, "mechctl <mechctl@localhost>", ["directors@example.com"], now)
    head = "".join(f"{name}: {email[name]}\n" for name in ("From", "To", "Subject"))
    return (
        f"{README_START}\n"
        f"Slack (`ops-slack`), as the message reads:\n\n```text\n"
        f"{messages.slack_preview(messages.slack(slack))}```\n\n"
        f"Email (`directors`), its plain-text part:\n\n```text\n{head}\n"
        f"{messages.email_text(mail)}```\n{README_END}"
    )


def test_readme_example_is_current() -> None:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index(README_START)
    end = text.index(README_END) + len(README_END)
    wanted = _example()
    if os.environ.get("MECHCTL_UPDATE_README") == "1":
        readme.write_text(text[:start] + wanted + text[end:], encoding="utf-8")
    assert text[start:end] == wanted, (
        "README notify example is stale: run with MECHCTL_UPDATE_README=1"
    )


def test_example_workflow() -> None:
    text = (
        Path(__file__).resolve().parents[1] / "examples" / "github-actions-notify.yml"
    ).read_text()
    assert 'cron: "*/15 * * * *"' in text and "branches: [main]" in text
    assert "concurrency:\n  group: mechctl-notify" in text
    # The action runs `mechctl notify --apply-policy --push` (tests/test_action.py).
    assert "uses: <owner>/mechctl@<tag>\n        with:\n          command: notify\n" in text
    assert "${{ secrets.MECHCTL_SMTP_URL }}" in text
    assert "refs/mechctl/notify" in text


def test_resolution_thanks_both_and_mails_the_raiser(
    repo: Path, cli: Runner, receiver: Receiver, mailbox: Mailbox
) -> None:
    _setup(repo, cli)
    esc = _raise(cli)
    pinned = {"MECHCTL_NOW": "2026-12-01T10:30:00Z"}
    assert cli("escalation", "raise", esc, "--to", "director", env=pinned).exit_code == 0
    done = cli(
        "escalation",
        "resolve",
        esc,
        "--summary",
        "Churn is on the deck",
        "--no-change-reason",
        "one-off",
        env=pinned,
    )
    assert done.exit_code == 0, done
    sent = cli("notify", "--json", env=_env(receiver, mailbox, "2026-12-01T10:31:00Z"))
    assert sent.exit_code == 0, sent
    ((rcpts, mail),) = [(r, m) for r, m in mailbox.messages if "resolved" in m["Subject"]]
    assert rcpts == ["directors@example.com", "test@example.com"]
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Thanks\n  to Test User for raising it, and to Test User and the owner" in plain
    assert "Churn is on the deck (no change: one-off)" in plain
