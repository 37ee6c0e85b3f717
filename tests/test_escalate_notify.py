"""`mechctl escalate --notify`: the new escalation's `raised` event is sent at once, through
the delivery record of `mechctl notify`, to real receivers (http.server, aiosmtpd)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SRC, Runner, commit_count, git
from notifykit import Mailbox, Receiver, mailbox, receiver  # noqa: F401
from test_notify import CONFIG, _env, _ledger, _setup

ARGS = ("escalate", "--failure-mode", "no-mechanism", "-s", "sev2", "-t", "Refunds wait")
IMPACT = ("--impact", "Customers wait a week for a refund")
NOW = "2026-12-01T10:00:00Z"


def test_sent_at_once_and_not_again_by_notify_in_another_clone(
    repo: Path, cli: Runner, receiver: Receiver, tmp_path: Path
) -> None:
    _setup(repo, cli)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "HEAD:main")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main")
    before = commit_count(repo)
    done = cli(*ARGS, *IMPACT, "--notify", "--push", env=_env(receiver, now=NOW))
    assert done.exit_code == 0, done
    esc = done.stdout.strip()
    assert done.stderr == (
        f"notified ops-slack (team) of {esc}\nnotified audit-hook (team) of {esc}\n"
    )
    assert commit_count(repo) == before + 1
    assert sorted(h.path for h in receiver.received) == ["/hook", "/slack"]
    assert receiver.on("/slack")[0].json["text"] == (
        "[sev2 · team] Escalation raised: Refunds wait"
    )
    # The record is on the remote: a `notify` in another clone (CI) sends nothing again.
    other = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(bare), str(other))
    again = cli("notify", cwd=other, env=_env(receiver, now="2026-12-01T10:05:00Z"))
    assert again.exit_code == 0, again
    assert (again.stdout, again.stderr) == ("", "0 deliveries attempted (2 delivered before)\n")
    assert len(receiver.received) == 2
    shown = json.loads(cli("escalation", "show", esc, "--json", cwd=other).stdout)
    assert [(n["event"], n["channel"]) for n in shown["notifications"]] == [
        ("raised", "audit-hook"),
        ("raised", "ops-slack"),
    ]


def test_channels_without_their_secrets_are_left_to_notify(
    repo: Path, cli: Runner, receiver: Receiver, mailbox: Mailbox
) -> None:
    _setup(repo, cli)
    env = {"T_SLACK": receiver.url("/slack"), "MECHCTL_NOW": NOW}
    done = cli(*ARGS, *IMPACT, "--level", "director", "--notify", "--json", env=env)
    assert done.exit_code == 0, done
    record = json.loads(done.stdout)
    assert [(n["event"], n["channel"]) for n in record["notifications"]] == []
    assert done.stderr == (
        "warning: not sent to directors: T_SMTP not set here; `mechctl notify` sends it\n"
        "warning: not sent to leads-teams: T_TEAMS not set here; `mechctl notify` sends it\n"
    )
    assert git(repo, "for-each-ref", "refs/mechctl/").strip() == ""  # nothing claimed
    later = cli("notify", env=_env(receiver, mailbox, now="2026-12-01T10:01:00Z"))
    assert later.exit_code == 0, later
    assert [line.split()[:2] + line.split()[-1:] for line in later.stdout.splitlines()] == [
        ["sent", "raised", "directors"],
        ["sent", "raised", "leads-teams"],
    ]
    assert len(mailbox.messages) == 1 and [h.path for h in receiver.received] == ["/teams"]


def test_a_failed_send_is_a_warning_and_the_escalation_stays(
    repo: Path, cli: Runner, receiver: Receiver
) -> None:
    _setup(repo, cli)
    before = commit_count(repo)
    receiver.mode = "fail"
    done = cli(*ARGS, *IMPACT, "--notify", env=_env(receiver, now=NOW))
    assert done.exit_code == 0, done
    esc = done.stdout.strip()
    assert done.stderr == (
        f"warning: delivery to channel 'ops-slack' failed (raised {esc}): HTTP 500"
        " Internal Server Error; `mechctl notify` retries it\n"
        f"warning: delivery to channel 'audit-hook' failed (raised {esc}): HTTP 500"
        " Internal Server Error; `mechctl notify` retries it\n"
    )
    assert commit_count(repo) == before + 1
    assert sorted(e["state"] for e in _ledger(repo)) == ["claimed"] * 2 + ["failed"] * 2
    receiver.mode = "ok"
    retried = cli("notify", env=_env(receiver, now="2026-12-01T10:01:00Z"))
    assert retried.exit_code == 0, retried
    assert sorted(h.path for h in receiver.received) == ["/hook", "/slack"]


def test_without_a_notify_section(repo: Path, cli: Runner) -> None:
    done = cli(*ARGS, *IMPACT, "--notify", env={"MECHCTL_NOW": NOW})
    assert done.exit_code == 0, done
    assert done.stderr == (
        f"warning: {done.stdout.strip()} is raised; nothing to send: .mechctl.yaml has no"
        " `notify` section\n"
    )


def test_a_secret_in_the_config_sends_nothing(repo: Path, cli: Runner) -> None:
    _setup(repo, cli, CONFIG.replace("url_env: T_SLACK", 'url_env: "https://hooks.example/x"'))
    done = cli(*ARGS, *IMPACT, "--notify", env={"MECHCTL_NOW": NOW})
    assert done.exit_code == 0, done
    esc = done.stdout.strip()
    assert done.stderr == (
        f"warning: {esc} is raised, but nothing was sent: .mechctl.yaml:"
        " notify.channels.ops-slack.url_env holds a URL, not the name of an environment"
        " variable; move the secret to the environment (lint: secret-in-config);"
        " `mechctl notify` sends it\n"
    )


# What sending needs; a plain `escalate` loads none of it.
WATCHED = (
    "mechctl.services.notify",
    "mechctl.cli.notify",
    "mechctl.git.ledger",
    "smtplib",
    "urllib.request",
)
_WATCH = """
import atexit, sys
out, sys.argv = sys.argv[1], ["mechctl", *sys.argv[2:]]
def _loaded() -> None:
    names = [m for m in sys.modules if m.startswith(WATCHED)]
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(" ".join(sorted(names)))
atexit.register(_loaded)
from mechctl.cli import main
main()
"""


def _loaded(repo: Path, tmp_path: Path, *args: str) -> str:
    report = tmp_path / "loaded.txt"
    done = subprocess.run(
        [sys.executable, "-c", f"WATCHED = {WATCHED!r}\n{_WATCH}", str(report), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return report.read_text(encoding="utf-8")


def test_escalate_without_notify_loads_nothing_of_it(
    repo: Path, cli: Runner, tmp_path: Path
) -> None:
    _setup(repo, cli)
    _loaded(repo, tmp_path, *ARGS, *IMPACT)  # the first run reads the configuration
    assert _loaded(repo, tmp_path, *ARGS, *IMPACT) == ""
    assert "mechctl.services.notify.now" in _loaded(repo, tmp_path, *ARGS, *IMPACT, "--notify")
