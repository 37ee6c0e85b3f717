"""The audit trail: `mechctl history`, `diff`, `undo` and `audit`, all read from git."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, LimitOpt, NoPagerOpt, PushOpt
from mechctl.cli.output import console, note, print_json, stdin_is_terminal, warn, workspace

if TYPE_CHECKING:
    from mechctl.cli.listing import Grid, Line, Row
    from mechctl.services.audit import AuditEntry
    from mechctl.services.history import History


class DiffFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def _record_ids(incomplete: str) -> list[str]:
    return complete.mechanism_ids(incomplete) + complete.escalation_ids(incomplete)


def _name(author: str) -> str:
    return author.split(" <", 1)[0]


def history(
    record: Annotated[
        str,
        typer.Argument(
            help="A mechanism id, or an escalation id or abbreviation.",
            autocompletion=_record_ids,
            metavar="ID",
        ),
    ],
    limit: LimitOpt = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a record's audit trail from git, newest first: who changed which fields, and how."""
    from dataclasses import replace

    from mechctl.services.history import history as run

    found = run(workspace(), record)
    every = len(found.entries)
    if found.partial:
        oldest = found.entries[-1].date.date() if found.entries else None
        since = f" before {oldest}" if oldest else ""
        note(
            f"note: this is a shallow clone, so the history is partial: commits{since} are"
            " missing (`git fetch --unshallow` fetches them)"
        )
    if limit is not None:
        found = replace(found, entries=found.entries[:limit])
    if as_json:
        print_json(found.as_json())
    elif not found.entries:
        note(f"no commit has touched {found.path} yet")
        return
    else:
        from mechctl.cli.listing import show

        show(_history_lines(found, every), no_pager=no_pager)
    if len(found.entries) < every:
        note(f"note: showing {len(found.entries)} of {every} commits (--limit {limit})")


def _history_lines(found: History, count: int) -> Iterator[Line]:
    """Each line as cells (cli/listing.py): record text stays plain text, never markup."""
    yield [
        (
            f"{found.kind} {found.record} ({found.path}): {count} commit"
            f"{'s' if count != 1 else ''}, newest first",
            "bold",
        )
    ]
    for entry in found.entries:
        yield [("", "")]
        yield [
            (f"{entry.commit[:10]}  {entry.date:%Y-%m-%d %H:%M}  {_name(entry.author)}  ", ""),
            (entry.action_text, "yellow" if entry.hand_edit else "cyan"),
        ]
        lines = []
        if entry.event == "created":
            lines.append("created")
        elif entry.event == "deleted":
            lines.append("deleted")
        elif entry.event == "earliest":
            lines.append("the earliest version in this shallow clone")
        elif entry.event == "renamed":
            lines.append(f"renamed from {entry.renamed_from}")
        lines += [change.summary() for change in entry.changes]
        if entry.event in ("changed", "renamed") and not entry.changes and not entry.invalid:
            lines.append("no field changed (formatting or comments only)")
        for line in lines:
            yield [(f"  {line}", "")]
        if entry.invalid:
            yield [(f"  invalid at this revision: {entry.invalid}", "red")]


def diff(
    rev_range: Annotated[
        str | None,
        typer.Argument(
            help="REV (against the working tree), A..B, or A...B (B against its merge base"
            " with A, e.g. origin/main...HEAD); by default, the working tree against HEAD.",
            metavar="[REV_RANGE]",
        ),
    ] = None,
    output: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            help="The output format: text, markdown (for a pull-request comment) or json.",
        ),
    ] = DiffFormat.TEXT,
) -> None:
    """Show the field-level change of every record between two revisions, for review."""
    from mechctl.cli.diffview import markdown, text_lines
    from mechctl.services.diff import diff_records

    result = diff_records(workspace(), rev_range)
    if output is DiffFormat.JSON:
        print_json(result.as_json())
    elif output is DiffFormat.MARKDOWN:
        import sys

        sys.stdout.write(markdown(result))
    elif not result.records:
        note("no record changed")
    else:
        for line in text_lines(result):
            console().print(line)


