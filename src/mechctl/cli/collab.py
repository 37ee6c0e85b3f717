"""`mechctl sync`, `mechctl merge-driver`, `mechctl doctor`: working with other clones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechctl.cli.options import JsonOpt
from mechctl.cli.output import console, note, print_json, workspace


def sync(
    remote: Annotated[
        str | None, typer.Option("--remote", help="The remote (default: sync.remote, origin).")
    ] = None,
) -> None:
    """Pull with rebase, then push, and try again while others push first.

    A rebase that stops on a conflict is aborted at once, and the repository is left as it was.
    """
    from mechctl.services.sync import sync as run

    result = run(workspace(), remote)
    tries = "" if result.attempts == 1 else f" after {result.attempts} attempts"
    note(f"synced with {result.remote}/{result.branch}{tries}")


def merge_driver(
    base: Annotated[Path, typer.Argument(help="The common ancestor's version (%O).")],
    ours: Annotated[Path, typer.Argument(help="Our version; the result is written here (%A).")],
    theirs: Annotated[Path, typer.Argument(help="Their version (%B).")],
    path: Annotated[
        str | None, typer.Argument(help="The record's path, for messages (%P).")
    ] = None,
) -> None:
    """Merge two versions of a record field by field (git runs this; see `mechctl doctor`).

    It exits 0 when the merge is clean, and 1 when a field changed both ways (left between markers).
    """
    from mechctl.git.repo import Git
    from mechctl.services.merge import run_driver
    from mechctl.store.yamlio import YamlProblem

    name = path or ours.name
    try:
        conflicts = run_driver(base, ours, theirs, name)
    except YamlProblem as exc:
        note(f"mechctl merge-driver: {exc}; falling back to a line merge")
        if not Git.merge_file(Path.cwd(), ours, base, theirs):
            raise typer.Exit(1) from None
        return
    for conflict in conflicts:
        note(f"mechctl merge-driver: {name}: {'.'.join(conflict.path)} changed on both sides")
    if conflicts:
        raise typer.Exit(1)


def doctor(as_json: JsonOpt = False) -> None:
    """Check this clone: identity, configuration, merge driver, schemas, hooks and remote."""
    from rich.table import Table
    from rich.text import Text

    from mechctl.services.doctor import checks

    found = checks(workspace())
    if as_json:
        print_json([c.__dict__ for c in found])
    else:
        table = Table(box=None, show_header=False, pad_edge=False)
        style = {"ok": "green", "warn": "yellow", "fail": "bold red"}
        for check in found:
            # Text, never a str: a detail quotes paths and values, which rich would read as markup.
            table.add_row(
                Text(check.status, style=style[check.status]), Text(check.name), Text(check.detail)
            )
            if check.fix and check.status != "ok":
                table.add_row("", "", Text(f"fix: {check.fix}", style="dim"))
        console().print(table)
    if any(check.status == "fail" for check in found):
        raise typer.Exit(1)
