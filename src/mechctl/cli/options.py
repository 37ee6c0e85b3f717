"""Options shared by many commands."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines, alone on stdout.")]
PushOpt = Annotated[
    bool,
    typer.Option(
        "--push", help="After the commit, sync: pull --rebase, then push (see `mechctl sync`)."
    ),
]
