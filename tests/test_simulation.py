"""Eight people, eight clones, one remote, all at once: nothing is lost, everyone agrees.

Each clone runs in its own process (tests/sim/worker.py): escalations, transitions,
inspections and definition edits of one shared mechanism, syncing as it goes. Concurrent
edits of the same record are merged field by field by the merge driver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SRC, Runner, git

CLONES = 8
OPS = 25
WORKER = Path(__file__).parent / "sim" / "worker.py"


def test_many_people_many_clones(repo: Path, tmp_path: Path, cli: Runner, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    driver = (
        os.environ.get("MECHCTL_SIM_DRIVER")
        or f"env PYTHONPATH={SRC} {sys.executable} -m mechctl merge-driver %O %A %B %P"
    )
    clones = []
    for index in range(CLONES):
        clone = tmp_path / f"clone-{index}"
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        git(clone, "config", "merge.mechctl.driver", driver)
        clones.append(clone)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(clone), f"person{index}", str(OPS), str(index)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, clone in enumerate(clones)
    ]
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    for clone in clones:  # a final round, so everyone has everything
        assert cli("sync", cwd=clone).exit_code == 0
    heads = {git(clone, "rev-parse", "HEAD").strip() for clone in clones}
    assert len(heads) == 1, "every clone agrees after a final sync"
    assert git(repo, "ls-remote", "origin", "main").split()[0] in heads
    final = clones[0]
    raised = {esc for report in reports for esc in report["raised"]}
    assert len(raised) == sum(r["escalations"] for r in reports)
    on_disk = {p.stem for p in (final / "escalations").rglob("esc-*.yaml")}
    assert on_disk == raised, "every escalation reached the remote"
    shown = json.loads(cli("mechanism", "show", "wbr", "--json", cwd=final).stdout)
    assert len(shown["inspections"]) == sum(r["inspections"] for r in reports)
    edits = sum(r["edits"] for r in reports)
    assert len(shown["iterations"]) == 1 + edits
    assert [i["version"] for i in shown["iterations"]] == list(range(1, edits + 2))
    assert shown["version"] == edits + 1
    listed = cli("escalation", "list", "--status", "all", "--json", cwd=final)
    assert listed.exit_code == 0
    assert listed.stderr == ""
    assert len(json.loads(listed.stdout)) == len(raised)