def undo(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    push: PushOpt = False,
) -> None:
    """Revert the last mechctl commit with a new commit, after showing what it undoes."""
    from mechctl.services.undo import plan
    from mechctl.services.undo import undo as run

    ws = workspace(push)
    planned = plan(ws)
    verb = "redo (undo the undo)" if planned.redo else "undo"
    record = f" on {planned.record}" if planned.record and planned.record != "-" else ""
    note(
        f'{verb}: {planned.sha[:10]} "{planned.subject}" ({planned.action}{record}, by'
        f" {_name(planned.author)}, {planned.date:%Y-%m-%d %H:%M} UTC)"
    )
    note(f"  files: {', '.join(planned.files)}")
    if not yes:
        if not stdin_is_terminal():
            from mechctl.errors import UsageError

            raise UsageError("undo needs confirmation: run it on a terminal, or pass --yes")
        if not typer.confirm("Revert this commit?", default=False, err=True):
            note("cancelled; nothing was changed")
            return
    sha = run(ws, planned)
    note(f"reverted {planned.sha[:10]} with a new commit, {sha[:10]}")


def audit(
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only commits from DATE (YYYY-MM-DD, UTC)."),
    ] = None,
    require_signed: Annotated[
        bool,
        typer.Option("--require-signed", help="Exit 1 if any commit is unsigned or badly signed."),
    ] = False,
    limit: LimitOpt = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List every commit that changed a record or .mechctl.yaml: author, date, action, signature."""

    from mechctl.services.audit import audit as run
    from mechctl.services.audit import parse_since
    from mechctl.services.core.action import HAND_EDIT

    report = run(workspace(), parse_since(since))
    for message in report.notes:
        warn(message)
    entries = report.entries if limit is None else report.entries[:limit]
    if as_json:
        # The counts stay those of every commit in the range; --limit cuts only the list.
        data = report.as_json()
        data["entries"] = [entry.as_json() for entry in entries]
        print_json(data)
    elif not report.entries:
        note("no commit changed a record" + (f" since {report.since}" if report.since else ""))
    else:
        from mechctl.cli.listing import show

        show([_audit_grid(entries, require_signed)], no_pager=no_pager)
        count = len(report.entries)
        note(
            f"{count} commit{'s' if count != 1 else ''}, {len(report.hand_edits)} {HAND_EDIT},"
            f" {len(report.unsigned)} not signed"
        )
    if len(entries) < len(report.entries):
        note(f"note: showing {len(entries)} of {len(report.entries)} commits (--limit {limit})")
    if require_signed and report.unsigned:
        from mechctl.errors import MechctlError

        bad = report.unsigned
        shown = ", ".join(f"{e.commit[:10]} ({e.signature_text})" for e in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise MechctlError(
            f"{len(bad)} commit{'s are' if len(bad) != 1 else ' is'} not signed with a good"
            f" signature: {shown}{more}"
        )


def _audit_grid(entries: list[AuditEntry], require_signed: bool) -> Grid:
    from mechctl.cli.listing import Column, Grid

    columns = [
        Column("COMMIT", 10),
        Column("DATE", len("2026-11-01 12:00")),
        Column("AUTHOR"),
        Column("ACTION"),
        Column("RECORDS", wrap=True),
        Column("SIGNATURE"),
    ]
    return Grid(columns, _audit_rows(entries, require_signed))


def _audit_rows(entries: list[AuditEntry], require_signed: bool) -> Iterator[Row]:
    for entry in entries:
        records = ", ".join(entry.records[:3]) + (" …" if len(entry.records) > 3 else "")
        signature = "green" if entry.signed else ("red" if require_signed else "dim")
        yield (
            (entry.commit[:10], ""),
            (f"{entry.date:%Y-%m-%d %H:%M}", ""),
            (_name(entry.author), ""),
            (entry.action_text, "yellow" if entry.hand_edit else ""),
            (records, ""),
            (entry.signature_text, signature),
        )
