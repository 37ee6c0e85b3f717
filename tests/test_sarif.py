"""SARIF details: Microsoft's validator (`@microsoft/sarif-multitool validate`) finds no error
and no warning in `mechctl lint --format sarif`, and each rule's `helpUri` has its heading in
docs/lint-rules.md."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Runner
from lintkit import NOW, esc_text, write, write_esc

ROOT = Path(__file__).resolve().parents[1]
ENV = {"MECHCTL_NOW": NOW}
MULTITOOL = "@microsoft/sarif-multitool@5.7.0"
# Installed once and kept across sessions: one npm download, then ~1.5 s a validation.
CACHE = Path(tempfile.gettempdir()) / "mechctl-test-sarif-multitool-5.7.0"


def _missing(reason: str) -> None:
    """Skip, or fail where CI says Node is there (.ci/run sets MECHCTL_REQUIRE_NODE=1)."""
    if os.environ.get("MECHCTL_REQUIRE_NODE") == "1":
        pytest.fail(f"MECHCTL_REQUIRE_NODE=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def multitool() -> Iterator[Path]:
    """The validator's executable, installed with npm into CACHE (atomically: a concurrent
    session either finds it whole or installs its own copy beside it)."""
    if not CACHE.exists():
        if shutil.which("node") is None or shutil.which("npm") is None:
            _missing("Node.js and npm are needed for @microsoft/sarif-multitool (not on PATH)")
        work = Path(tempfile.mkdtemp(prefix=CACHE.name + ".", dir=CACHE.parent))
        done = subprocess.run(
            ["npm", "install", "--prefix", str(work), "--no-audit", "--no-fund", MULTITOOL],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            shutil.rmtree(work, ignore_errors=True)
            _missing(f"npm install {MULTITOOL} failed: {done.stderr.strip()[-500:]}")
        # Its postinstall (`chmod u+x`) does not run where npm withholds install scripts.
        for binary in (work / "node_modules" / "@microsoft").glob("*/Sarif.Multitool"):
            binary.chmod(0o755)
        try:
            work.rename(CACHE)
        except OSError:  # another session got there first
            shutil.rmtree(work, ignore_errors=True)
    # The platform's self-contained binary, run directly (npm's `bin` shim hands the
    # arguments to a shell).
    found = sorted((CACHE / "node_modules" / "@microsoft").glob("*/Sarif.Multitool"))
    if not found:
        _missing(f"{CACHE} holds no Sarif.Multitool for this platform")
    yield found[0]


def _validate(multitool: Path, log: Path) -> list[str]:
    """The validator's findings at its default levels (errors and warnings), one line each."""
    done = subprocess.run(
        [str(multitool), "validate", str(log)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Analysis completed successfully" in done.stdout, done.stdout + done.stderr
    found = re.compile(r"\(\d+,\d+\): (error|warning) ")
    return [line for line in done.stdout.splitlines() if found.search(line)]


def test_sarif_multitool_finds_nothing(
    cli: Runner, repo: Path, multitool: Path, tmp_path: Path
) -> None:
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    assert cli("mechanism", "activate", "wbr").exit_code == 0
    # Findings of several rules, errors and warnings: an unknown mechanism, an overdue ack,
    # a value outside an enumeration, and a file that is not YAML.
    write_esc(repo, "esc-20261120-aaaaaaaa", mechanism="wbrr", status="open", severity="sev2")
    write(
        repo,
        "escalations/2026/11/esc-20261121-bbbbbbbb.yaml",
        esc_text("esc-20261121-bbbbbbbb").replace("sev3", "sev9"),
    )
    write(repo, "escalations/2026/11/esc-20261121-cccccccc.yaml", "id: [unclosed\n")
    result = cli("lint", "--format", "sarif", env=ENV)
    assert result.exit_code == 1
    log = tmp_path / "mechctl.sarif"
    log.write_text(result.stdout, encoding="utf-8")
    sarif = json.loads(result.stdout)
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"unknown-mechanism", "ack-overdue", "schema", "yaml-syntax"} <= rules
    assert _validate(multitool, log) == []


def test_rule_names_and_help_uris() -> None:
    from mechctl import HOMEPAGE
    from mechctl.services.lint.rules import RULES
    from mechctl.services.lint.sarif import sarif

    class Empty:
        findings = ()
        root = ROOT

    driver = sarif(Empty(), {})["runs"][0]["tool"]["driver"]  # type: ignore[arg-type]
    assert driver["informationUri"] == HOMEPAGE
    doc = (ROOT / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (\S+)$", doc, re.MULTILINE))
    for rule in driver["rules"]:
        assert re.fullmatch(r"(?:[A-Z][a-z]+)+", rule["name"]), rule["name"]
        assert rule["name"].lower() != rule["id"].lower()
        assert rule["name"].lower() == rule["id"].replace("-", "").lower() or rule["name"].endswith(
            "Violation"
        )
        assert rule["helpUri"] == f"{HOMEPAGE}/blob/main/docs/lint-rules.md#{rule['id']}"
    assert headings == set(RULES)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'Homepage = "{HOMEPAGE}"' in pyproject


def test_lint_rules_doc_is_current() -> None:
    from mechctl.services.lint.rules import rules_markdown

    path = ROOT / "docs" / "lint-rules.md"
    wanted = rules_markdown()
    if os.environ.get("MECHCTL_UPDATE_README") == "1":
        path.write_text(wanted, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == wanted, (
        "docs/lint-rules.md is stale: run with MECHCTL_UPDATE_README=1"
    )


def test_sarif_written_in_batches_is_the_whole_document(tmp_path: Path) -> None:
    import orjson

    from mechctl.services.lint.finding import Finding, LintReport
    from mechctl.services.lint.sarif import sarif, sarif_json

    found = [
        Finding(f"escalations/2026/11/e{i}.yaml", i + 1, 3, "ack-overdue", "warning", f"m {i}")
        for i in range(7)
    ]
    for findings in (found, found[:1], []):
        report = LintReport(findings=findings, files=7, reused=0, root=tmp_path)
        whole = orjson.dumps(sarif(report, {}), option=orjson.OPT_INDENT_2) + b"\n"
        assert sarif_json(report, {}, batch=3) == whole
        assert sarif_json(report, {}, batch=100) == whole
