"""The audit trail: `mechctl history`, `diff`, `undo` and `audit`, all read from git."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, PushOpt
from mechctl.cli.output import console, note, print_json, stdin_is_terminal, warn, workspace

if TYPE_CHECKING:
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
    as_json: JsonOpt = False,
) -> None:
    """Show a record's audit trail from git, newest first: who changed which fields, and how."""
    from mechctl.services.history import history as run

    found = run(workspace(), record)
    if found.partial:
        oldest = found.entries[-1].date.date() if found.entries else None
        since = f" before {oldest}" if oldest else ""
        note(
            f"note: this is a shallow clone, so the history is partial: commits{since} are"
            " missing (`git fetch --unshallow` fetches them)"
        )
    if as_json:
        print_json(found.as_json())
        return
    if not found.entries:
        note(f"no commit has touched {found.path} yet")
        return
    _print_history(found)


def _print_history(found: History) -> None:
    from rich.text import Text

    out = console()
    count = len(found.entries)
    out.print(
        Text(
            f"{found.kind} {found.record} ({found.path}): {count} commit"
            f"{'s' if count != 1 else ''}, newest first",
            style="bold",
        )
    )
    for entry in found.entries:
        head = Text(f"\n{entry.commit[:10]}  {entry.date:%Y-%m-%d %H:%M}  {_name(entry.author)}  ")
        head.append(entry.action_text, style="yellow" if entry.hand_edit else "cyan")
        out.print(head)
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
            out.print(Text(f"  {line}"))
        if entry.invalid:
            out.print(Text(f"  invalid at this revision: {entry.invalid}", style="red"))


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
    as_json: JsonOpt = False,
) -> None:
    """List every commit that changed a record or .mechctl.yaml: author, date, action, signature."""
    from mechctl.services.audit import audit as run
    from mechctl.services.audit import parse_since
    from mechctl.services.core.action import HAND_EDIT

    report = run(workspace(), parse_since(since))
    for message in report.notes:
        warn(message)
    if as_json:
        print_json(report.as_json())
    elif not report.entries:
        note("no commit changed a record" + (f" since {report.since}" if report.since else ""))
    else:
        _print_audit(report.entries, require_signed)
        count = len(report.entries)
        note(
            f"{count} commit{'s' if count != 1 else ''}, {len(report.hand_edits)} {HAND_EDIT},"
            f" {len(report.unsigned)} not signed"
        )
    if require_signed and report.unsigned:
        from mechctl.errors import MechctlError

        bad = report.unsigned
        shown = ", ".join(f"{e.commit[:10]} ({e.signature_text})" for e in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise MechctlError(
            f"{len(bad)} commit{'s are' if len(bad) != 1 else ' is'} not signed with a good"
            f" signature: {shown}{more}"
        )


def _print_audit(entries: list[AuditEntry], require_signed: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("COMMIT", "DATE", "AUTHOR", "ACTION", "RECORDS", "SIGNATURE"):
        table.add_column(column, no_wrap=column != "RECORDS")
    for entry in entries:
        records = ", ".join(entry.records[:3]) + (" …" if len(entry.records) > 3 else "")
        action = Text(entry.action_text, style="yellow" if entry.hand_edit else "")
        signature = Text(
            entry.signature_text,
            style="green" if entry.signed else ("red" if require_signed else "dim"),
        )
        table.add_row(
            entry.commit[:10],
            f"{entry.date:%Y-%m-%d %H:%M}",
            _name(entry.author),
            action,
            records,
            signature,
        )
    console().print(table)
