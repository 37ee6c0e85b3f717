"""Options that many commands share, each declared once with one help text (docs/design.md §4)."""

from __future__ import annotations

from typing import Annotated

import typer

# Every read command's `--json` (docs/design.md §4): the data, and nothing else, on stdout.
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json", help="Give the output as JSON for machines, with nothing else on stdout."
    ),
]
PushOpt = Annotated[
    bool,
    typer.Option(
        "--push", help="After the commit, sync: pull --rebase, then push (see `mechctl sync`)."
    ),
]
