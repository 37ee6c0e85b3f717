"""`mechctl status`: my escalations, my team's, inspections due this week, and the checks."""

from __future__ import annotations

from typing import Annotated

import typer

from mechctl.cli.options import JsonOpt, NoPagerOpt


def status(
    team: Annotated[
        list[str] | None,
        typer.Option(
            "--team",
            "-t",
            help="My team (repeatable; by default, the teams whose codeowners in .mechctl.yaml"
            " list my git email).",
            envvar="MECHCTL_TEAM",
            metavar="TEAM",
        ),
    ] = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show one short screen: my escalations, my team's, inspections due this week, the checks."""
    from mechctl.cli.reads import status as run

    run(team=team, no_pager=no_pager, as_json=as_json)
