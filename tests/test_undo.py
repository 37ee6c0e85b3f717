"""`mechctl undo`: revert the last mechctl commit with a new commit, or refuse and say why."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SRC, Runner, commit_count, committed_files, git, status, trailers

SET = ("mechanism", "set", "wbr", "tool.steps[]=Publish the notes", "--why", "Readers asked")


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _plan_line(repo: Path, verb: str, subject: str, action: str, record: str) -> str:
    sha = _head(repo)
    day = git(
        repo, "log", "-1", "--date=format-local:%Y-%m-%d %H:%M", "--format=%ad", env={"TZ": "UTC"}
    ).strip()
    return f'{verb}: {sha[:10]} "{subject}" ({action} on {record}, by Test User, {day} UTC)\n'


@pytest.fixture
def changed(cli: Runner, repo: Path, mechanism: Callable[..., str]) -> str:
    """An active WBR, then one definition change; returns the text before that change."""
    mechanism()
    before = (repo / "mechanisms" / "wbr.yaml").read_text()
    assert cli(*SET).exit_code == 0
    return before


def test_undo_reverts_the_last_mechctl_commit(cli: Runner, repo: Path, changed: str) -> None:
    reverted = _head(repo)
    plan = _plan_line(repo, "undo", "mechanism set: wbr v2", "mechanism.set", "wbr")
    count = commit_count(repo)
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert result.stderr == (
        plan + "  files: mechanisms/wbr.yaml\n"
        f"reverted {reverted[:10]} with a new commit, {_head(repo)[:10]}\n"
    )
    assert commit_count(repo) == count + 1
    assert committed_files(repo) == ["mechanisms/wbr.yaml"]
    assert (repo / "mechanisms" / "wbr.yaml").read_text() == changed
    assert git(repo, "log", "-1", "--format=%B") == (
        "undo: mechanism set: wbr v2\n\n"
        f"Reverts {reverted} (mechanism.set).\n\n"
        "Mechctl-Action: undo\nMechctl-Record: wbr\n"
        f"Mechctl-Reverts: {reverted}\n\n"
    )
    assert trailers(repo) == {
        "Mechctl-Action": "undo",
        "Mechctl-Record": "wbr",
        "Mechctl-Reverts": reverted,
    }
    assert status(repo) == ""
    assert not (repo / ".git" / "REVERT_HEAD").exists()


def test_undo_of_a_new_record_removes_it_and_undo_again_redoes(cli: Runner, repo: Path) -> None:
    made = cli(
        "mechanism", "new", "demo", "--title", "Demo", "--owner", "finance", "--problem", "P"
    )
    assert made.exit_code == 0
    text = (repo / "mechanisms" / "demo.yaml").read_text()
    assert cli("undo", "--yes").exit_code == 0
    assert not (repo / "mechanisms" / "demo.yaml").exists()
    assert committed_files(repo) == ["mechanisms/demo.yaml"]
    undo_subject = "undo: mechanism new: demo (Demo)"
    plan = _plan_line(repo, "redo (undo the undo)", undo_subject, "undo", "demo")
    again = cli("undo", "--yes")
    assert again.exit_code == 0, again
    assert again.stderr.startswith(plan)
    assert (repo / "mechanisms" / "demo.yaml").read_text() == text
    assert git(repo, "log", "-1", "--format=%s").strip() == f"undo: {undo_subject}"


def test_the_users_other_work_is_left_as_it_was(cli: Runner, repo: Path, changed: str) -> None:
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    (repo / ".mechctl.yaml").write_text((repo / ".mechctl.yaml").read_text() + "# local\n")
    (repo / "untracked.txt").write_text("u\n")
    result = cli("undo", "--yes")
    assert result.exit_code == 0, result
    assert committed_files(repo) == ["mechanisms/wbr.yaml"]
    assert status(repo) == " M .mechctl.yaml\nA  staged.txt\n?? untracked.txt\n"


def test_without_a_terminal_undo_needs_yes(cli: Runner, repo: Path, changed: str) -> None:
    head = _head(repo)
    plan = _plan_line(repo, "undo", "mechanism set: wbr v2", "mechanism.set", "wbr")
    result = cli("undo")
    assert result.exit_code == 2
    assert result.stderr == (
        plan + "  files: mechanisms/wbr.yaml\n"
        "error: undo needs confirmation: run it on a terminal, or pass --yes\n"
    )
    assert _head(repo) == head


def test_on_a_terminal_undo_asks(repo: Path, changed: str) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    head = _head(repo)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mechctl", "undo"],
        cwd=str(repo),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"Revert this commit\? \[y/N\]: ")
    child.sendline("n")
    child.expect("cancelled; nothing was changed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert _head(repo) == head
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mechctl", "undo"],
        cwd=str(repo),
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"\[y/N\]: ")
    child.sendline("y")
    child.expect(f"reverted {head[:10]} with a new commit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert trailers(repo)["Mechctl-Reverts"] == head


def test_refuses_when_head_is_not_a_mechctl_commit(cli: Runner, repo: Path, changed: str) -> None:
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text().replace("kind: review", "kind: planning"))
    git(repo, "commit", "-q", "-am", "Hand edit")
    head = _head(repo)
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: HEAD ({head[:10]} 'Hand edit') is not a mechctl commit (it has no"
        " Mechctl-Action trailer); undo only reverts mechctl's own last change\n"
        "hint: to revert another commit, use `git revert <commit>`\n"
    )
    assert _head(repo) == head


def test_refuses_when_the_record_changed_since(cli: Runner, repo: Path, changed: str) -> None:
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text() + "# my note\n")
    edited = path.read_text()
    head = _head(repo)
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: the record changed since {head[:10]}: mechanisms/wbr.yaml has uncommitted"
        " edits that undo would overwrite\n"
        "hint: commit or stash them first (`git stash push -- <file>`)\n"
    )
    assert path.read_text() == edited
    assert _head(repo) == head


def test_refuses_when_the_record_has_staged_changes(cli: Runner, repo: Path, changed: str) -> None:
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text() + "# my note\n")
    git(repo, "add", "mechanisms/wbr.yaml")
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mechanisms/wbr.yaml has staged changes; undo will not mix them into its commit\n"
        "hint: commit them, or unstage them with `git restore --staged mechanisms/wbr.yaml`\n"
    )
    assert status(repo) == "M  mechanisms/wbr.yaml\n"


def test_refuses_to_overwrite_an_ignored_file(cli: Runner, repo: Path) -> None:
    assert (
        cli(
            "mechanism", "new", "demo", "--title", "D", "--owner", "finance", "--problem", "P"
        ).exit_code
        == 0
    )
    assert cli("undo", "--yes").exit_code == 0  # removes mechanisms/demo.yaml
    (repo / ".git" / "info" / "exclude").write_text("mechanisms/demo.yaml\n")
    (repo / "mechanisms" / "demo.yaml").write_text("my private notes\n")
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the record changed since ")
    assert (repo / "mechanisms" / "demo.yaml").read_text() == "my private notes\n"


def test_refuses_when_git_cannot_revert_and_changes_nothing(cli: Runner, repo: Path) -> None:
    assert (
        cli(
            "mechanism", "new", "demo", "--title", "D", "--owner", "finance", "--problem", "P"
        ).exit_code
        == 0
    )
    assert cli("undo", "--yes").exit_code == 0  # removes mechanisms/demo.yaml
    # A required smudge filter that fails: git cannot write the file back.
    (repo / ".git" / "info" / "attributes").write_text("mechanisms/*.yaml filter=boom\n")
    git(repo, "config", "filter.boom.smudge", "false")
    git(repo, "config", "filter.boom.clean", "cat")
    git(repo, "config", "filter.boom.required", "true")
    head = _head(repo)
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        f"error: cannot undo {head[:10]}: git could not revert it ("
    )
    assert result.stderr.endswith("); nothing was changed\n")
    assert _head(repo) == head
    assert status(repo) == ""
    assert not (repo / "mechanisms" / "demo.yaml").exists()
    assert not (repo / ".git" / "REVERT_HEAD").exists()


def test_a_refused_commit_restores_everything(cli: Runner, repo: Path, changed: str) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    after = (repo / "mechanisms" / "wbr.yaml").read_text()
    head = _head(repo)
    result = cli("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "error: commit failed, nothing was changed: policy: no commits today",
        "hint: retry with: mechctl undo --yes",
    ]
    assert _head(repo) == head
    assert (repo / "mechanisms" / "wbr.yaml").read_text() == after
    assert status(repo) == "A  staged.txt\n"
    assert not (repo / ".git" / "REVERT_HEAD").exists()


def test_refuses_the_first_commit_a_merge_and_an_empty_repository(
    cli: Runner, repo: Path, tmp_path: Path
) -> None:
    first = cli("undo", "--yes")
    assert first.exit_code == 1
    assert first.stderr == (
        f"error: HEAD ({_head(repo)[:10]} 'mechctl init') is the repository's first commit;"
        " there is nothing before it to go back to\n"
    )
    git(repo, "switch", "-q", "-c", "side")
    (repo / "side.txt").write_text("side\n")
    git(repo, "add", "side.txt")
    git(repo, "commit", "-q", "-m", "side")
    git(repo, "switch", "-q", "main")
    (repo / "main.txt").write_text("main\n")
    git(repo, "add", "main.txt")
    git(repo, "commit", "-q", "-m", "main")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "side",
        "-m",
        "merge side\n\nMechctl-Action: sync\nMechctl-Record: -",
    )
    merge = cli("undo", "--yes")
    assert merge.exit_code == 1
    assert merge.stderr == (
        f"error: HEAD ({_head(repo)[:10]} 'merge side') is a merge commit; undo reverts single"
        " changes only\n"
    )
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    none = cli("undo", "--yes", cwd=empty)
    assert (none.exit_code, none.stderr) == (
        1,
        "error: the repository has no commits; there is nothing to undo\n",
    )
