"""`mechctl inspect` and `mechctl due`: the inspection loop of a mechanism."""

from __future__ import annotations

from typing import Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, PushOpt
from mechctl.cli.output import console, need, note, print_json, set_replay, warn, workspace

OUTCOMES = ("on-track", "at-risk", "off-track")


def _outcomes(incomplete: str) -> list[str]:
    return [o for o in OUTCOMES if o.startswith(incomplete)]


def inspect(
    mechanism_id: Annotated[
        str,
        typer.Argument(
            help="The active mechanism inspected.",
            autocompletion=complete.mechanism_ids,
            metavar="ID",
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="The outcome: on-track, at-risk or off-track.",
            autocompletion=_outcomes,
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            metavar="NAME=VALUE",
            help="A signal's measured value, e.g. 'Decks published on time=0.96' (repeatable;"
            " numbers are stored as numbers).",
        ),
    ] = None,
    anecdote: Annotated[
        list[str] | None,
        typer.Option("--anecdote", help="What a customer said or did (repeatable)."),
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", help="An action item the inspection decided (repeatable)."),
    ] = None,
    push: PushOpt = False,
) -> None:
    """Record an inspection of an active mechanism: its outcome, data and anecdotes (one commit)."""
    from mechctl.services.inspect import inspect as run
    from mechctl.store.layout import check_mechanism_id

    check_mechanism_id(mechanism_id)
    outcome = need(outcome, "--outcome", "Outcome: on-track, at-risk or off-track")
    replay = ["inspect", mechanism_id, "--outcome", outcome]
    for flag, values in (("--metric", metric), ("--anecdote", anecdote), ("--action", action)):
        for value in values or []:
            replay += [flag, value]
    set_replay(replay)
    result = run(workspace(push), mechanism_id, outcome, metric or [], anecdote or [], action or [])
    for message in result.warnings:
        warn(message)
    entry = result.entry
    note(f"recorded the {entry['date']} inspection of {mechanism_id}: {entry['outcome']}")


def due(
    within: Annotated[
        int,
        typer.Option("--within", min=0, metavar="DAYS", help="Show those due within DAYS days."),
    ] = 7,
    fail_on_overdue: Annotated[
        bool, typer.Option("--fail-on-overdue", help="Exit 1 if any inspection is overdue (CI).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the active mechanisms whose inspection is due or overdue, overdue first."""
    from mechctl.services.due import due as run

    report = run(workspace(), within)
    from mechctl.cli.skipped import warn_skipped

    warn_skipped(report.problems)
    if as_json:
        print_json([item.as_json() for item in report.items])
    elif not report.items:
        note(f"no inspection is due within {within} day{'s' if within != 1 else ''}")
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("ID", "OWNER", "CADENCE", "LAST INSPECTED", "DUE", "WHEN"):
            table.add_column(column, no_wrap=True)
        for item in report.items:
            if item.overdue:
                days = -item.days
                when = Text(f"overdue by {days} day{'s' if days != 1 else ''}", style="red")
            elif item.days == 0:
                when = Text("due today", style="yellow")
            else:
                when = Text(f"due in {item.days} day{'s' if item.days != 1 else ''}")
            last = str(item.last_inspected) if item.last_inspected else "never"
            table.add_row(item.mechanism, item.owner, item.cadence, last, str(item.due), when)
        console().print(table)
    if fail_on_overdue and report.overdue:
        from mechctl.errors import MechctlError

        names = ", ".join(item.mechanism for item in report.overdue)
        count = len(report.overdue)
        raise MechctlError(f"{count} inspection{'s are' if count != 1 else ' is'} overdue: {names}")
