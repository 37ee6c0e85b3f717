"""`mechctl report`: the weekly business review of the mechanisms, in four formats."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mechctl.cli.options import JsonOpt
from mechctl.cli.output import note, warn, workspace

if TYPE_CHECKING:
    from mechctl.services.report.data import Report


class ReportFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"


def _text(data: Report, to_file: bool) -> str | None:
    """Plain aligned rows on a pipe and in a file, written as they come; on a terminal,
    rich when it fits on the screen, else the pager (cli/listing.py)."""
    from mechctl.cli.listing import plain, show
    from mechctl.cli.report.text import render

    if to_file:
        return plain(render(data))
    show(render(data))
    return None


def _render(data: Report, fmt: ReportFormat, to_file: bool) -> str | None:
    if fmt is ReportFormat.JSON:
        from mechctl.services.report.data import dumps

        # orjson: every figure of 100,000 escalations in milliseconds, not seconds.
        return dumps(data).decode("utf-8") + "\n"
    if fmt is ReportFormat.MARKDOWN:
        from mechctl.cli.report.markdown import render

        return render(data)
    if fmt is ReportFormat.HTML:
        from mechctl.cli.report.html import render as html

        return html(data)
    return _text(data, to_file)


def report(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="The start of the period: a date (from 00:00Z) or an ISO-8601 time (default:"
            " 7 days before --until).",
            metavar="DATE",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="The end of the period: a date (through 24:00Z) or an ISO-8601 time (default:"
            " now).",
            metavar="DATE",
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="The output format: text (terminal), markdown (wiki, pull-request comment),"
            " json (every figure), or html (one self-contained file with charts; needs the"
            " `report` extra).",
        ),
    ] = ReportFormat.TEXT,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the report to FILE instead of stdout.", metavar="FILE"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the weekly review of the mechanisms: escalations, strain, loop closure, inspections."""
    from mechctl.cli.progress import loading
    from mechctl.errors import UsageError
    from mechctl.services.report.build import build_report, check_target, parse_period, save

    if as_json:
        if fmt not in (ReportFormat.TEXT, ReportFormat.JSON):
            raise UsageError(f"--json conflicts with --format {fmt.value}")
        fmt = ReportFormat.JSON
    ws = workspace()
    period = parse_period(since, until, ws.now())
    if out is not None:
        check_target(out)
    if fmt is ReportFormat.HTML:
        from mechctl.cli.report.html import require_charts

        require_charts()  # before minutes of loading, not after
    with loading("escalations") as progress:
        data = build_report(ws, period, progress=progress)
    if data.skipped:
        warn(f"{len(data.skipped)} invalid file(s) are not counted (run `mechctl lint`)")
    text = _render(data, fmt, to_file=out is not None)
    if out is not None:
        assert text is not None
        save(out, text)
        note(f"wrote {out}")
    elif text is not None:
        sys.stdout.write(text)
