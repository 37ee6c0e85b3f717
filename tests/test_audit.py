"""`mechctl audit`: every change to records, who made it, and whether it is signed."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Runner, git
from story import at, story  # noqa: F401  (story is a fixture)

STORY = [
    # action, hand edit, records, %G?
    ("undo", False, ["demo"], "G"),
    ("mechanism.inspect", False, ["demo"], "G"),
    ("edited by hand", True, ["demo-old", "demo"], "N"),
    ("edited by hand", True, ["demo-old"], "N"),
    ("mechanism.inspect", False, ["demo-old"], "N"),
    ("mechanism.set", False, ["demo-old"], "N"),
    ("mechanism.activate", False, ["demo-old"], "N"),
    ("mechanism.create", False, ["demo-old"], "N"),
    ("repo.init", False, ["config"], "N"),
]


def _rows(data: dict[str, object]) -> list[tuple[object, ...]]:
    entries = data["entries"]
    assert isinstance(entries, list)
    return [(e["action"], e["hand_edit"], e["records"], e["signature"]) for e in entries]


def test_audit_lists_every_change_with_its_signature(story: Path, cli: Runner) -> None:
    result = cli("audit", "--json", cwd=story)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert (data["since"], data["commits"], data["hand_edits"], data["unsigned"]) == (None, 9, 2, 7)
    assert _rows(data) == STORY
    assert data["entries"][0] == {
        "commit": git(story, "rev-parse", "HEAD").strip(),
        "date": "2026-11-08T12:00:00Z",
        "author": "Test User <test@example.com>",
        "action": "undo",
        "hand_edit": False,
        "subject": "undo: inspect: demo (at-risk)",
        "records": ["demo"],
        "signature": "G",
        "signature_status": "good",
        "signed": True,
        "signer": "test@example.com",
    }


def test_audit_text(story: Path, cli: Runner) -> None:
    result = cli("audit", cwd=story)
    assert result.exit_code == 0, result
    lines = [re.sub(r"^[0-9a-f]{10}", "<sha>     ", line) for line in result.stdout.splitlines()]
    assert lines == [
        "COMMIT      DATE              AUTHOR     ACTION              RECORDS         SIGNATURE",
        "<sha>       2026-11-08 12:00  Test User  undo                demo            good",
        "<sha>       2026-11-07 12:00  Test User  mechanism.inspect   demo            good",
        "<sha>       2026-11-06 12:00  Test User  edited by hand      demo-old, demo  unsigned",
        "<sha>       2026-11-05 12:00  Test User  edited by hand      demo-old        unsigned",
        "<sha>       2026-11-04 12:00  Test User  mechanism.inspect   demo-old        unsigned",
        "<sha>       2026-11-03 12:00  Test User  mechanism.set       demo-old        unsigned",
        "<sha>       2026-11-02 12:00  Test User  mechanism.activate  demo-old        unsigned",
        "<sha>       2026-11-01 12:00  Test User  mechanism.create    demo-old        unsigned",
        "<sha>       2026-10-31 12:00  Test User  repo.init           config          unsigned",
    ]
    assert result.stderr == "9 commits, 2 edited by hand, 7 not signed\n"


def test_require_signed_fails_on_unsigned_commits(story: Path, cli: Runner) -> None:
    result = cli("audit", "--require-signed", "--json", cwd=story)
    assert result.exit_code == 1
    shas = [e["commit"][:10] for e in json.loads(result.stdout)["entries"]]
    unsigned = ", ".join(f"{sha} (unsigned)" for sha in shas[2:7])
    assert result.stderr == (
        f"error: 7 commits are not signed with a good signature: {unsigned} and 2 more\n"
    )


def test_since_keeps_the_signed_tail(story: Path, cli: Runner) -> None:
    result = cli("audit", "--since", "2026-11-07", "--require-signed", cwd=story)
    assert result.exit_code == 0, result
    assert result.stderr == "2 commits, 0 edited by hand, 0 not signed\n"
    data = json.loads(cli("audit", "--since", "2026-11-06", "--json", cwd=story).stdout)
    assert data["since"] == "2026-11-06"
    assert _rows(data) == STORY[:3]
    later = cli("audit", "--since", "2027-01-01", "--require-signed", cwd=story)
    assert (later.exit_code, later.stdout) == (0, "")
    assert later.stderr == "no commit changed a record since 2027-01-01\n"


@pytest.mark.parametrize("since", ["2026-13-01", "last week", ""])
def test_bad_since(story: Path, cli: Runner, since: str) -> None:
    result = cli("audit", "--since", since, cwd=story)
    assert result.exit_code == 2
    assert result.stderr == f"error: invalid --since {since!r}: expected a date, YYYY-MM-DD\n"


def test_without_allowed_signers_git_cannot_check_and_says_so(
    story: Path,
    cli: Runner,
    tmp_path: Path,
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(story, copy, symlinks=True)
    git(copy, "config", "--unset", "gpg.ssh.allowedSignersFile")
    result = cli("audit", "--since", "2026-11-07", "--require-signed", cwd=copy)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "warning: gpg.ssh.allowedSignersFile needs to be configured and exist for ssh"
        " signature verification",
        "2 commits, 0 edited by hand, 2 not signed",
        result.stderr.splitlines()[-1],
    ]
    assert result.stderr.splitlines()[-1].startswith(
        "error: 2 commits are not signed with a good signature: "
    )


def test_changes_outside_records_are_not_audited(cli: Runner, repo: Path) -> None:
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "Readme")
    data = json.loads(cli("audit", "--json").stdout)
    assert [e["action"] for e in data["entries"]] == ["repo.init"]


def test_audit_in_a_repository_without_commits(cli: Runner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    result = cli("audit", cwd=empty)
    assert (result.exit_code, result.stderr) == (
        1,
        "error: the repository has no commits yet, so there is no audit trail\n",
    )


@pytest.mark.parametrize(
    ("letter", "signed", "text"),
    [
        ("G", True, "good"),
        ("U", True, "good, untrusted key"),
        ("X", True, "good, signature expired"),
        ("Y", True, "good, key expired"),
        ("R", False, "revoked key"),
        ("B", False, "bad signature"),
        ("E", False, "cannot be checked"),
        ("N", False, "unsigned"),
    ],
)
def test_what_counts_as_signed(letter: str, signed: bool, text: str) -> None:
    from datetime import UTC, datetime

    from mechctl.services.audit import AuditEntry

    entry = AuditEntry("0" * 40, datetime(2026, 1, 1, tzinfo=UTC), "A <a@b>", None, "s", [], letter)
    assert (entry.signed, entry.signature_text) == (signed, text)


def test_a_merge_is_shown_as_a_merge_not_a_hand_edit(
    cli: Runner, repo: Path, mechanism: Callable[..., str]
) -> None:
    mechanism()
    git(repo, "switch", "-q", "-c", "feature")
    assert (
        cli(
            "inspect",
            "wbr",
            "--outcome",
            "on-track",
            "--metric",
            "m=1",
            "--anecdote",
            "a",
            env=at("2037-01-02"),
        ).exit_code
        == 0
    )
    git(repo, "switch", "-q", "main")
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("kind: review", "kind: planning"))
    git(repo, "commit", "-q", "-am", "Kind by hand", env=at("2037-01-03"))
    git(repo, "merge", "-q", "--no-ff", "feature", "-m", "Merge feature", env=at("2037-01-04"))
    audited = json.loads(cli("audit", "--json").stdout)
    assert [(e["action"], e["hand_edit"]) for e in audited["entries"][:3]] == [
        ("merge", False),
        ("edited by hand", True),
        ("mechanism.inspect", False),
    ]
    assert audited["hand_edits"] == 1
    history = json.loads(cli("history", "wbr", "--json").stdout)["entries"]
    assert [
        (e["action"], e["hand_edit"], [c["summary"] for c in e["changes"]]) for e in history[:3]
    ] == [
        ("merge", False, ["inspections[0] added (2037-01-02, on-track)"]),
        ("edited by hand", True, ["kind: review → planning"]),
        ("mechanism.inspect", False, ["inspections[0] added (2037-01-02, on-track)"]),
    ]
