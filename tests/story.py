"""A real history for the audit-trail tests: mechctl commands, a hand edit, a rename by hand,
commits signed with a throwaway SSH key, and an undo. Every commit has a pinned date."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Runner, git

DECK = "Deck published before the agreed cut-off time"
TITLE = "Weekly Business Review (WBR/MBR/QBR)"


def at(day: str) -> dict[str, str]:
    """Pin mechctl's clock and git's dates to noon UTC of `day`."""
    stamp = f"{day}T12:00:00Z"
    return {"MECHCTL_NOW": stamp, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def ssh_signing(repo: Path, folder: Path) -> None:
    """Sign this repository's commits with a new SSH key that git also trusts for checking."""
    key = folder / "signing-key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    allowed = folder / "allowed_signers"
    allowed.write_text(f"test@example.com {key.with_suffix('.pub').read_text()}")
    git(repo, "config", "gpg.format", "ssh")
    git(repo, "config", "user.signingkey", str(key.with_suffix(".pub")))
    git(repo, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    git(repo, "config", "commit.gpgsign", "true")


def build(cli: Runner, root: Path) -> Path:
    """The story, in a new repository under `root`; returns the repository."""
    repo = root / "story"

    def run(day: str, *args: str) -> None:
        result = cli(*args, env=at(day), cwd=repo)
        assert result.exit_code == 0, result

    def hand(day: str, message: str, *args: str) -> None:
        git(repo, *args, env=at(day))
        git(repo, "commit", "-q", "-a", "-m", message, env=at(day))

    result = cli("init", str(repo), env=at("2026-10-31"))
    assert result.exit_code == 0, result
    run("2026-11-01", "mechanism", "new", "demo-old", "--template", "wbr", "--owner", "finance")
    run("2026-11-02", "mechanism", "activate", "demo-old")
    run(
        "2026-11-03",
        "mechanism",
        "set",
        "demo-old",
        "tool.steps[]=Publish the notes",
        "--why",
        "Readers asked for notes",
    )
    run(
        "2026-11-04",
        "inspect",
        "demo-old",
        "--outcome",
        "on-track",
        "--metric",
        f"{DECK}=0.97",
        "--anecdote",
        "The CFO read the deck before the meeting",
    )
    # A hand edit: a shorter title, committed with plain git.
    old = repo / "mechanisms" / "demo-old.yaml"
    old.write_text(old.read_text().replace(f"title: {TITLE}", "title: WBR"))
    hand("2026-11-05", "Shorter title", "add", "-A")
    # A rename by hand: the file and the id inside it.
    git(repo, "mv", "mechanisms/demo-old.yaml", "mechanisms/demo.yaml")
    new = repo / "mechanisms" / "demo.yaml"
    new.write_text(new.read_text().replace("id: demo-old", "id: demo"))
    hand("2026-11-06", "Rename demo-old to demo", "add", "-A")
    # From here on, commits are signed.
    ssh_signing(repo, root)
    run(
        "2026-11-07",
        "inspect",
        "demo",
        "--outcome",
        "at-risk",
        "--metric",
        f"{DECK}=0.7",
        "--anecdote",
        "Two VPs said the deck arrived late",
    )
    run("2026-11-08", "undo", "--yes")
    return repo


def runner(default: Path) -> Runner:
    """Like conftest's `cli`, for fixtures that outlive one test."""
    from typer.testing import CliRunner

    from conftest import Result
    from mechctl.cli.app import app

    def run(
        *args: str,
        input: str | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        result = CliRunner().invoke(app, ["-C", str(cwd or default), *args], input=input, env=env)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The story, built once per test module. Tests that change it work on a copy."""
    root = tmp_path_factory.mktemp("story")
    return build(runner(root), root)


ESC = "esc-20261101-k3f7q2ma"
ESC_REL = f"escalations/2026/11/{ESC}.yaml"
RAISED = """\
id: {id}
title: Weekly deck missed the churn metric
mechanism: wbr
failure_mode: new-input
severity: sev2
level: {level}
status: {status}
customer_impact: Churn rose for three weeks before anyone noticed
raised_by: Test User <test@example.com>
raised_at: 2026-11-01T09:00:00Z
owner: finance
timeline:
  - at: 2026-11-01T09:00:00Z
    by: Test User <test@example.com>
    action: raised
    level: director
"""
ACKED = """\
  - at: 2026-11-02T10:00:00Z
    by: Test User <test@example.com>
    action: acknowledged
    note: Looking into the deck pipeline
"""
LEVEL_RAISED = """\
  - at: 2026-11-03T10:00:00Z
    by: Test User <test@example.com>
    action: level-raised
    level: vp
"""


def escalation(
    status: str = "open", level: str = "director", extra: str = "", esc_id: str = ESC
) -> str:
    """An escalation's text, as `mechctl escalate` and `escalation ack|raise` would leave it."""
    return RAISED.format(id=esc_id, status=status, level=level) + extra


def commit_record(
    repo: Path, rel: str, text: str, subject: str, action: str | None, record: str, day: str
) -> None:
    """Write a record and commit it with git, with mechctl's trailers unless `action` is None."""
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, "add", rel)
    message = (
        subject
        if action is None
        else (f"{subject}\n\nMechctl-Action: {action}\nMechctl-Record: {record}\n")
    )
    git(repo, "commit", "-q", "-m", message, env=at(day))
