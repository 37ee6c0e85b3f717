"""`mechctl init` and `mechctl schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechctl.cli.output import STATE, note, workspace


def init(
    path: Annotated[
        Path | None,
        typer.Argument(help="The folder to set up (default: the current one, or -C)."),
    ] = None,
) -> None:
    """Make a folder a mechanism repository: configuration, folders and schemas, in one commit."""
    from mechctl.services.init import init_repository

    target = path if path is not None else (STATE.repo or Path.cwd())
    result = init_repository(target)
    if not result.created:
        note(f"{result.root} is already a mechctl repository; nothing changed")
        return
    if result.new_repository:
        note(f"created a git repository in {result.root}")
    note(f"initialised mechctl in {result.root} ({len(result.files)} files, one commit)")
    note("next: mechctl mechanism new ID --title T --owner TEAM --problem P [--template wbr]")


def schema(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 if schemas/ is stale, instead of writing.")
    ] = False,
) -> None:
    """Write the JSON Schemas in schemas/ from the models, or check that they are current.

    The files are generated, not records: commit them with the change that caused them.
    """
    from mechctl.errors import MechctlError
    from mechctl.services.schema import stale_schemas, write_schemas

    ws = workspace()
    if check:
        stale = stale_schemas(ws.root)
        if stale:
            raise MechctlError(
                f"schemas are stale: {', '.join(stale)}", hint="run `mechctl schema` and commit"
            )
        note("schemas are up to date")
        return
    written = write_schemas(ws.root)
    note(f"wrote {', '.join(written)}" if written else "schemas are up to date")
