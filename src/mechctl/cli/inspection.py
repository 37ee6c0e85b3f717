"""`mechctl inspect` and `mechctl due`: the inspection loop of a mechanism."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, LimitOpt, NoPagerOpt, PushOpt
from mechctl.cli.output import need, note, set_replay, stream_json, warn, workspace

if TYPE_CHECKING:
    from mechctl.cli.listing import Grid, Row
    from mechctl.services.due import DueItem

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
    from mechctl.cli.listing import Limit, show
    from mechctl.services.due import due as run

    report = run(workspace(), within)
    from mechctl.cli.skipped import warn_skipped

    warn_skipped(report.problems)
    items = Limit(report.items, limit)
    if as_json:
        stream_json(item.as_json() for item in items)
        items.note("inspections")
    elif not show([_due_grid(items)], no_pager=no_pager):
        note(f"no inspection is due within {within} day{'s' if within != 1 else ''}")
    else:
        items.note("inspections")
    if fail_on_overdue and report.overdue:
        from mechctl.errors import MechctlError

        names = ", ".join(item.mechanism for item in report.overdue)
        count = len(report.overdue)
        raise MechctlError(f"{count} inspection{'s are' if count != 1 else ' is'} overdue: {names}")


def _due_grid(items: Iterable[DueItem]) -> Grid:
    from mechctl.cli.listing import Column, Grid
    from mechctl.models.enums import Cadence

    columns = [
        Column("ID"),
        Column("OWNER"),
        Column("CADENCE", max(len(c.value) for c in Cadence)),
        Column("LAST INSPECTED", len("2026-11-01")),
        Column("DUE", len("2026-11-01")),
        Column("WHEN"),
    ]
    return Grid(columns, _due_rows(items))


def _due_rows(items: Iterable[DueItem]) -> Iterator[Row]:
    for item in items:
        if item.overdue:
            days = -item.days
            when = (f"overdue by {days} day{'s' if days != 1 else ''}", "red")
        elif item.days == 0:
            when = ("due today", "yellow")
        else:
            when = (f"due in {item.days} day{'s' if item.days != 1 else ''}", "")
        last = str(item.last_inspected) if item.last_inspected else "never"
        yield (
            (item.mechanism, ""),
            (item.owner, ""),
            (item.cadence, ""),
            (last, ""),
            (str(item.due), ""),
            when,
        )
