"""The everyday reads before typer loads (cli/fastpath.py): the same bytes and exit codes as
the typer path, for good and bad command lines; typer never imported when it answers; and the
`git diff-files` it starts early (git/proc.py `prestart`) taken only while git's index is as
it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SRC, Runner, git
from mechctl.cli.fastpath import parse
from mechctl.git import proc as git_proc
from mechctl.git.index import DIRTY

NOW = "2026-11-20T12:00:00Z"


def _run(repo: Path, args: list[str], *, fast: bool, cwd: Path | None = None) -> tuple:
    env = {**os.environ, "PYTHONPATH": str(SRC), "MECHCTL_NOW": NOW}
    env.pop("MECHCTL_NO_FASTPATH", None)
    if not fast:
        env["MECHCTL_NO_FASTPATH"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "mechctl", *args],
        cwd=cwd or repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def records(repo: Path, proc: Runner, mechanism) -> Path:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    mechanism("hiring", "bar-raiser", owner="people")
    env = {"MECHCTL_NOW": "2026-11-18T09:00:00Z"}
    for args in (
        ["-m", "wbr", "-t", "Deck missed churn", "-i", "EU churn went unnoticed", "-s", "sev2"],
        ["-m", "hiring", "-t", "Loop ran without a bar raiser", "-i", "Two offers made"],
        ["--failure-mode", "no-mechanism", "-t", "Nobody owns refunds", "-i", "Refunds wait"],
    ):
        done = proc("escalate", *args, env=env)
        assert done.exit_code == 0, done.stderr
    first = sorted((repo / "escalations").rglob("*.yaml"))[0]
    done = proc("escalation", "ack", first.stem, env={"MECHCTL_NOW": "2026-11-19T09:00:00Z"})
    assert done.exit_code == 0, done.stderr
    # A broken record and a hand copy under another name: both skipped with a warning.
    (first.parent / "esc-20261118-broken00.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    shutil.copy(first, first.parent / "esc-20261118-copy0000.yaml")
    (repo / "mechanisms" / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    return first


COMMANDS = [
    ["escalation", "list"],
    ["escalation", "list", "--status", "all"],
    ["escalation", "list", "--status=open", "--json"],
    ["escalation", "list", "--status", "all", "--json", "--limit", "2"],
    ["escalation", "list", "--severity", "sev2", "--mechanism", "wbr"],
    ["escalation", "list", "--failure-mode", "no-mechanism", "--no-pager"],
    ["escalation", "list", "--status", "bogus"],
    ["escalation", "list", "--severity", "sev9"],
    ["escalation", "list", "--limit", "0"],
    ["escalation", "list", "--help"],
    ["--no-pager", "escalation", "list", "--limit=1"],
    ["escalation", "show", "nosuchid"],
    ["mechanism", "list"],
    ["mechanism", "list", "--json"],
    ["mechanism", "list", "--status", "active", "--owner", "people"],
    ["mechanism", "list", "--status", "gone"],
    ["due", "--within", "400"],
    ["due", "--within", "400", "--json", "--fail-on-overdue"],
    ["due", "--within", "-1"],
    ["due", "--limit", "1", "--within=400"],
    ["status"],
    ["status", "--json"],
    ["status", "--team", "finance", "-t", "people"],
    ["status", "--team=nosuch"],
    ["status", "--team"],
]


def test_fast_and_typer_paths_print_the_same(repo: Path, records: Path) -> None:
    shown = records.stem
    lines = [
        *COMMANDS,
        ["escalation", "show", shown],
        ["escalation", "show", "--json", shown],
        ["-C", str(repo), "escalation", "show", shown[-8:]],
        [f"--repo={repo}", "mechanism", "list"],
    ]
    for args in lines:
        fast = _run(repo, args, fast=True)
        slow = _run(repo, args, fast=False)
        assert fast == slow, args
    # Outside a repository, and from a record folder below the root.
    nowhere = repo.parent / "nowhere"
    nowhere.mkdir()
    for args in (["escalation", "list"], ["-C", str(nowhere), "due"]):
        fast = _run(repo, args, fast=True, cwd=nowhere)
        assert fast == _run(repo, args, fast=False, cwd=nowhere), args
        assert fast[0] != 0 and fast[2].startswith("error: "), fast
    below = repo / "escalations"
    assert _run(repo, ["escalation", "list"], fast=True, cwd=below) == _run(
        repo, ["escalation", "list"], fast=False, cwd=below
    )


def test_broken_configuration_is_one_line_on_both_paths(repo: Path, records: Path) -> None:
    (repo / ".mechctl.yaml").write_text("escalation: [\n", encoding="utf-8")
    for args in (["escalation", "list"], ["mechanism", "list"], ["due"]):
        fast = _run(repo, args, fast=True)
        assert fast == _run(repo, args, fast=False), args
        assert fast[0] != 0 and len(fast[2].splitlines()) == 1, fast


_WATCH = """
import sys
from mechctl.cli import main
try:
    main()
finally:
    sys.stderr.write("typer loaded\\n" if "typer" in sys.modules else "")
