"""`mechctl intake …`: escalations raised from outside git (a GitHub issue form)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechctl.cli.options import JsonOpt
from mechctl.cli.output import note, print_json, warn, workspace

app = typer.Typer(no_args_is_help=True)


@app.command("github-issue")
def github_issue(
    event_path: Annotated[
        Path,
        typer.Argument(
            help="The `issues` event GitHub gives the workflow ($GITHUB_EVENT_PATH).",
            metavar="EVENT.json",
            show_default=False,
        ),
    ],
    push: Annotated[
        bool,
        typer.Option(
            "--push",
            help="Bring the clone up to date first, then push the commit (rebasing again"
            " while another run pushed first).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Raise the escalation an issue from the form asks for (one commit); answer with its id.

    Bad input gets a comment on the issue saying what to fix, exit 1 and no commit.

    The same issue is never escalated twice. It needs GITHUB_TOKEN (and GITHUB_API_URL).
    """
    import json

    from mechctl.errors import MechctlError
    from mechctl.services.github.api import GitHub
    from mechctl.services.github.intake import intake

    try:
        event = json.loads(event_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MechctlError(f"cannot read {event_path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise MechctlError(f"{event_path}: not JSON ({exc})") from None
    gh = GitHub.from_env()
    result = intake(workspace(), event, gh, push=push)
    for message in result.warnings:
        warn(message)
    number = f"issue #{result.issue.number}" if result.issue is not None else "the event"
    if as_json:
        print_json(
            {
                "outcome": result.outcome,
                "issue": result.issue.url if result.issue is not None else None,
                "id": result.escalation_id,
                "path": result.rel,
            }
        )
    elif result.escalation_id is not None:
        print(result.escalation_id)
    if result.outcome == "skipped":
        note(f"{number} was not opened from the escalation form: nothing to do")
    elif result.outcome == "already":
        note(f"{number} is already escalated as {result.escalation_id}: nothing new recorded")
    else:
        note(f"{number} escalated as {result.escalation_id} ({result.rel})")
