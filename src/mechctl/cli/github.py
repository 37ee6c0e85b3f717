"""`mechctl github …`: mechctl on GitHub (docs/design.md §4): the review comment on a pull
request, and the escalation issue form with its workflow."""

from __future__ import annotations

from typing import Annotated

import typer

from mechctl.cli.github_review import review
from mechctl.cli.output import note, workspace

app = typer.Typer(no_args_is_help=True)
app.command("review")(review)


@app.command("setup")
def setup(
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 naming each file that is missing or stale."),
    ] = False,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            metavar="USES",
            help="The `uses:` of the mechctl action in the workflow, e.g. OWNER/mechctl@v1"
            " (default: the existing workflow's, else ./ in mechctl's own repository).",
        ),
    ] = None,
) -> None:
    """Write the escalation issue form (a dropdown of the active mechanisms) and its workflow.

    Files: .github/ISSUE_TEMPLATE/escalate.yml and .github/workflows/mechctl-intake.yml.

    The files are written, not committed: commit them with the change that caused them.
    """
    from mechctl.errors import MechctlError
    from mechctl.services.github import setup as service

    ws = workspace()
    plans = service.plan(ws, action) if check else service.write(ws, action)
    stale = [p for p in plans if p.stale]
    for item in plans:
        if not item.stale:
            note(f"{item.rel} is up to date")
        elif not check:
            note(f"wrote {item.rel}")
    if check and stale:
        what = ", ".join(f"{p.rel} is {'missing' if p.before is None else 'stale'}" for p in stale)
        raise MechctlError(what, hint="run `mechctl github setup` and commit the files")
    if stale and not check:
        note("commit them with the change that caused them")
