"""Every command has help text and a line in the README's command reference."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[tuple[str, str | None]]:
    import typer

    from mechctl.cli.app import app

    group = typer.main.get_command(app)
    found: list[tuple[str, str | None]] = []

    def walk(command, path: str) -> None:  # type: ignore[no-untyped-def]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{path} {name}")
        else:
            found.append((path, command.help))

    walk(group, "mechctl")
    return found


COMMANDS = _commands()


def _reference() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Command reference")
    end = text.index("\n## ", start + 1)
    return text[start:end]


@pytest.mark.parametrize(("command", "help_text"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_command_has_help_and_reference(command: str, help_text: str | None) -> None:
    assert help_text and help_text.strip(), f"{command} has no help text"
    assert re.search(rf"`{re.escape(command)}( |`)", _reference()), (
        f"{command} is missing from the README's command reference"
    )


def test_readme_setup_commands_match_ci() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(
        line.split("&& ", 1)[1]
        for line in readme.splitlines()
        if line.startswith("python3 -m venv .venv") and "pytest" in line
    )
    assert test_command in ci


def test_help_runs_for_every_command() -> None:
    import sys

    for command, _ in COMMANDS[:3]:
        args = command.split()[1:]
        done = subprocess.run(
            [sys.executable, "-m", "mechctl", *args, "--help"],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Usage" in done.stdout