"""


def test_plain_reads_never_import_typer(repo: Path, records: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "MECHCTL_NOW": NOW}
    env.pop("MECHCTL_NO_FASTPATH", None)

    def loads_typer(*args: str) -> bool:
        done = subprocess.run(
            [sys.executable, "-c", _WATCH, *args],
            cwd=repo,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        return "typer loaded" in done.stderr

    for args in (["escalation", "list"], ["mechanism", "list", "--json"], ["due"], ["status"]):
        assert not loads_typer(*args), args
    assert not loads_typer("escalation", "show", records.stem)
    # What typer must answer loads it.
    assert loads_typer("escalation", "list", "--help")
    assert loads_typer("escalation", "list", "--severity", "sev9")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["escalation"],
        ["escalation", "list", "--help"],
        ["escalation", "list", "-h"],
        ["escalation", "list", "--"],
        ["escalation", "list", "--limit", "0"],
        ["escalation", "list", "--limit", "+3"],
        ["escalation", "list", "--limit"],
        ["escalation", "list", "--mechanism", "--json"],
        ["escalation", "list", "--json=1"],
        ["escalation", "list", "extra"],
        ["escalation", "show"],
        ["escalation", "show", "a", "b"],
        ["escalation", "ack", "x"],
        ["due", "--within", "x"],
        ["mechanism", "list", "--status", "nope"],
        ["-C"],
        ["-Cpath", "due"],
        ["--version"],
        ["lint"],
        ["status", "-t"],
        ["status", "--team", "--json"],
    ],
)
def test_what_the_fast_path_leaves_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def test_what_the_fast_path_parses() -> None:
    found = parse(
        [
            "-C",
            "/r",
            "--no-pager",
            "escalation",
            "list",
            "--status=all",
            "--json",
            "--limit",
            "5",
            "--severity",
            "sev1",
            "--severity",
            "sev2",
        ]
    )
    assert found is not None
    assert (found.form.run, found.repo, found.no_pager) == ("escalation_list", Path("/r"), True)
    assert found.arguments == {"status": "all", "as_json": True, "limit": 5, "severity": "sev2"}
    shown = parse(["escalation", "show", "--json", "ab12"])
    assert shown is not None and shown.arguments == {"as_json": True, "escalation_id": "ab12"}
    due = parse(["due", "--within", "0", "--fail-on-overdue"])
    assert due is not None and due.arguments == {"within": 0, "fail_on_overdue": True}
    mine = parse(["status", "-t", "a", "--team=b", "--json"])
    assert mine is not None and mine.arguments == {"team": ["a", "b"], "as_json": True}


def test_status_with_mechctl_team_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MECHCTL_TEAM", "finance people")
    assert parse(["status"]) is None
    assert parse(["escalation", "list"]) is not None


def test_an_early_diff_files_is_taken_only_while_the_index_is_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    (root / "escalations").mkdir()
    record = root / "escalations" / "a.yaml"
    record.write_text("a: 1\n", encoding="utf-8")
    git(root, "add", "-A")
    old = time.time() - 60
    os.utime(record, (old, old))
    args = [*DIRTY, "escalations"]
    guard = str(root / ".git" / "index")

    git_proc.prestart(args, root, guard)
    early = git_proc._EARLY[(str(root), tuple(args))][0]
    taken = git_proc.start(args, root)
    assert taken is early and not git_proc._EARLY
    assert taken.wait().stdout == b"escalations/a.yaml\0"  # its stat data changed

    git(root, "add", "-A")  # git's index is written anew: the early answer may be stale
    git_proc.prestart(args, root, guard)
    early = git_proc._EARLY[(str(root), tuple(args))][0]
    (root / ".git" / "index").touch()
    os.utime(root / ".git" / "index", (old, old))
    fresh = git_proc.start(args, root)
    assert fresh is not early and not git_proc._EARLY
    assert fresh.wait().stdout == b""
    # Another command, or another folder, never takes it.
    git_proc.prestart(args, root, guard)
    other = git_proc.start([*DIRTY, "mechanisms"], root)
    assert other.wait().stdout == b""
    assert (str(root), tuple(args)) in git_proc._EARLY
    git_proc.stop_early()
    assert not git_proc._EARLY


def test_an_early_diff_files_never_outlives_its_command(repo: Path, records: Path) -> None:
    """In one process, a read that fails before its refresh (a broken configuration) leaves
    nothing started early for a later read to take: that one sees the later hand edit."""
    from mechctl.cli import fastpath

    config = repo / ".mechctl.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text("escalation: [\n", encoding="utf-8")
    assert fastpath.run(["-C", str(repo), "escalation", "list"]) == 2  # a usage error
    assert not git_proc._EARLY
    config.write_text(good, encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["escalation", "list", "--status", "all"],  # the fast path
        ["report"],  # typer, which answers a closed pipe with exit 1 of its own
        ["escalation", "list", "--status", "all", "--help"],
    ],
)
def test_a_closed_pipe_is_silence_and_0(repo: Path, records: Path, args: list[str]) -> None:
    """`mechctl ... | head`: the reader is gone before the first write."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mechctl", *args],
            cwd=repo,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC), "MECHCTL_NOW": NOW},
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == 0, (args, done.stderr)
    # The skipped files' warnings come first; nothing about the pipe follows them.
    assert all(line.startswith("warning: ") for line in done.stderr.splitlines()), done.stderr
