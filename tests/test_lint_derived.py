"""Deleting `.git/mechctl/` changes no lint result, only speed (docs/design.md §7): every
output format is byte for byte the same from a cold run (nothing derived), the run that
follows it, and the one after (warm), in real processes, on records that a check keyed by
blob id alone would get wrong: a record copied by hand under another name, a record in
the wrong month folder, an invalid file; and, from the derived data of before each change,
the cross-file rules after edits, copies, deletions, `.mechctl.yaml` and `teams` changes, and
a file git ignores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import NOW, TEAMS, commit, esc_rel, esc_text, write, write_esc

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


def _warm_is_cold(cli: Runner, proc: Runner, repo: Path) -> dict[str, str]:
    """Each format's output from the derived data of before a change (the warm path in a
    process, then the full command in this one), asserted the same as with none at all."""
    outputs = {}
    for output in FORMATS:
        runs = []
        for run in (proc, cli):
            done = run("lint", "--format", output, env={"MECHCTL_NOW": NOW})
            runs.append((done.exit_code, done.stdout, done.stderr))
        shutil.rmtree(repo / DERIVED, ignore_errors=True)
        done = proc("lint", "--format", output, env={"MECHCTL_NOW": NOW})
        cold = (done.exit_code, done.stdout, done.stderr)
        assert runs == [cold, cold], output
        outputs[output] = cold[1]
    return outputs


def _rules(outputs: dict[str, str]) -> set[tuple[str, str]]:
    return {(f["path"], f["rule"]) for f in json.loads(outputs["json"])}


def test_cross_file_rules_follow_every_change_warm_as_cold(
    cli: Runner, proc: Runner, records: Path
) -> None:
    aaaa, bbbb = esc_rel("esc-20261120-aaaaaaaa"), esc_rel("esc-20261120-bbbbbbbb")
    _same_everywhere(cli, proc, records)  # derived data of before each change below
    # An edit that makes a reference unknown.
    write_esc(records, "esc-20261120-bbbbbbbb", status="closed", mechanism="nope")
    assert (bbbb, "unknown-mechanism") in _rules(_warm_is_cold(cli, proc, records))
    # A copy under another name: a duplicate id, and an id that does not match.
    copy = esc_rel("esc-20261120-cccccccc")
    shutil.copyfile(records / aaaa, records / copy)
    found = _rules(_warm_is_cold(cli, proc, records))
    assert {(aaaa, "duplicate-id"), (copy, "duplicate-id"), (copy, "id-mismatch")} <= found
    # A deletion: the duplicate goes with it.
    (records / copy).unlink()
    assert (aaaa, "duplicate-id") not in _rules(_warm_is_cold(cli, proc, records))
    # The mechanism deleted: every escalation naming it is now unknown.
    mechanism = records / "mechanisms" / "wbr.yaml"
    text = mechanism.read_text()
    mechanism.unlink()
    assert (aaaa, "unknown-mechanism") in _rules(_warm_is_cold(cli, proc, records))
    mechanism.write_text(text)
    # .mechctl.yaml: a rule turned off, then teams that do not name the owner.
    config = records / ".mechctl.yaml"
    before = config.read_text()
    config.write_text(before.replace("  rules: {}", "  rules: {ack-overdue: off}"))
    assert (aaaa, "ack-overdue") not in _rules(_warm_is_cold(cli, proc, records))
    config.write_text(before)
    assert (aaaa, "ack-overdue") in _rules(_warm_is_cold(cli, proc, records))
    assert "\nteams:" not in before  # only a commented-out example
    config.write_text(before + TEAMS.replace("  finance:", "  finances:"))
    assert "unknown team 'finance'" in _warm_is_cold(cli, proc, records)["json"]
    config.write_text(before + TEAMS)
    assert "unknown team 'finance'" not in _warm_is_cold(cli, proc, records)["json"]
    config.write_text(before)
    # A file git ignores is none of lint's, though the index holds it.
    ignored = esc_rel("esc-20261120-dddddddd")
    write_esc(records, "esc-20261120-dddddddd", mechanism="ignored")
    (records / ".gitignore").write_text(ignored + "\n")
    assert ignored not in {path for path, _ in _rules(_warm_is_cold(cli, proc, records))}
    (records / ".gitignore").unlink()
    assert (ignored, "unknown-mechanism") in _rules(_warm_is_cold(cli, proc, records))
