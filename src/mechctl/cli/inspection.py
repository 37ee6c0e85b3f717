"""`mechctl inspect` and `mechctl due`: the inspection loop of a mechanism."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, LimitOpt, NoPagerOpt, PushOpt
from mechctl.cli.output import need, note, set_replay, warn, workspace

if TYPE_CHECKING:
    pass

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
    limit: LimitOpt = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List the active mechanisms whose inspection is due or overdue, overdue first."""
    from mechctl.cli.reads import due as run

    run(
        within=within,
        fail_on_overdue=fail_on_overdue,
        limit=limit,
        no_pager=no_pager,
        as_json=as_json,
    )
