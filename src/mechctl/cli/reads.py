"""The bodies of the everyday read commands, free of typer: `escalation list`, `escalation
show`, `mechanism list`, `due` and `status` (docs/design.md §8).

The typer commands (cli/escalation.py, cli/mechanism.py, cli/inspection.py, cli/status.py)
parse their options and call these; so does cli/fastpath.py, which parses a plain command line
itself before typer is even imported. Both paths run this same code, so they print the same
bytes: the arguments arrive as plain strings and numbers, already checked by whichever parser
read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mechctl.cli.output import console, note, print_json, stream_json, stream_json_items, workspace

if TYPE_CHECKING:
    from pathlib import Path

    from mechctl.cli.listing import Grid, Part, Row
    from mechctl.services.due import DueItem
    from mechctl.services.status import Status


def escalation_list(
    *,
    status: str | None = None,
    mechanism: str | None = None,
    severity: str | None = None,
    failure_mode: str | None = None,
    limit: int | None = None,
    no_pager: bool = False,
    as_json: bool = False,
) -> None:
    # Only what a listing needs: the index and the configuration's facts, no models.
    from mechctl.cli.listing import Limit, show
    from mechctl.cli.skipped import warn_skipped
    from mechctl.clock import now
    from mechctl.errors import UsageError
    from mechctl.services.escalation.listing import STATUSES, derived_json, listing

    allowed = [*STATUSES, "all"]
    if status is not None and status not in allowed:
        raise UsageError(f"unknown --status {status!r}; allowed: {', '.join(allowed)}")
    ws = workspace()
    with listing(
        ws,
        status=status,
        mechanism=mechanism,
        severity=severity,
        failure_mode=failure_mode,
        times="epoch" if as_json else False,
    ) as (found, problems, facts):
        warn_skipped(problems)
        moment = now()
        rows = Limit(found, limit)
        if as_json:
            # Each record as the index keeps it, the figures added as its last key: what
            # stream_json would write for {**record, "derived": figures}, without parsing.
            write = derived_json(facts, moment)
            stream_json_items(write(shown, times) for shown, times in rows)
        else:
            from mechctl.cli.escalation_grid import escalation_grid

            grid = escalation_grid(rows, facts, moment, ws.root)
            if not show([grid], no_pager=no_pager):
                note("no escalations" + ("" if status == "all" else " match (try --status all)"))
                return
        # Inside the index's context: counting what --limit left out reads more rows.
        rows.note("escalations")


def escalation_show(escalation_id: str, *, as_json: bool = False) -> None:
    # From the index's row and the configuration's facts, no models.
    from mechctl.clock import now
    from mechctl.services.escalation.listing import deriver
    from mechctl.services.escalation.lookup import find_row
    from mechctl.services.notify.history import notifications

    ws = workspace()
    row, facts = find_row(ws, escalation_id)
    told = notifications(ws, row["id"])
    if as_json:
        print_json({**row, "derived": deriver(facts, now())(row), "notifications": told})
        return
    from mechctl.cli.render_escalation import escalation_detail

    print(row["id"])
    console().print(escalation_detail(row, facts, now()))
    if told:
        print("\nNotified")
        for item in told:
            print(f"  {item['at']}  {item['event']:<18} {item['channel']} ({item['level']})")


def mechanism_list(
    *,
    status: str | None = None,
    owner: str | None = None,
    limit: int | None = None,
    no_pager: bool = False,
    as_json: bool = False,
) -> None:
    # Rows as the index keeps them, never models.
    from mechctl.cli.listing import Limit, show
    from mechctl.cli.mechanism_grid import mechanism_grid
    from mechctl.cli.skipped import warn_skipped
    from mechctl.services.mechanism.listing import mechanism_rows

    listed, problems = mechanism_rows(workspace(), status=status, owner=owner)
    warn_skipped(problems)
    found = Limit(listed, limit)
    if as_json:
        stream_json(found)
    elif not show([mechanism_grid(found)], no_pager=no_pager):
        note("no mechanisms" + (" match" if status or owner else " yet"))
        return
    found.note("mechanisms")


def due(
    *,
    within: int = 7,
    fail_on_overdue: bool = False,
    limit: int | None = None,
    no_pager: bool = False,
    as_json: bool = False,
) -> None:
    from mechctl.cli.listing import Limit, show
    from mechctl.cli.skipped import warn_skipped
    from mechctl.services.due import due as run

    report = run(workspace(), within)
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


def status(*, team: list[str] | None = None, no_pager: bool = False, as_json: bool = False) -> None:
    from mechctl.cli.progress import loading
    from mechctl.cli.skipped import warn_skipped
    from mechctl.services.status import status as build
    from mechctl.services.status import to_json

    ws = workspace()
    with loading("escalations") as progress:
        found = build(ws, team, progress=progress)
    warn_skipped(found.checks.problems)
    if as_json:
        print_json(to_json(found, ws.now()))
        return
    from mechctl.cli.listing import show

    show(_status_parts(found, ws.root), no_pager=no_pager)


def _status_parts(found: Status, root: Path) -> list[Part]:
    """The screen as parts for cli/listing.py: plain rows on a pipe, rich on a terminal."""
    from mechctl.cli.escalation_grid import escalation_grid
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
            parts.append(escalation_grid(items, found.facts, now, root))
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
