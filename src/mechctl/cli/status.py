"""`mechctl status`: my escalations, my team's, inspections due this week, and the checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli.options import JsonOpt, NoPagerOpt
from mechctl.cli.output import print_json, workspace

if TYPE_CHECKING:
    from pathlib import Path

    from mechctl.cli.listing import Part
    from mechctl.models import Config
    from mechctl.services.status import Status


def _render(found: Status, config: Config, root: Path) -> list[Part]:
    """The screen as parts for cli/listing.py: plain rows on a pipe, rich on a terminal."""
    from mechctl.cli.render_escalation import escalation_grid
    from mechctl.clock import now as clock_now

    now = clock_now()
    parts: list[Part] = []
    who = found.identity or "(git identity not set: run `git config --global user.email ...`)"
    teams = ", ".join(found.teams) or "none"
    source = {
        "option": "from --team",
        "codeowners": "your email in .mechctl.yaml codeowners",
        "none": "pass --team TEAM, or set MECHCTL_TEAM",
    }[found.team_source]
    parts.append([(f"{who} · teams: {teams} ({source})", "bold")])

    def block(heading: str, items: list, empty: str) -> None:  # type: ignore[type-arg]
        parts.append([("", "")])
        parts.append([(f"{heading} ({len(items)})", "bold underline")])
        if items:
            parts.append(escalation_grid(items, config, now, root))
        else:
            parts.append([(empty, "dim")])

    block("My open escalations", found.mine, "none")
    if found.teams:
        block(
            f"Open escalations on mechanisms owned by {', '.join(found.teams)}", found.team, "none"
        )
    parts.append([("", "")])
    parts.append([(f"Inspections due by {found.due_by} ({len(found.due)})", "bold underline")])
    for item in found.due:
        if item.due is None:
            when, style = "never inspected; due date unknown", "red"
        elif item.days_left is not None and item.days_left < 0:
            when, style = f"was due {item.due} ({-item.days_left}d overdue)", "bold red"
        else:
            when, style = f"due {item.due} (in {item.days_left}d)", ""
        parts.append([(f"  {item.mechanism}  {item.title} · {item.cadence} · ", ""), (when, style)])
    if not found.due:
        parts.append([("  none", "dim")])
    c = found.checks
    summary = (
        f"Checks: {c.mechanisms} mechanisms, {c.escalations} escalations,"
        f" {c.invalid_files} invalid file(s); {c.ack_overdue} escalation(s) past the"
        f" acknowledge time, {c.resolve_overdue} past the resolve time;"
        f" {c.inspections_overdue} inspection(s) overdue. Details: `mechctl lint`."
    )
    bad = c.invalid_files or c.ack_overdue or c.resolve_overdue or c.inspections_overdue
    parts.append([("", "")])
    parts.append([(summary, "yellow" if bad else "green")])
    for problem in c.problems[:5]:
        parts.append([(f"  {problem}", "red")])
    return parts


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
    from mechctl.cli.progress import loading
    from mechctl.services.status import status as build
    from mechctl.services.status import to_json

    ws = workspace()
    with loading("escalations") as progress:
        found = build(ws, team, progress=progress)
    from mechctl.cli.skipped import warn_skipped

    warn_skipped(found.checks.problems)
    if as_json:
        print_json(to_json(found, ws.config, ws))
        return
    from mechctl.cli.listing import show

    show(_render(found, ws.config, ws.root), no_pager=no_pager)
