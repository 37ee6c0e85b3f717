"""`mechctl report --format markdown` matches a stored expected file.

After an intended change to the report, regenerate the file and review its diff:

    MECHCTL_UPDATE_EXPECTED=1 python -m pytest tests/test_report_markdown.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from report_repo import NOW, build

EXPECTED = Path(__file__).parent / "data" / "report.md"


def test_markdown_matches_the_expected_file(_template: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    repo = build(_template, tmp_path / "repo")
    done = CliRunner().invoke(
        app, ["-C", str(repo), "report", "--format", "markdown"], env={"MECHCTL_NOW": NOW}
    )
    assert done.exit_code == 0, done.stderr
    if os.environ.get("MECHCTL_UPDATE_EXPECTED") == "1":
        EXPECTED.write_text(done.stdout, encoding="utf-8")
        pytest.skip(f"wrote {EXPECTED}; review its diff and commit it")
    assert done.stdout == EXPECTED.read_text(encoding="utf-8")
