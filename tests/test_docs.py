"""Every command has help in whole sentences, a place in a panel of `mechctl --help`, and a line
in the README's command reference."""

from __future__ import annotations

import inspect
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner

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


def _tree() -> list[tuple[str, Any]]:
    """Every command and group under `mechctl`, the root included, with its path."""
    import typer

    from mechctl.cli.app import app

    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        found.append((path, command))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "mechctl")
    return found


TREE = _tree()
# A command's help says what it does, so its first word is a verb in the imperative.
VERBS = {
    "Acknowledge",
    "Add",
    "Build",
    "Deliver",
    "Check",
    "Close",
    "Create",
    "Change",
    "Edit",
    "Keep",
    "List",
    "Make",
    "Merge",
    "Pull",
    "Raise",
    "Record",
    "Reopen",
    "Resolve",
    "Retire",
    "Revert",
    "Show",
    "Write",
}


def _sentences(text: str, where: str) -> None:
    """Whole sentences: capitalised, ending with a full stop, each paragraph on one line.

    typer keeps a single line break inside a paragraph, so a paragraph wrapped in the source
    would break mid-sentence in `--help` and in the list of commands.
    """
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        assert "\n" not in paragraph, f"{where}: a paragraph breaks across lines: {paragraph!r}"
        assert paragraph[:1].isupper(), f"{where}: does not start a sentence: {paragraph!r}"
        assert paragraph.endswith("."), f"{where}: does not end with a full stop: {paragraph!r}"


@pytest.mark.parametrize(("path", "command"), TREE, ids=[path for path, _ in TREE])
def test_help_is_whole_sentences(path: str, command: Any) -> None:
    assert command.help, f"{path} has no help"
    _sentences(command.help, path)
    first_word = re.split(r"[\s,]", command.help, maxsplit=1)[0]
    assert first_word in VERBS, f"{path}: the help should start with what it does: {first_word!r}"
    for param in command.params:
        if getattr(param, "help", None) is not None:
            _sentences(param.help, f"{path} {param.name}")


def test_every_listing_shows_whole_first_paragraphs(cli: Runner) -> None:
    """The root's and each group's list of commands shows each command's first paragraph whole."""
    for path, command in TREE:
        if not getattr(command, "commands", None):
            continue
        shown = cli(*path.split()[1:], "--help", env={"COLUMNS": "200"})
        assert shown.exit_code == 0, shown
        rows = [line.strip("│ ").rstrip() for line in shown.stdout.splitlines()]
        for name, sub in command.commands.items():
            first = inspect.cleandoc(sub.help).split("\n\n")[0]
            assert f"{name}{' ' * 2}" in "\n".join(rows), f"{path}: {name} is not listed"
            row = next(r for r in rows if r.split(maxsplit=1)[:1] == [name])
            assert row.split(maxsplit=1)[1].strip() == first, f"{path} {name}: {row!r}"


PANELS = {
    "Escalations": ["escalate", "escalation", "notify", "intake"],
    "Mechanisms and inspection": ["mechanism", "inspect", "due"],
    "Review and audit": ["status", "report", "site", "history", "diff", "audit", "undo"],
    "CI": ["lint", "schema", "codeowners", "github"],
    "Set-up and collaboration": ["init", "doctor", "sync", "merge-driver"],
}


def test_root_help_shows_the_panels_in_order(cli: Runner) -> None:
    shown = cli("--help", env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown
    panels: dict[str, list[str]] = {}
    current = None
    for line in shown.stdout.splitlines():
        title = re.match(r"╭─ (.+?) ─", line)
        if title:
            current = title.group(1)
            panels[current] = []
        elif current is not None and line.startswith("│ ") and line[2] != " ":
            panels[current].append(line[2:].split(maxsplit=1)[0])
    assert panels == {"Options": panels["Options"], **PANELS}
    assert list(panels) == ["Options", *PANELS]
    top_level = {path.split()[1] for path, _ in TREE if path.count(" ") == 1}
    assert sorted(name for names in PANELS.values() for name in names) == sorted(top_level)


def test_json_option_is_one_definition_with_one_help() -> None:
    """Every `--json` in the tree is cli/options.py's JsonOpt, with its one help text; its
    name is spelt in cli/flags.py alone (the fast path reads it there, before typer)."""
    from mechctl.cli.options import JsonOpt

    expected = JsonOpt.__metadata__[0].help
    found = {
        path: param.help
        for path, command in TREE
        for param in command.params
        if "--json" in getattr(param, "opts", [])
    }
    assert set(found) == {
        "mechctl escalate",
        "mechctl escalation list",
        "mechctl escalation show",
        "mechctl mechanism list",
        "mechctl mechanism show",
        "mechctl due",
        "mechctl history",
        "mechctl audit",
        "mechctl report",
        "mechctl site",
        "mechctl status",
        "mechctl doctor",
        "mechctl notify",
        "mechctl intake github-issue",
        "mechctl github review",
    }
    assert set(found.values()) == {expected}
    cli_dir = ROOT / "src" / "mechctl" / "cli"
    declared = [
        path.relative_to(cli_dir).as_posix()
        for path in sorted(cli_dir.rglob("*.py"))
        if '"--json"' in path.read_text(encoding="utf-8")
    ]
    assert declared == ["flags.py"]  # the name, spelt once; options.py declares it for typer


DESIGN = ROOT / "docs" / "design.md"


def _design_section(number: int) -> str:
    text = DESIGN.read_text(encoding="utf-8")
    start = text.index(f"\n## {number}. ")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_design_has_every_section_the_code_cites() -> None:
    text = DESIGN.read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+)\. ", text, flags=re.MULTILINE)
    assert headings == [str(n) for n in range(1, 9)]
    cited: set[str] = set()
    for folder in ("src", "bench", "tests", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix in (".py", ".sh", "")
                and not {"__pycache__", "mechctl.egg-info"} & set(path.parts)
            ):
                body = path.read_text(encoding="utf-8", errors="replace")
                cited |= set(re.findall(r"docs/design\.md §(\d+)", body))
                assert not re.search(r"\bDESIGN(\.md)? §", body), f"{path} cites a document outside"
    assert cited and cited <= set(headings)


def test_design_lists_the_panels_of_the_help() -> None:
    from mechctl.cli.app import REGISTRY

    names = {entry.name for entry in REGISTRY}
    rows = re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", _design_section(4), flags=re.MULTILINE)
    documented = {
        panel.strip(): [
            phrase.split()[0]
            for phrase in re.findall(r"`([^`]+)`", cell)
            if phrase.split()[0] in names
        ]
        for panel, cell in rows
        if panel.strip() in PANELS
    }
    assert documented == PANELS
    assert {entry.name: entry.panel for entry in REGISTRY} == {
        name: panel for panel, listed in PANELS.items() for name in listed
    }


def test_design_lists_what_lives_under_git_mechctl() -> None:
    from mechctl import derived

    section = _design_section(7)
    table = section[section.index("| path | what |") :]
    listed = re.findall(r"^\| `([^`]+?)/?` \|", table, flags=re.MULTILINE)
    assert sorted(listed) == sorted(name for name, _ in derived.PATHS.values())
