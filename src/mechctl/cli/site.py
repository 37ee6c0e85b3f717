"""`mechctl site`: build the static site of the records, optionally serving it locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechctl.cli.options import JsonOpt
from mechctl.cli.output import note, warn, workspace


def site(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Write the site into DIR.", metavar="DIR"),
    ] = Path("_site"),
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            min=0,
            help="How many weekly reports to archive, counting back from this week (0: none;"
            " needs the `report` extra).",
            metavar="N",
        ),
    ] = 12,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Then serve the site on 127.0.0.1 until interrupted."),
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            "--port", min=0, max=65535, help="The port for --serve (0: any free one).", metavar="N"
        ),
    ] = 8000,
    search: Annotated[
        bool,
        typer.Option(
            "--search/--no-search",
            help="Index the pages for search with Pagefind, when it is installed (the `site`"
            " extra); on a large site this is most of a build's time and memory.",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Build a static site of the mechanisms, escalations and weekly reports (GitHub Pages)."""
    import json
    import sys

    from mechctl.services.site.build import build_site
    from mechctl.services.site.output import check_out

    check_out(out)
    if weeks:
        from mechctl.cli.report.html import require_charts

        require_charts()
    ws = workspace()
    result = build_site(ws, out, weeks=weeks, search=search)
    if result.skipped:
        warn(f"{result.skipped} invalid file(s) are not shown (run `mechctl lint`)")
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "out": str(out),
                    "pages": result.pages,
                    "written": result.written,
                    "removed": result.removed,
                    "unchanged": result.unchanged,
                },
                indent=2,
            )
            + "\n"
        )
    else:
        note(
            f"wrote {out}: {len(result.written)} file(s) written, {len(result.removed)} removed,"
            f" {result.unchanged} unchanged"
        )
    if serve:
        _serve(out, port)


def _serve(out: Path, port: int) -> None:
    import contextlib
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        bound = server.server_address[1]
        note(f"serving {out} at http://127.0.0.1:{bound}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
