"""Malformed files are findings, never crashes; every file is checked even when some are broken."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

from conftest import Runner
from lintkit import NOW, esc_text, findings, write, write_esc
from test_bad_records import CASES


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_each_broken_record_is_a_finding_at_its_place(
    cli: Runner, repo: Path, content: str | bytes, expected: str
) -> None:
    write(repo, "mechanisms/demo.yaml", content)
    got = findings(cli, code=1)
    shown = [f"{f['path']}:{f['line']}:{f['column']}: {f['message']}" for f in got]
    first = expected.split(" (and ")[0]  # lint lists each problem; `show` stops at the first
    assert first in shown
    assert all(f["severity"] == "error" for f in got)


def test_every_file_is_checked_when_some_are_broken(cli: Runner, repo: Path) -> None:
    contents = [case.values[0] for case in CASES]
    for number, content in enumerate(contents):
        write(repo, f"mechanisms/broken-{number:02d}.yaml", content)
    write_esc(repo, mechanism=None, failure_mode="no-mechanism", owner="finance")
    write(repo, "escalations/2026/11/esc-20261121-bbbbbbbb.yaml", b"\xff\xfe garbage")
    got = findings(cli, code=1)
    assert {f["path"] for f in got} == {
        *(f"mechanisms/broken-{n:02d}.yaml" for n in range(len(contents))),
        "escalations/2026/11/esc-20261121-bbbbbbbb.yaml",
    }
    assert {f["rule"] for f in got} == {
        "yaml-syntax",
        "schema",
        "id-mismatch",
        "incomplete-mechanism",
    }


def test_alias_bomb_is_refused_fast_and_small(cli: Runner, repo: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):  # 9**12 nodes if it were expanded
        refs = ", ".join([f"*{chr(96 + n)}"] * 9)
        levels.append(f"{chr(97 + n)}: &{chr(97 + n)} [{refs}]")
    write(repo, "mechanisms/bomb.yaml", "\n".join(levels) + "\n")
    started = time.perf_counter()
    got = findings(cli, code=1)
    assert time.perf_counter() - started < 5
    assert [(f["line"], f["column"], f["rule"], f["message"]) for f in got] == [
        (1, 1, "yaml-syntax", "YAML anchors and aliases are not allowed in records")
    ]


def test_ten_megabyte_file_is_refused_with_a_clear_message(cli: Runner, repo: Path) -> None:
    write(
        repo,
        "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
        esc_text() + "ask: " + "x" * (10 * 1024 * 1024) + "\n",
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got = findings(cli, code=1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [(f["line"], f["column"], f["rule"], f["message"]) for f in got] == [
        (1, 1, "yaml-syntax", "file is too large (10.5 MB); a record may be at most 2 MB")
    ]
    assert grown_mb < 100


def test_symlink_out_of_the_repository_is_not_followed(
    cli: Runner, repo: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    link = repo / "escalations" / "2026" / "11" / "esc-20261120-aaaaaaaa.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    got = findings(cli, code=1)
    assert got == [
        {
            "path": "escalations/2026/11/esc-20261120-aaaaaaaa.yaml",
            "line": 1,
            "column": 1,
            "rule": "yaml-syntax",
            "severity": "error",
            "message": "symbolic link to a file outside the repository; not followed",
        }
    ]
    assert "hunter2" not in str(got)


def test_dangling_symlink(cli: Runner, repo: Path) -> None:
    (repo / "mechanisms" / "gone.yaml").symlink_to("nowhere.yaml")
    assert [f["message"] for f in findings(cli, code=1)] == [
        "symbolic link to nothing (or to a folder); not followed"
    ]


def test_symlink_inside_the_repository_is_read(cli: Runner, repo: Path) -> None:
    write(repo, "shared/esc.yaml", esc_text(mechanism="nope"))
    link = repo / "escalations" / "2026" / "11" / "esc-20261120-aaaaaaaa.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(repo / "shared" / "esc.yaml", link.parent))
    assert [(f["path"], f["rule"]) for f in findings(cli, code=1)] == [
        ("escalations/2026/11/esc-20261120-aaaaaaaa.yaml", "unknown-mechanism")
    ]


def test_symlinked_folder_is_not_walked(cli: Runner, repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text("id: [\n")
    (repo / "escalations" / "2027").symlink_to(outside)
    assert findings(cli, code=0) == []


def test_unreadable_file(cli: Runner, repo: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write(repo, "mechanisms/secret.yaml", "id: secret\n")
    path.chmod(0)
    try:
        assert [f["message"] for f in findings(cli, code=1)] == [
            "cannot read the file: Permission denied"
        ]
    finally:
        path.chmod(0o644)


def test_files_that_are_not_records_are_ignored(cli: Runner, repo: Path) -> None:
    write(repo, "escalations/README.md", "# notes\n")
    write(repo, "escalations/2026/.draft.yaml", "not: [valid\n")
    write(repo, "mechanisms/notes.txt", "id: [\n")
    assert findings(cli, code=0) == []


def test_nothing_to_lint(cli: Runner, repo: Path) -> None:
    result = cli("lint", env={"MECHCTL_NOW": NOW})
    assert result.exit_code == 0
    assert result.stdout == "no problems in 0 record files\n"


def test_merge_conflict_in_a_record(cli: Runner, repo: Path) -> None:
    from conftest import git
    from lintkit import commit

    rel = write_esc(repo)
    commit(repo)
    git(repo, "switch", "-qc", "other")
    write_esc(repo, severity="sev1")
    commit(repo, "sev1")
    git(repo, "switch", "-q", "main")
    write_esc(repo, severity="sev2")
    commit(repo, "sev2")
    git(repo, "merge", "-q", "other", check=False)
    got = findings(cli, code=1)
    assert [(f["path"], f["line"], f["column"], f["message"]) for f in got] == [
        (
            rel,
            5,
            1,
            "unresolved merge-conflict marker; resolve the conflict (or run `git mergetool`)",
        ),
    ]


def test_ignored_files_are_not_records(cli: Runner, repo: Path) -> None:
    write(repo, ".gitignore", "escalations/drafts/\n")
    write(repo, "escalations/drafts/esc-20261120-aaaaaaaa.yaml", "id: [\n")
    assert findings(cli, code=0) == []
