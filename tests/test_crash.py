"""An internal error: one line, exit 3, and a private crash report that follows no planted
link (docs/design.md §4, cli/errors.py)."""

from __future__ import annotations

import os
import platform
import re
import stat
import sys
from pathlib import Path

import pytest

from conftest import Runner, git
from mechctl import __version__

NOW = "2026-11-21T10:00:00Z"
STAMP = "20261121T100000Z"
LINE = re.compile(
    r"error: internal error: RuntimeError: simulated bug \(a bug in mechctl; details in"
    r" (?P<path>\S+); MECHCTL_DEBUG=1 shows the traceback\)\n"
)


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("simulated bug")


@pytest.fixture
def broken_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mechanism list` fails with a bug, once the repository is open."""
    from mechctl.services.mechanism import listing as read

    monkeypatch.setattr(read, "mechanism_rows", _boom)


@pytest.fixture
def broken_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command fails with a bug before it opens a repository."""
    from mechctl.services.core import context

    monkeypatch.setattr(context, "open_workspace", _boom)


def _report(stderr: str) -> Path:
    found = LINE.fullmatch(stderr)
    assert found, stderr
    return Path(found["path"])


def _private(path: Path) -> bool:
    mode = path.lstat().st_mode
    return stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o600


def test_report_in_the_repository_names_the_versions(
    cli: Runner, repo: Path, broken_list: None
) -> None:
    result = cli("mechanism", "list", "--owner", "finance", env={"MECHCTL_NOW": NOW})
    assert (result.exit_code, result.stdout) == (3, "")
    report = _report(result.stderr)
    assert report == repo / ".git" / "mechctl" / "crash" / f"{STAMP}-{os.getpid()}.txt"
    assert _private(report)
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    text = report.read_text()
    git_version = git(repo, "--version").strip()
    python = " ".join(sys.version.split())
    head = text.split("Traceback", 1)[0]
    assert head + "Traceback (most recent call last):\n" == (
        "mechctl crash report\n\n"
        f"mechctl: {__version__}\n"
        f"python: {python}\n"
        f"git: {git_version}\n"
        f"platform: {platform.platform()}\n"
        f"command: mechctl -C {repo} mechanism list --owner finance\n"
        f"time: 2026-11-21T10:00:00+00:00\n\n"
        "Traceback (most recent call last):\n"
    ), text
    assert text.endswith("RuntimeError: simulated bug\n")
    again = cli("mechanism", "list", env={"MECHCTL_NOW": NOW})
    assert _report(again.stderr) == report.with_name(f"{STAMP}-{os.getpid()}-2.txt")
    assert report.read_text() == text  # a report is never overwritten


def test_a_planted_link_is_not_followed(
    cli: Runner, repo: Path, tmp_path: Path, broken_list: None
) -> None:
    crash = repo / ".git" / "mechctl" / "crash"
    crash.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    absent = tmp_path / "absent.txt"
    name = f"{STAMP}-{os.getpid()}"
    (crash / f"{name}.txt").symlink_to(victim)
    (crash / f"{name}-2.txt").symlink_to(absent)  # a dangling link would create its target
    result = cli("mechanism", "list", env={"MECHCTL_NOW": NOW})
    assert result.exit_code == 3
    report = _report(result.stderr)
    assert report == crash / f"{name}-3.txt"
    assert _private(report) and "RuntimeError: simulated bug" in report.read_text()
    assert victim.read_text() == "precious\n"
    assert not absent.exists()
    assert (crash / f"{name}.txt").is_symlink() and (crash / f"{name}-2.txt").is_symlink()


@pytest.mark.parametrize("linked", ["mechctl/crash", "mechctl"])
def test_a_linked_folder_is_not_followed(
    cli: Runner, repo: Path, tmp_path: Path, broken_list: None, linked: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    place = repo / ".git" / linked
    if place.exists():
        os.rename(place, tmp_path / "moved")
    place.parent.mkdir(parents=True, exist_ok=True)
    place.symlink_to(elsewhere, target_is_directory=True)
    state = tmp_path / "state"
    result = cli("mechanism", "list", env={"MECHCTL_NOW": NOW, "XDG_STATE_HOME": str(state)})
    assert result.exit_code == 3
    report = _report(result.stderr)
    assert report == state / "mechctl" / "crash" / f"{STAMP}-{os.getpid()}.txt"
    assert _private(report)
    assert list(elsewhere.rglob("*")) == []


def test_outside_a_repository_the_report_is_in_the_state_folder(
    cli: Runner, outside: Path, tmp_path: Path, broken_open: None
) -> None:
    state = tmp_path / "state"
    result = cli("status", cwd=outside, env={"MECHCTL_NOW": NOW, "XDG_STATE_HOME": str(state)})
    assert result.exit_code == 3
    report = _report(result.stderr)
    assert report == state / "mechctl" / "crash" / f"{STAMP}-{os.getpid()}.txt"
    assert _private(report)
    assert f"command: mechctl -C {outside} status\n" in report.read_text()


def test_without_xdg_state_home_it_is_under_the_home_folder(
    cli: Runner, outside: Path, tmp_path: Path, broken_open: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    result = cli("status", cwd=outside, env={"MECHCTL_NOW": NOW})
    report = _report(result.stderr)
    assert report == home / ".local" / "state" / "mechctl" / "crash" / f"{STAMP}-{os.getpid()}.txt"
    assert _private(report)


def test_a_crash_before_the_repository_opens_finds_it_from_a_worktree(
    cli: Runner, repo: Path, tmp_path: Path, broken_open: None
) -> None:
    worktree = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(worktree))
    result = cli("status", cwd=worktree / "mechanisms", env={"MECHCTL_NOW": NOW})
    report = _report(result.stderr)
    assert report == repo / ".git" / "mechctl" / "crash" / f"{STAMP}-{os.getpid()}.txt"


def test_nowhere_to_write_still_gives_one_line(
    cli: Runner, outside: Path, tmp_path: Path, broken_open: None
) -> None:
    state = tmp_path / "state-file"
    state.write_text("not a folder")
    result = cli("status", cwd=outside, env={"XDG_STATE_HOME": str(state)})
    assert result.exit_code == 3
    assert result.stderr == (
        "error: internal error: RuntimeError: simulated bug"
        " (a bug in mechctl; MECHCTL_DEBUG=1 shows the traceback)\n"
    )


def test_a_real_process_crash(proc: Runner, repo: Path, tmp_path: Path) -> None:
    """Outside CliRunner: a bug planted through Python's own startup hook (sitecustomize)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "from mechctl.services.mechanism import listing as read\n"
        "def boom(*a, **k):\n    raise RuntimeError('simulated bug')\n"
        "read.mechanism_rows = boom\n"
    )
    from conftest import SRC

    result = proc(
        "mechanism", "list", env={"PYTHONPATH": f"{hook}{os.pathsep}{SRC}", "MECHCTL_NOW": NOW}
    )
    assert (result.exit_code, result.stdout) == (3, "")
    report = _report(result.stderr)
    assert report.parent == repo / ".git" / "mechctl" / "crash"
    assert re.fullmatch(rf"{STAMP}-\d+\.txt", report.name)
    assert _private(report)
    assert f"mechctl: {__version__}\n" in report.read_text()
