"""The `mechctl` command: global options and the command groups (failures: cli/errors.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

from mechctl import __version__
from mechctl.cli.errors import handle
from mechctl.cli.output import STATE, reset_consoles

HELP = (
    "Keep an organisation's mechanisms and escalations as code.\n\n"
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
        STATE.no_pager = False
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

    def list_commands(self, ctx: Any) -> list[str]:
        """REGISTRY's order, panel by panel; typer alone would put every group last."""
        order = {entry.name: index for index, entry in enumerate(REGISTRY)}
        return sorted(self.commands, key=lambda name: order.get(name, len(order)))


class Entry(NamedTuple):
    """One top-level command or group of `mechctl --help`."""

    name: str
    module: str
    attribute: str
    panel: str
    group_help: str | None = None  # set for a group (a typer app), None for a command


# The panels of `mechctl --help`, in the order a user looks for them (docs/design.md §4):
# raising an escalation comes first, set-up last.
ESCALATIONS = "Escalations"
MECHANISMS = "Mechanisms and inspection"
REVIEW = "Review and audit"
CI = "CI"
SETUP = "Set-up and collaboration"
PANELS = (ESCALATIONS, MECHANISMS, REVIEW, CI, SETUP)

# Every top-level command and group, in the order of the help. Modules load only when their
# command is built, and `main` builds only the command the user asked for: typer inspects
# every registered signature when it builds a command tree, and `escalate` has no time to
# spend on the others.
REGISTRY: list[Entry] = [
    Entry("escalate", "mechctl.cli.escalation", "escalate", ESCALATIONS),
    Entry(
        "escalation",
        "mechctl.cli.escalation",
        "app",
        ESCALATIONS,
        "List, show and move escalations through their states.",
    ),
    Entry(
        "mechanism",
        "mechctl.cli.mechanism",
        "app",
        MECHANISMS,
        "Create, change and read mechanisms.",
    ),
    Entry("inspect", "mechctl.cli.inspection", "inspect", MECHANISMS),
    Entry("due", "mechctl.cli.inspection", "due", MECHANISMS),
    Entry("status", "mechctl.cli.status", "status", REVIEW),
    Entry("report", "mechctl.cli.report.command", "report", REVIEW),
    Entry("site", "mechctl.cli.site", "site", REVIEW),
    Entry("history", "mechctl.cli.trail", "history", REVIEW),
    Entry("diff", "mechctl.cli.trail", "diff", REVIEW),
    Entry("audit", "mechctl.cli.trail", "audit", REVIEW),
    Entry("undo", "mechctl.cli.trail", "undo", REVIEW),
    Entry("notify", "mechctl.cli.notify", "notify", ESCALATIONS),
    Entry(
        "intake",
        "mechctl.cli.intake",
        "app",
        ESCALATIONS,
        "Raise escalations from outside git: an issue opened from the GitHub form.",
    ),
    Entry("lint", "mechctl.cli.lint.command", "lint", CI),
    Entry("schema", "mechctl.cli.setup", "schema", CI),
    Entry("codeowners", "mechctl.cli.lint.command", "codeowners", CI),
    Entry(
        "github",
        "mechctl.cli.github",
        "app",
        CI,
        "Keep mechctl on GitHub: the pull-request review comment, the escalation issue form.",
    ),
    Entry("init", "mechctl.cli.setup", "init", SETUP),
    Entry("doctor", "mechctl.cli.collab", "doctor", SETUP),
    Entry("sync", "mechctl.cli.collab", "sync", SETUP),
    Entry("merge-driver", "mechctl.cli.collab", "merge_driver", SETUP),
]


_GLOBAL_WITH_VALUE = {"-C", "--repo"}
_GLOBAL_FLAGS = {"--no-pager"}


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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="On a terminal, print long listings straight out instead of through the pager.",
        ),
    ] = False,
) -> None:
    STATE.repo = repo
    STATE.no_pager = no_pager


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
    for entry in REGISTRY:
        if only is not None and entry.name != only:
            continue
        target = getattr(importlib.import_module(entry.module), entry.attribute)
        if entry.group_help is None:
            root.command(entry.name, rich_help_panel=entry.panel)(target)
        else:
            root.add_typer(
                target, name=entry.name, help=entry.group_help, rich_help_panel=entry.panel
            )
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
        if token in _GLOBAL_FLAGS or token.startswith("--repo="):
            index += 1
            continue
        if token.startswith("-"):
            return None  # --help, --version, or something to complain about with full context
        known = {entry.name for entry in REGISTRY}
        return token if token in known else None
    return None


def __getattr__(name: str) -> typer.Typer:
    """`mechctl.cli.app.app`: the full tree, built on first use (tests, docs, completion)."""
    if name != "app":
        raise AttributeError(name)
    full = build()
    globals()["app"] = full
    return full
