"""Shared fixtures: isolated git, a template repository copied per test, and runners.

Tiers (STYLE.md): services against real temporary git repositories; the CLI through typer's
CliRunner (`cli`); a few end-to-end runs of `python -m mechctl` in a subprocess (`proc`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def spawn(
    repo: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: int = 30,
    unset: tuple[str, ...] = (),
) -> Any:
    """`mechctl ARGS` in `repo` under a pseudo-terminal (pexpect), as a person runs it;
    `unset`: variables of this environment the child must not see unless `env` sets them."""
    import pexpect

    full = {k: v for k, v in os.environ.items() if k not in unset}
    full.update({"PYTHONPATH": str(SRC), "TERM": "dumb", **(env or {})})
    return pexpect.spawn(
        sys.executable,
        ["-m", "mechctl", *args],
        cwd=str(repo),
        env=full,
        encoding="utf-8",
        timeout=timeout,
        dimensions=(40, 200),
    )


_ISOLATION: Path | None = None
_CLEARED = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_DATE",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "EDITOR",
    "VISUAL",
    "GIT_EDITOR",
    "MECHCTL_DEBUG",
    "MECHCTL_NOW",
    "EMAIL",
    # A developer's or a runner's own GitHub must never be reached from a test.
    "GITHUB_TOKEN",
    "GITHUB_API_URL",
    "GITHUB_EVENT_PATH",
    "GITHUB_REPOSITORY",
    "GITHUB_ACTIONS",
)


def pytest_configure(config: pytest.Config) -> None:
    """Every git command in the test process sees one throwaway global config."""
    global _ISOLATION
    _ISOLATION = Path(tempfile.mkdtemp(prefix="mechctl-tests-"))
    home = _ISOLATION / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n"
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_COLOR": "1",
            "COLUMNS": "200",
            "MECHCTL_INDEX_LOCK_WAIT": "2",
        }
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _ISOLATION is not None:
        shutil.rmtree(_ISOLATION, ignore_errors=True)


# -- helpers -------------------------------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def committed_files(repo: Path, rev: str = "HEAD") -> list[str]:
    """The files a commit touched, as `git show --name-only` lists them."""
    out = git(repo, "show", "--name-only", "--format=", rev)
    return [line for line in out.splitlines() if line]


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def trailers(repo: Path, rev: str = "HEAD") -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    pairs = [line.split(": ", 1) for line in out.splitlines() if ": " in line]
    return {key: value for key, value in pairs}


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain=v1", "--untracked-files=all")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Result(exit={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised mechctl repository, built once per worker and copied into each test."""
    from mechctl.services.init import init_repository

    path = tmp_path_factory.mktemp("template") / "repo"
    init_repository(path)
    return path


@pytest.fixture
def repo(_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of an initialised mechctl repository (one commit: `mechctl init`)."""
    target = tmp_path / "repo"
    shutil.copytree(_template, target, symlinks=True)
    return target


Runner = Callable[..., Result]


@pytest.fixture
def cli(repo: Path) -> Runner:
    """Run mechctl in-process through typer's CliRunner, in `repo` (via -C) by default."""
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    def run(
        *args: str,
        input: str | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        target = cwd if cwd is not None else repo
        result = CliRunner().invoke(app, ["-C", str(target), *args], input=input, env=env)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def proc(repo: Path) -> Runner:
    """Run `python -m mechctl` as a real process, in `repo` by default."""

    def run(
        *args: str,
        input: str | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Result:
        full_env = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "mechctl", *args],
            cwd=cwd or repo,
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def mechanism(cli: Runner) -> Callable[..., str]:
    """Create a mechanism from a template (active by default) and return its id."""

    def make(
        mechanism_id: str = "wbr",
        template: str = "wbr",
        owner: str = "finance",
        active: bool = True,
    ) -> str:
        made = cli("mechanism", "new", mechanism_id, "--template", template, "--owner", owner)
        assert made.exit_code == 0, made
        if active:
            done = cli("mechanism", "activate", mechanism_id)
            assert done.exit_code == 0, done
        return mechanism_id

    return make


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A folder that is not inside any git repository."""
    path = tmp_path / "plain"
    path.mkdir()
    yield path
