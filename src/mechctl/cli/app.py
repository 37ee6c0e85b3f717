"""The `mechctl` command: global options, the command groups, and the one error handler."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mechctl import __version__
from mechctl.cli import inspection, mechanism, setup, trail
from mechctl.cli.output import STATE, debug, reset_consoles

HELP = """Mechanisms and escalations as code.

Every record is a YAML file in git; every change made here is one git commit, so
`git log` is the audit trail. Escalate early, escalate high: `mechctl escalate`.
"""


class MechctlGroup(TyperGroup):
    """Turns every failure into one `error:` line and an exit code (DESIGN §4).

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
        STATE.argv, STATE.replay, STATE.repo = argv, None, None
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
        except BaseException as exc:  # noqa: BLE001  (this is the one place that handles all)
            code = handle(exc)
        if standalone_mode:
            sys.exit(code)
        return code


def handle(exc: BaseException) -> int:
    from mechctl.cli.output import report_error
    from mechctl.errors import MechctlError

    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if isinstance(exc, KeyboardInterrupt | typer.Abort):
        sys.stderr.write("\nerror: interrupted; nothing was changed unless a commit was reported\n")
        return 130
    if isinstance(exc, BrokenPipeError):
        return 0
    if isinstance(exc, typer.TyperException):  # click's usage errors
        message = " ".join(exc.format_message().split()).replace("Value error, ", "")
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        sys.stderr.write(f"error: {message}{where}\n")
        return exc.exit_code
    if debug():
        raise exc
    if isinstance(exc, MechctlError):
        return report_error(exc)
    return report_error(exc)


app = typer.Typer(
    name="mechctl",
    cls=MechctlGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mechctl {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    repo: Annotated[
        Path | None,
        typer.Option(
            "-C", "--repo", help="Run as if mechctl was started in PATH.", metavar="PATH"
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    STATE.repo = repo


setup.register(app)
app.add_typer(mechanism.app, name="mechanism", help="Create, change and read mechanisms.")
inspection.register(app)
trail.register(app)
