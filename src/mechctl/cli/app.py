"""The `mechctl` command: global options and the command groups (failures: cli/errors.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mechctl import __version__
from mechctl.cli.errors import handle
from mechctl.cli.output import STATE, reset_consoles

HELP = (
    "Mechanisms and escalations as code.\n\n"
    "Every record is a YAML file in git; every change made here is one git commit, so"
    " `git log` is the audit trail. Escalate early, escalate high: `mechctl escalate`."
)


class MechctlGroup(TyperGroup):
    """Turns every failure into one `error:` line and an exit code, as cli/errors.py says
    (docs/design.md §4).

    It sits in `main`, which typer's CliRunner calls too, so tests see exactly what users see.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        STATE.argv, STATE.replay, STATE.repo, STATE.opened = argv, None, None, []
        reset_consoles()
        try:
            result = super().main(
                args=argv,
                prog_name=prog_name or "mechctl",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = result if isinstance(result, int) else 0
            # A commit that stands but whose --push failed: the command reports it last.
            problems = [ws.sync_problem for ws in STATE.opened if ws.sync_problem is not None]
            if problems and code == 0:
                code = handle(problems[0])
        except BaseException as exc:
            code = handle(exc)
        if standalone_mode:
            sys.exit(code)
        return code


# Every top-level command and group: (name, module, attribute, help for a group).
# Modules load only when their command is built, and `main` builds only the command the
# user asked for: typer inspects every registered signature when it builds a command tree,
# and `escalate` has no time to spend on the others.
REGISTRY: list[tuple[str, str, str, str | None]] = [
    ("init", "mechctl.cli.setup", "init", None),
    ("schema", "mechctl.cli.setup", "schema", None),
    ("escalate", "mechctl.cli.escalation", "escalate", None),
    ("mechanism", "mechctl.cli.mechanism", "app", "Create, change and read mechanisms."),
    (
        "escalation",
        "mechctl.cli.escalation",
        "app",
        "List, show and move escalations through their states.",
    ),
    ("sync", "mechctl.cli.collab", "sync", None),
    ("merge-driver", "mechctl.cli.collab", "merge_driver", None),
    ("doctor", "mechctl.cli.collab", "doctor", None),
    ("lint", "mechctl.cli.lint.command", "lint", None),
    ("codeowners", "mechctl.cli.lint.command", "codeowners", None),
    ("inspect", "mechctl.cli.inspection", "inspect", None),
    ("due", "mechctl.cli.inspection", "due", None),
    ("history", "mechctl.cli.trail", "history", None),
    ("diff", "mechctl.cli.trail", "diff", None),
    ("undo", "mechctl.cli.trail", "undo", None),
    ("audit", "mechctl.cli.trail", "audit", None),
    ("report", "mechctl.cli.report.command", "report", None),
    ("status", "mechctl.cli.status", "status", None),
]
_GLOBAL_WITH_VALUE = {"-C", "--repo"}


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mechctl {__version__}\n")
        raise typer.Exit(0)


def _root(
    repo: Annotated[
        Path | None,
        typer.Option("-C", "--repo", help="Run as if mechctl was started in PATH.", metavar="PATH"),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    STATE.repo = repo


def build(only: str | None = None) -> typer.Typer:
    """The command tree: all of it, or just the command named `only`."""
    import importlib

    root = typer.Typer(
        name="mechctl",
        cls=MechctlGroup,
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root.callback()(_root)
    for name, module, attribute, group_help in REGISTRY:
        if only is not None and name != only:
            continue
        target = getattr(importlib.import_module(module), attribute)
        if group_help is None:
            root.command(name)(target)
        else:
            root.add_typer(target, name=name, help=group_help)
    return root


def requested(argv: list[str]) -> str | None:
    """The top-level command named in argv, if it is a known one and nothing needs the rest."""
    if os.environ.get("_MECHCTL_COMPLETE"):
        return None  # completion may need any command
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in _GLOBAL_WITH_VALUE:
            index += 2
            continue
        if token.startswith("--repo="):
            index += 1
            continue
        if token.startswith("-"):
            return None  # --help, --version, or something to complain about with full context
        known = {entry[0] for entry in REGISTRY}
        return token if token in known else None
    return None


def __getattr__(name: str) -> typer.Typer:
    """`mechctl.cli.app.app`: the full tree, built on first use (tests, docs, completion)."""
    if name != "app":
        raise AttributeError(name)
    full = build()
    globals()["app"] = full
    return full
