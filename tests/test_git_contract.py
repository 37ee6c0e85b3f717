"""docs/design.md §5: one commit holds exactly the touched files; nothing of the user's is lost."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from conftest import Runner, commit_count, committed_files, git, status, trailers

NEW = ("mechanism", "new", "demo", "--title", "Demo", "--owner", "finance", "--problem", "P")


def _hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def test_commit_holds_exactly_the_record_and_trailers(cli: Runner, repo: Path) -> None:
    result = cli(*NEW)
    assert result.exit_code == 0, result
    assert result.stdout == "demo\n"
    assert committed_files(repo) == ["mechanisms/demo.yaml"]
    assert trailers(repo) == {"Mechctl-Action": "mechanism.create", "Mechctl-Record": "demo"}
    assert git(repo, "log", "-1", "--format=%s").strip() == "mechanism new: demo (Demo)"
    text = (repo / "mechanisms" / "demo.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/mechanism.schema.json\n")


def test_unrelated_staged_and_unstaged_work_is_left_alone(cli: Runner, repo: Path) -> None:
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    (repo / ".mechctl.yaml").write_text((repo / ".mechctl.yaml").read_text() + "# local\n")
    (repo / "untracked.txt").write_text("u\n")
    result = cli(*NEW)
    assert result.exit_code == 0, result
    assert committed_files(repo) == ["mechanisms/demo.yaml"]
    assert status(repo) == " M .mechctl.yaml\nA  staged.txt\n?? untracked.txt\n"


def test_refuses_when_target_file_has_uncommitted_edits(cli: Runner, repo: Path) -> None:
    assert cli(*NEW).exit_code == 0
    path = repo / "mechanisms" / "demo.yaml"
    path.write_text(path.read_text() + "# my local note\n")
    before = path.read_text()
    head = git(repo, "rev-parse", "HEAD")
    result = cli("mechanism", "set", "demo", "title=Other", "--why", "rename")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mechanisms/demo.yaml has uncommitted changes; mechctl will not overwrite them\n"
        "hint: commit or stash them first (`git stash push -- <file>`)\n"
    )
    assert path.read_text() == before
    assert git(repo, "rev-parse", "HEAD") == head


def test_rejecting_hook_restores_tree_and_saves_draft(cli: Runner, repo: Path) -> None:
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    _hook(repo, "pre-commit", "echo 'policy: no commits today' >&2\nexit 1\n")
    count = commit_count(repo)
    result = cli(*NEW)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "error: commit failed, nothing was changed: policy: no commits today;"
        " your input is saved in "
    )
    draft = Path(lines[0].rsplit("saved in ", 1)[1])
    draft = draft if draft.is_absolute() else Path.cwd() / draft
    assert draft.is_file()
    assert "title: Demo" in draft.read_text()
    assert lines[1] == (
        "hint: retry with: mechctl mechanism new demo --owner finance --title Demo --problem P"
    )
    assert commit_count(repo) == count
    assert not (repo / "mechanisms" / "demo.yaml").exists()
    assert status(repo) == "A  staged.txt\n"


def test_rejecting_hook_on_existing_file_restores_content(cli: Runner, repo: Path) -> None:
    assert cli(*NEW).exit_code == 0
    path = repo / "mechanisms" / "demo.yaml"
    before = path.read_text()
    _hook(repo, "commit-msg", "exit 1\n")
    result = cli("mechanism", "set", "demo", "title=Other", "--why", "rename")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: commit failed, nothing was changed: ")
    assert path.read_text() == before
    assert status(repo) == ""


def test_gpgsign_without_key_restores_tree_and_saves_draft(cli: Runner, repo: Path) -> None:
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", str(repo / "no-such-gpg"))
    result = cli(*NEW)
    assert result.exit_code == 1
    assert "error: commit failed, nothing was changed: " in result.stderr
    assert "your input is saved in " in result.stderr
    assert not (repo / "mechanisms" / "demo.yaml").exists()
    assert status(repo) == ""


def test_no_identity(cli: Runner, repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    result = cli(*NEW, env={"GIT_CONFIG_GLOBAL": str(empty)})
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "error: git identity is not set (user.name, user.email missing); mechctl records who"
        " made each change"
    )
    assert status(repo) == ""


def test_detached_head(cli: Runner, repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    result = cli(*NEW)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: HEAD is detached; mechctl commits only on a branch\n"
        "hint: run `git switch <branch>` (or `git switch -c <new-branch>`) first\n"
    )


@pytest.mark.parametrize(
    ("marker", "what"), [("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase")]
)
def test_merge_or_rebase_in_progress(cli: Runner, repo: Path, marker: str, what: str) -> None:
    target = repo / ".git" / marker
    if marker == "MERGE_HEAD":
        target.write_text(git(repo, "rev-parse", "HEAD"))
    else:
        target.mkdir()
    result = cli(*NEW)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {what} is in progress; finish or abort it before mechctl commits\n"
    )
    assert not (repo / "mechanisms" / "demo.yaml").exists()


def test_busy_index_lock_is_retried(cli: Runner, repo: Path) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    threading.Timer(0.4, lock.unlink).start()
    result = cli(*NEW)
    assert result.exit_code == 0, result
    assert committed_files(repo) == ["mechanisms/demo.yaml"]


def test_stuck_index_lock_gives_clear_error(cli: Runner, repo: Path) -> None:
    (repo / ".git" / "index.lock").write_text("")
    started = time.monotonic()
    result = cli(*NEW)
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert "git's index is locked" in result.stderr
    assert "if none is running, remove that file" in result.stderr
    assert not (repo / "mechanisms" / "demo.yaml").exists()


def test_commit_in_repo_with_no_commits(cli: Runner, outside: Path) -> None:
    target = outside / "fresh"
    target.mkdir()
    git(target, "init", "-q")
    (target / "keep.txt").write_text("k\n")
    git(target, "add", "keep.txt")
    result = cli(*NEW, cwd=target)
    assert result.exit_code == 0, result
    assert committed_files(target) == ["mechanisms/demo.yaml"]
    assert status(target) == "A  keep.txt\n"


def test_end_to_end_process(proc: Runner, repo: Path) -> None:
    result = proc(*NEW)
    assert (result.exit_code, result.stdout) == (0, "demo\n")
    assert committed_files(repo) == ["mechanisms/demo.yaml"]
    listed = proc("mechanism", "list", "--json")
    assert listed.exit_code == 0
    assert [m["id"] for m in json.loads(listed.stdout)] == ["demo"]
    assert os.linesep == "\n"
