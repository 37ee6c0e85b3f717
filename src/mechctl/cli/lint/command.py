"""`mechctl lint` and `mechctl codeowners`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli.output import STATE, console, note, print_json, warn, workspace

if TYPE_CHECKING:
    from mechctl.services.lint.finding import LintReport


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


class FailLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"


def lint(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only report on these files or folders (default: the whole repository)."
            " Cross-file rules still read every record.",
            metavar="[PATH]...",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Format,
        typer.Option(
            "--format", help="The output format: text, json, github (workflow commands) or sarif."
        ),
    ] = Format.TEXT,
    fail_level: Annotated[
        FailLevel,
        typer.Option("--fail-level", help="Exit 1 when a finding is at or above this level."),
    ] = FailLevel.ERROR,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="REV",
            help="Also check the changes since REV (e.g. origin/main): version bumps,"
            " state transitions, deleted records.",
        ),
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="Explain every rule and its level, and exit.")
    ] = False,
) -> int:
    """Check every record, or those under PATH, and report each finding at its line and column.

    The rules cover syntax and schema, references between records, deadlines and generated files.

    It exits 1 when a finding is at or above --fail-level.
    """
    from mechctl.errors import UsageError

    if list_rules:
        if paths or base is not None:
            raise UsageError("--list-rules takes no PATH or --base")
        return _list_rules(output)
    from mechctl.services.lint.engine import lint as run
    from mechctl.services.lint.files import selection

    ws = workspace()
    start = (STATE.repo or Path.cwd()).expanduser().resolve()
    chosen = selection(ws.root, start, list(paths or []))
    report = run(ws, chosen, base)
    if output is Format.TEXT and not _plain():
        _print_text(report)
    else:
        from mechctl.cli.lint.output import render

        body = render(report, output.value, ws)
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 1 if report.fails(fail_level.value) else 0


def _plain() -> bool:
    out = console()
    return bool(out.no_color or out.color_system is None)


def _print_text(report: LintReport) -> None:
    from rich.text import Text

    from mechctl.cli.lint.output import text_parts

    line = Text()
    for piece, style in text_parts(report):
        line.append(piece, style=style or None)
    console().print(line, end="", soft_wrap=True)


def _list_rules(output: Format) -> int:
    from mechctl.errors import NotARepositoryError
    from mechctl.services.lint.rules import rule_table

    try:
        config = workspace().config
    except NotARepositoryError:
        config = None  # outside a repository: the defaults
    table = rule_table(config)
    if output is Format.JSON:
        print_json(table)
    else:
        from mechctl.cli.lint.output import rules_text

        console().print(rules_text(table, console().width))
    return 0


def codeowners(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if CODEOWNERS is stale, instead of writing.")
    ] = False,
) -> None:
    """Write the CODEOWNERS block that asks each mechanism's owning team to review changes to it.

    The owners come from the mechanisms and from teams.*.codeowners in .mechctl.yaml.

    The file is written, not committed: commit it with the change that caused it.
    """
    from mechctl.errors import MechctlError
    from mechctl.services import codeowners as service

    ws = workspace()
    plan = service.plan(ws) if check else service.write(ws)
    for message in plan.notes:
        warn(message)
    if not plan.stale:
        note(f"{plan.rel} is up to date")
    elif check:
        what = "is missing" if plan.before is None else "is stale"
        raise MechctlError(f"{plan.rel} {what}", hint="run `mechctl codeowners` and commit it")
    else:
        note(f"wrote {plan.rel}; commit it with the change that caused it")
