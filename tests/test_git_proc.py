"""The one git process runner (mechctl.git.proc, docs/design.md §7), against real git.

Its bytes and text forms, the start/wait form, the one error it raises for a failing
command, an interrupted run that still lets git finish, and what the commands say when git
is not on PATH. Plus the rule that nothing else in mechctl starts git.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Runner, git
from mechctl.errors import GitError
from mechctl.git import proc as gitproc
from mechctl.git.repo import Git

SRC = Path(__file__).resolve().parents[1] / "src" / "mechctl"
NOT_INSTALLED = "error: git is not installed or not on PATH\n"
# Bytes that are not UTF-8, a NUL, and a Windows line end: what the text form must not lose.
RAW = b"caf\xe9\x00line\r\nend\n"


def _blob(repo: Path, data: bytes) -> str:
    return gitproc.run(["hash-object", "-w", "--stdin"], repo, input=data).stdout.decode().strip()


def test_bytes_form_returns_git_output_untouched(repo: Path) -> None:
    sha = _blob(repo, RAW)
    done = gitproc.run(["cat-file", "blob", sha], repo)
    assert (done.args, done.returncode, done.stdout, done.stderr) == (
        ("cat-file", "blob", sha),
        0,
        RAW,
        b"",
    )
    assert done.ok


def test_text_form_decodes_utf8_and_replaces_what_is_not(repo: Path) -> None:
    sha = _blob(repo, RAW)
    done = gitproc.run_text(["cat-file", "blob", sha], repo)
    assert done.stdout == "caf\ufffd\x00line\r\nend\n"  # no newline translation either
    assert done.stderr == ""
    assert gitproc.run_text(["hash-object", "--stdin"], repo, input="é\n").stdout == (
        gitproc.run(["hash-object", "--stdin"], repo, input="é\n".encode()).stdout.decode()
    )


def test_batch_output_through_git_object(repo: Path) -> None:
    """`cat-file --batch` for many blobs at once, binary ones included (history, diff, lint)."""
    blobs = {_blob(repo, data): data for data in (RAW, b"", b"\xff" * 70000)}
    read = Git.discover(repo).read_blobs([*blobs, "0" * 40])
    assert read == blobs


def test_start_runs_several_processes_at_once(repo: Path) -> None:
    first = gitproc.start(["hash-object", "--stdin"], repo, input=b"one\n")
    second = gitproc.start(["rev-parse", "--is-inside-work-tree"], repo)
    third = gitproc.start(["cat-file", "-t", "0" * 40], repo)
    assert second.wait().stdout == b"true\n"
    assert first.wait().stdout.strip() == _blob(repo, b"one\n").encode()
    failed = third.wait(check=False)
    assert (failed.returncode, failed.ok) == (128, False)


def test_a_failing_command_is_one_git_error_with_the_fatal_line(repo: Path) -> None:
    with pytest.raises(GitError) as caught:
        gitproc.run_text(["cat-file", "-t", "deadbeef"], repo)
    assert str(caught.value) == "git cat-file failed: Not a valid object name deadbeef"
    with pytest.raises(GitError) as caught:  # the command, not git's options before it
        gitproc.run(["-c", "core.quotePath=false", "cat-file", "-t", "deadbeef"], repo)
    assert str(caught.value) == "git cat-file failed: Not a valid object name deadbeef"


def test_without_check_a_failure_is_returned_and_can_be_raised(repo: Path) -> None:
    done = gitproc.run_text(["cat-file", "-t", "deadbeef"], repo, check=False)
    assert (done.returncode, done.stdout) == (128, "")
    assert done.stderr == "fatal: Not a valid object name deadbeef\n"
    assert done.reason() == "Not a valid object name deadbeef"
    assert str(done.error("no such object")) == "no such object: Not a valid object name deadbeef"
    assert str(done.error(alone=True)) == "Not a valid object name deadbeef"
    with pytest.raises(GitError, match=r"^git cat-file failed: Not a valid object name"):
        done.check()


def test_the_reason_skips_hints_and_prefers_fatal_lines(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hint: ignore me' >&2\necho 'policy: not today' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "new.txt").write_text("x\n")
    with pytest.raises(GitError) as caught:
        Git.discover(repo).commit(["new.txt"], "a change\n")
    assert str(caught.value) == "policy: not today"
    silent = gitproc.Finished(("merge-base", "a", "b"), 1, "", "")
    assert silent.reason() == "git exited with status 1"
    assert silent.reason("no common ancestor") == "no common ancestor"
    noisy = gitproc.Finished(("x",), 1, b"", b"warning: w\nerror: the reason\nfatal: later\n")
    assert noisy.reason("unused") == "the reason"


def test_git_not_on_path(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    with pytest.raises(GitError) as caught:
        gitproc.run(["status"], repo)
    assert str(caught.value) == "git is not installed or not on PATH"


def test_a_missing_folder_is_not_a_missing_git(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        gitproc.run(["status"], tmp_path / "gone")
    assert str(caught.value) == f"cannot run git in {tmp_path / 'gone'}: no such folder"


def test_an_interrupt_lets_git_finish(repo: Path) -> None:
    """Ctrl-C while git commits: the runner waits for git, so no index.lock is left behind
    and the commit either landed or not, never half."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nsleep 1\ntouch '{repo / 'hook-finished'}'\n")
    hook.chmod(0o755)
    (repo / "new.txt").write_text("x\n")
    git(repo, "add", "new.txt")
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            gitproc.run_text(["commit", "-q", "-m", "interrupted"], repo)
    finally:
        timer.cancel()
    assert (repo / "hook-finished").exists()
    assert not (repo / ".git" / "index.lock").exists()
    assert git(repo, "log", "-1", "--format=%s") == "interrupted\n"


