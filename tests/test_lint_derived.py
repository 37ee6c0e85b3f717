"""Deleting `.git/mechctl/` changes no lint result, only speed (docs/design.md §7): every
output format is byte for byte the same from a cold run (nothing derived), the run that
follows it, and the one after (warm), in real processes, on records that a check keyed by
blob id alone would get wrong: a record copied by hand under another name, a record in
the wrong month folder, an invalid file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import NOW, commit, esc_rel, esc_text, write, write_esc

DERIVED = Path(".git") / "mechctl"
FORMATS = ("text", "json", "github", "sarif")


@pytest.fixture
def records(cli: Runner, repo: Path) -> Path:
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    write_esc(repo, "esc-20261120-aaaaaaaa", status="open", severity="sev1")
    write_esc(repo, "esc-20261120-bbbbbbbb", status="closed")
    commit(repo)
    return repo


def _same_everywhere(cli: Runner, proc: Runner, repo: Path) -> dict[str, str]:
    """Each format's output, asserted the same cold (in a process, nothing derived), warm
    in this process, and warm again in a process (the warm path of cli/lint/warm.py)."""
    outputs = {}
    for output in FORMATS:
        shutil.rmtree(repo / DERIVED, ignore_errors=True)
        runs = []
        for run in (proc, cli, proc):
            done = run("lint", "--format", output, env={"MECHCTL_NOW": NOW})
            runs.append((done.exit_code, done.stdout, done.stderr))
        assert (repo / DERIVED).is_dir()
        assert runs[1] == runs[0], output
        assert runs[2] == runs[0], output
        outputs[output] = runs[0][1]
    return outputs


def test_a_hand_copy_under_another_name_is_reported_the_same_cold_and_warm(
    cli: Runner, proc: Runner, records: Path
) -> None:
    original = records / esc_rel("esc-20261120-aaaaaaaa")
    copy = records / esc_rel("esc-20261120-cccccccc")
    shutil.copyfile(original, copy)  # same bytes, same blob id, another path
    outputs = _same_everywhere(cli, proc, records)
    found = {(f["path"], f["rule"]) for f in json.loads(outputs["json"])}
    assert (esc_rel("esc-20261120-cccccccc"), "id-mismatch") in found
    assert (esc_rel("esc-20261120-aaaaaaaa"), "id-mismatch") not in found
    # Committed, the copy is still what it was: its path, not its blob, decides.
    git(records, "add", "-A")
    git(records, "commit", "-qm", "copy")
    assert _same_everywhere(cli, proc, records) == outputs


def test_moved_invalid_and_renamed_files_are_reported_the_same_cold_and_warm(
    cli: Runner, proc: Runner, records: Path
) -> None:
    assert proc("lint", env={"MECHCTL_NOW": NOW}).exit_code == 0  # derived data of before
    moved = records / "escalations/2026/10/esc-20261120-bbbbbbbb.yaml"
    moved.parent.mkdir(parents=True, exist_ok=True)
    (records / esc_rel("esc-20261120-bbbbbbbb")).rename(moved)
    write(records, esc_rel("esc-20261120-dddddddd"), "id: [unclosed\n")
    write(
        records,
        "escalations/2026/11/esc-20261120-eeeeeeee.yaml",
        esc_text("esc-20261120-ffffffff", status="acknowledged"),
    )
    before = _same_everywhere(cli, proc, records)
    rules = {(f["path"], f["rule"]) for f in json.loads(before["json"])}
    assert ("escalations/2026/10/esc-20261120-bbbbbbbb.yaml", "id-mismatch") in rules
    assert (esc_rel("esc-20261120-dddddddd"), "yaml-syntax") in rules
    assert ("escalations/2026/11/esc-20261120-eeeeeeee.yaml", "id-mismatch") in rules
