"""The one derived index (.git/mechctl/index.sqlite, docs/design.md §7): it never changes a
result, whatever happens to the work tree, git's index, the branch or the configuration; it
is safe under concurrent runs, rebuilt when corrupt or of another version; and one broken
record file hides no other."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SRC, Runner, commit_count, git
from lintkit import commit, esc_text, write

NOW = {"MECHCTL_NOW": "2026-11-25T12:00:00Z"}
DAYS = ((18, "aaaaaaaa"), (20, "bbbbbbbb"), (21, "cccccccc"), (22, "dddddddd"))
IDS = [f"esc-202611{day:02d}-{suffix}" for day, suffix in DAYS]
STATUSES = ["open", "acknowledged", "resolved", "closed"]
READS: list[list[str]] = [
    ["escalation", "list"],
    ["escalation", "list", "--json"],
    ["escalation", "list", "--status", "all"],
    ["escalation", "list", "--status", "all", "--json"],
    ["escalation", "show", IDS[1], "--json"],
    ["escalation", "show", IDS[2]],
    ["escalation", "show", "bbbb", "--json"],  # an abbreviation of the random part
    ["escalation", "show", "esc-2026112"],  # ambiguous, or unknown when all are gone
    ["mechanism", "list"],
    ["status", "--json"],
    ["status"],
    ["due", "--json"],
    ["report", "--format", "json"],
    ["report"],
    ["lint", "--format", "json"],
]


def _reads(cli: Runner) -> list[tuple[int, str, str]]:
    runs = [cli(*args, env=NOW) for args in READS]
    return [(run.exit_code, run.stdout, run.stderr) for run in runs]


def _run(where: Path, args: list[str]) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    result = CliRunner().invoke(app, ["-C", str(where), *args], env=NOW)
    return (result.exit_code, result.stdout, result.stderr)


def _index(repo: Path) -> Path:
    return repo / ".git" / "mechctl" / "index.sqlite"


def _drop_index(repo: Path) -> None:
    for path in (repo / ".git" / "mechctl").glob("index.sqlite*"):
        path.unlink()


def _rel(esc_id: str, month: str = "11") -> str:
    return f"escalations/2026/{month}/{esc_id}.yaml"


@pytest.fixture
def seeded(repo: Path, mechanism) -> Path:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    mechanism("prfaq", "prfaq")
    for n, esc_id in enumerate(IDS):
        write(repo, _rel(esc_id), esc_text(esc_id, status=STATUSES[n], severity=f"sev{n + 1}",
                                           mechanism="wbr" if n % 2 == 0 else "prfaq"))  # fmt: skip
    commit(repo)
    return repo


# -- the index never changes a result ------------------------------------------------------


def _step(repo: Path, action: str, n: int, m: int) -> None:
    files = sorted(p for p in (repo / "escalations").rglob("*.yaml"))
    target = files[n % len(files)] if files else None
    if action == "edit" and target is not None:
        text = target.read_text(encoding="utf-8", errors="surrogateescape")
        target.write_text(text.replace(f"status: {STATUSES[m % 4]}", f"status: {STATUSES[n % 4]}")
                          .replace("severity: sev", f"severity: sev{1 + m % 4}\n#", 1),
                          encoding="utf-8", errors="surrogateescape")  # fmt: skip
    elif action == "title" and target is not None:
        text = target.read_text(encoding="utf-8", errors="surrogateescape")
        target.write_text(text.replace("title: ", f"title: Edit {m} ", 1), encoding="utf-8",
                          errors="surrogateescape")  # fmt: skip
    elif action == "copy" and target is not None:
        (target.parent / f"esc-20261120-copy{m % 10:04d}.yaml").write_bytes(target.read_bytes())
    elif action == "move" and target is not None:
        other = repo / "escalations" / "2026" / ("10" if target.parent.name != "10" else "11")
        other.mkdir(parents=True, exist_ok=True)
        target.rename(other / target.name)
    elif action == "rename" and target is not None:
        target.rename(target.parent / f"esc-20261123-ren{m % 10:05d}.yaml")
    elif action == "delete" and target is not None:
        target.unlink()
    elif action == "invalid" and target is not None:
        target.write_bytes(b"id: [unclosed\n\xff\xfe" if m % 2 else b"status: nonsense\n")
    elif action == "mechanism":
        mech = repo / "mechanisms" / "prfaq.yaml"
        text = mech.read_text(encoding="utf-8")
        if m % 2:
            mech.write_text(text.replace("owner: ", "owner: Not A Team ", 1), encoding="utf-8")
        else:
            mech.write_text(text.replace("status: active", "status: retired", 1))
    elif action == "config":
        config = repo / ".mechctl.yaml"
        text = config.read_text(encoding="utf-8")
        if "levels:" in text and m % 2:
            config.write_text(text + "\n# a comment changes the bytes, not the levels\n")
        else:
            config.write_text(text.replace("levels: [", "levels: [board, ", 1)
                              if m % 3 == 0 else text + f"\n# edit {m}\n")  # fmt: skip
    elif action == "commit":
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"step {m}", "--allow-empty")
    elif action == "branch":
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"before switching {m}", "--allow-empty")
        current = git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
        if current == "side":
            git(repo, "checkout", "-q", "-")
        else:
            git(repo, "checkout", "-q", "-B", "side", "HEAD~1" if m % 2 else "HEAD")


ACTIONS = ["edit", "title", "copy", "move", "rename", "delete", "invalid", "mechanism", "config",
           "commit", "branch"]  # fmt: skip


@settings(
    max_examples=int(os.environ.get("MECHCTL_INDEX_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=6,
    )
)
def test_the_index_never_changes_a_result(
    cli: Runner, seeded: Path, steps: list[tuple[str, int, int]]
) -> None:
    repo = seeded
    work = repo.parent / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(repo, work, symlinks=True)
    try:
        for args in READS:  # the index made before the first step
            _run(work, args)
        for action, n, m in steps:
            _step(work, action, n, m)
            warm = [_run(work, args) for args in READS]
            cold = []
            for args in READS:  # each with no .git/mechctl/ at all
                shutil.rmtree(work / ".git" / "mechctl", ignore_errors=True)
                cold.append(_run(work, args))
            for args, hot, fresh in zip(READS, warm, cold, strict=True):
                assert hot == fresh, (action, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- defects the index fixes ----------------------------------------------------------------


def test_a_copied_record_is_skipped_warm_as_cold(cli: Runner, seeded: Path) -> None:
    repo = seeded
    source = repo / _rel(IDS[0])
    shutil.copy(source, repo / "escalations/2026/11/esc-20261118-zzzzzzzz.yaml")
    expected = (
        "warning: skipped escalations/2026/11/esc-20261118-zzzzzzzz.yaml:1:5: id"
        " 'esc-20261118-aaaaaaaa' does not match the file name 'esc-20261118-zzzzzzzz'"
        " (run `mechctl lint`)\n"
    )
    for _ in range(3):  # cold, then warm twice
        listed = cli("escalation", "list", "--json", env=NOW)
        assert listed.exit_code == 0
        assert listed.stderr == expected
        assert [row["id"] for row in json.loads(listed.stdout)] == [IDS[0], IDS[1]]
        report = json.loads(cli("report", "--format", "json", env=NOW).stdout)
        assert report["records"]["invalid_files"] == 1


def test_a_broken_mechanism_hides_no_other(cli: Runner, seeded: Path) -> None:
    (seeded / "mechanisms" / "broken.yaml").write_text("id: broken\ntitle: [\n")
    listed = cli("mechanism", "list", "--json")
    assert listed.exit_code == 0
    assert [m["id"] for m in json.loads(listed.stdout)] == ["prfaq", "wbr"]
    assert listed.stderr.startswith("warning: skipped mechanisms/broken.yaml:")
    assert listed.stderr.endswith(" (run `mechctl lint`)\n")
    assert listed.stderr.count("\n") == 1
    due = cli("due", "--json", env=NOW)
    assert due.exit_code == 0 and due.stderr == listed.stderr
    status = cli("status", "--json", env=NOW)
    assert status.exit_code == 0 and status.stderr == listed.stderr


def test_past_twenty_bad_files_one_line_counts_the_rest(cli: Runner, seeded: Path) -> None:
    for n in range(23):
        write(seeded, f"mechanisms/bad-{n:02d}.yaml", "status: [\n")
    listed = cli("mechanism", "list")
    lines = listed.stderr.splitlines()
    assert listed.exit_code == 0
    assert len(lines) == 21
    assert all(line.startswith("warning: skipped mechanisms/bad-") for line in lines[:20])
    assert lines[20] == "warning: skipped 3 more invalid files (run `mechctl lint`)"


def test_escalate_on_a_terminal_offers_the_valid_mechanisms(seeded: Path, cli: Runner) -> None:
    (seeded / "mechanisms" / "broken.yaml").write_text("id: broken\nstatus: [\n")
    before = commit_count(seeded)
    env = {**os.environ, "PYTHONPATH": str(SRC), "TERM": "dumb"}
    child = pexpect.spawn(
        sys.executable, ["-m", "mechctl", "escalate"], cwd=str(seeded), env=env,
        encoding="utf-8", timeout=30, dimensions=(40, 200),
    )  # fmt: skip
    child.expect("warning: skipped mechanisms/broken.yaml:")
    child.expect("Which mechanism failed\\? Known: prfaq, wbr")
    child.expect("Mechanism \\(empty if no mechanism exists for this\\): ")
    child.sendline("wbr")
    child.expect("What went wrong: ")
    child.sendline("Deck missed churn")
    child.expect("Impact on customers: ")
    child.sendline("EU churn went unnoticed")
    child.expect("esc-\\d{8}-[a-z2-7]{8}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert commit_count(seeded) == before + 1


# -- the store itself -----------------------------------------------------------------------


def test_a_corrupt_index_is_rebuilt(cli: Runner, seeded: Path) -> None:
    expected = _reads(cli)
    index = _index(seeded)
    for side in index.parent.glob("index.sqlite-*"):
        side.unlink()
    index.write_bytes(b"not a database at all" * 200)
    assert _reads(cli) == expected
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (6,)


def test_an_index_of_an_older_version_is_made_again(cli: Runner, seeded: Path) -> None:
    expected = _reads(cli)
    with sqlite3.connect(_index(seeded)) as db:
        db.execute("UPDATE meta SET value = '\"0\"' WHERE name = 'version'")
        db.execute("UPDATE files SET record = '{\"id\": \"planted\"}' WHERE kind = 'escalation'")
    assert _reads(cli) == expected
    with sqlite3.connect(_index(seeded)) as db:
        assert db.execute(
            "SELECT count(*) FROM files WHERE record LIKE '%planted%'"
        ).fetchone() == (0,)


def test_a_checkout_of_another_branch_is_seen(cli: Runner, seeded: Path) -> None:
    git(seeded, "checkout", "-q", "-b", "side")
    (seeded / _rel(IDS[0])).unlink()
    commit(seeded, "drop one")
    on_side = json.loads(cli("escalation", "list", "--status", "all", "--json").stdout)
    git(seeded, "checkout", "-q", "-")
    on_main = json.loads(cli("escalation", "list", "--status", "all", "--json").stdout)
    assert [r["id"] for r in on_side] == IDS[1:]
    assert [r["id"] for r in on_main] == IDS


def test_concurrent_readers_and_writers(cli: Runner, seeded: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), **NOW}
    expected = cli("escalation", "list", "--status", "all", "--json", env=NOW).stdout
    _drop_index(seeded)

    def start(*args: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "mechctl", *args]
        return subprocess.Popen(command, cwd=seeded, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip

    readers = [start("escalation", "list", "--status", "all", "--json") for _ in range(3)]
    writer = start("escalate", "-m", "wbr", "-t", "Raised meanwhile", "-i", "I")
    results = [run.communicate(timeout=120) for run in readers]
    written, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    raised = written.strip()
    for run, (out, err) in zip(readers, results, strict=True):
        assert run.returncode == 0 and err == ""
        ids = [row["id"] for row in json.loads(out)]
        # each reader saw the repository before or after the escalation, never half of it
        assert ids in ([r["id"] for r in json.loads(expected)], sorted([*IDS, raised]))
    after = cli("escalation", "list", "--status", "all", "--json", env=NOW).stdout
    assert raised in [row["id"] for row in json.loads(after)]
    _drop_index(seeded)
    assert cli("escalation", "list", "--status", "all", "--json", env=NOW).stdout == after


def _aged(repo: Path) -> None:
    """Every record file last changed a minute ago: checked now, its row is then vouched
    for by its stat data alone (services/core/index/point.py)."""
    past = time.time() - 60
    for path in [*(repo / "escalations").rglob("*.yaml"), *(repo / "mechanisms").glob("*")]:
        os.utime(path, (past, past))
    for folder in [repo / "escalations", *(repo / "escalations").rglob("*"), repo / "mechanisms"]:
        if folder.is_dir():
            os.utime(folder, (past, past))


SHOWS = [["escalation", "show", IDS[1]], ["escalation", "show", "bbbb", "--json"],
         ["escalation", "show", "esc-2026112"], ["escalation", "show", "zzzz"]]  # fmt: skip


def _shows(cli: Runner) -> list[tuple[int, str, str]]:
    runs = [cli(*args, env=NOW) for args in SHOWS]
    return [(run.exit_code, run.stdout, run.stderr) for run in runs]


def test_show_reads_one_row_and_sees_every_change(cli: Runner, seeded: Path) -> None:
    repo = seeded
    _aged(repo)
    cli("escalation", "list", env=NOW)  # the index, with every row vouched for
    steps: list[Callable[[], object]] = [
        lambda: None,
        # The same size and mtime, other bytes: the ctime tells.
        lambda: _same_stat_edit(repo / _rel(IDS[1])),
        lambda: (repo / _rel(IDS[1])).write_text("not: [valid", encoding="utf-8"),
        lambda: shutil.copy(repo / _rel(IDS[2]), repo / _rel("esc-20261130-bbbbzzzz")),
        lambda: (repo / _rel(IDS[1])).unlink(),
        lambda: (repo / _rel("esc-20261130-bbbbzzzz")).unlink(),
    ]
    for step in steps:
        step()
        warm = _shows(cli)
        _drop_index(repo)
        cold = _shows(cli)
        assert warm == cold
        _aged(repo)
        cli("escalation", "list", env=NOW)
        assert _shows(cli) == cold  # now from the rows alone
    assert cold[0][0] != 0 and "no escalation" in cold[0][2]


def _same_stat_edit(path: Path) -> None:
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    path.write_text(text.replace("title: ", "title: X", 1)[:-1], encoding="utf-8")
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_the_first_index_removes_what_earlier_versions_kept(cli: Runner, seeded: Path) -> None:
    kept = seeded / ".git" / "mechctl"
    _drop_index(seeded)
    old = ["cache.sqlite", "cache.sqlite-wal", "facts/abc/escalation-x.json", "drafts/d.yaml"]
    for name in old:
        (kept / name).parent.mkdir(parents=True, exist_ok=True)
        (kept / name).write_bytes(b"old")
    assert cli("escalation", "list", env=NOW).exit_code == 0
    left = sorted(p.name for p in kept.iterdir() if not p.name.startswith("index.sqlite"))
    assert left == ["drafts", "lock"]  # the lock: made by the seeding commits
    assert (kept / "drafts" / "d.yaml").read_bytes() == b"old"