@pytest.mark.parametrize(
    "args",
    [
        ["escalation", "list"],
        ["history", "wbr"],
        ["lint"],
        ["escalate", "-m", "wbr", "--title", "t", "--impact", "i"],
    ],
    ids=" ".join,
)
def test_commands_without_git_say_so_in_one_line(
    proc: Runner, mechanism: Callable[..., str], tmp_path: Path, args: list[str]
) -> None:
    mechanism("wbr")
    result = proc(*args, env={"PATH": str(tmp_path / "no-git-here")})
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", NOT_INSTALLED)


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(SRC)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_runner_starts_processes() -> None:
    """git runs through git/proc.py alone; cli/editing.py starts the user's editor and
    cli/pager.py their pager; services/site/search.py runs Pagefind's indexer. (Lint's
    multiprocessing workers are Python, and run git, if at all, through the runner.)"""
    starters = {"subprocess", "pty"}
    os_starters = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"}
    found = set()
    for rel, tree in _modules():
        if _imports(tree) & starters:
            found.add(rel)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and (node.attr in os_starters or node.attr.startswith(("exec", "spawn")))
            ):
                found.add(rel)
    assert found == {"git/proc.py", "cli/editing.py", "cli/pager.py", "services/site/search.py"}


def test_gitpython_is_imported_only_by_git_repo_and_only_lazily() -> None:
    users = {rel for rel, tree in _modules() if "git" in _imports(tree)}
    assert users == {"git/repo.py"}
    repo_tree = dict(_modules())["git/repo.py"]
    at_module_level = {
        name
        for node in repo_tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in _imports(node)
    }
    assert "git" in _imports(repo_tree)  # imported somewhere in the module…
    assert "git" not in at_module_level  # …but inside a function, when it is needed


def test_the_runner_is_cheap_to_import() -> None:
    code = (
        "import sys, mechctl.git.proc;"
        " print(sorted(m for m in ('git', 'pydantic', 'ruamel.yaml', 'typer', 'rich')"
        " if m in sys.modules))"
    )
    child = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(SRC.parent)},
    )
    assert child.stdout == "[]\n"
