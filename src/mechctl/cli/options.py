"""Options that many commands share, each declared once with one help text (docs/design.md §4)."""

from __future__ import annotations

from typing import Annotated

import typer

from mechctl.cli import flags

# Every read command's `--json` (docs/design.md §4): the data, and nothing else, on stdout.
JsonOpt = Annotated[
    bool,
    typer.Option(
        flags.JSON, help="Give the output as JSON for machines, with nothing else on stdout."
    ),
]
PushOpt = Annotated[
    bool,
    typer.Option(
        "--push", help="After the commit, sync: pull --rebase, then push (see `mechctl sync`)."
    ),
]
# Every listing's `--limit` and `--no-pager` (cli/listing.py, cli/pager.py).
LimitOpt = Annotated[
    int | None,
    typer.Option(
        flags.LIMIT,
        min=1,
        metavar="N",
        help="Show only the first N rows; a note on stderr says how many were left out.",
    ),
]
NoPagerOpt = Annotated[
    bool,
    typer.Option(
        flags.NO_PAGER,
        help="On a terminal, print a long listing straight out instead of through the pager.",
    ),
]
