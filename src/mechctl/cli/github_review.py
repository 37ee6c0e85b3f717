"""`mechctl github review`: the record diff of a pull request as its one review comment."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from mechctl.cli.options import JsonOpt
from mechctl.cli.output import note, print_json, workspace


def review(
    base: Annotated[
        str | None,
        typer.Option(
            help="Compare from REF (default: the event's pull_request.base.sha).", metavar="REF"
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(
            help="Compare to REF (default: the event's pull_request.head.sha).", metavar="REF"
        ),
    ] = None,
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="The repository on GitHub (default: $GITHUB_REPOSITORY).",
            metavar="OWNER/NAME",
        ),
    ] = None,
    pr: Annotated[
        int | None,
        typer.Option(
            "--pr", min=1, help="The pull request's number (default: the event's).", metavar="N"
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the comment instead of posting it; no API call."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep one comment on a pull request with its record diff, updated on each push.

    The comment is `mechctl diff BASE...HEAD --format markdown` (removed: no record changed).

    Needs GITHUB_TOKEN with `pull-requests: write`, and both commits (`fetch-depth: 0`).
    """
    from mechctl.cli.diffview import markdown
    from mechctl.services.diff import diff_records
    from mechctl.services.github.review import body, publish, pull_request, read_event

    event_path = os.environ.get("GITHUB_EVENT_PATH")
    event = read_event(event_path) if event_path else None
    target = pull_request(
        event,
        where=event_path or "the environment (GITHUB_EVENT_PATH is not set)",
        repo=repo or os.environ.get("GITHUB_REPOSITORY") or None,
        number=pr,
        base=base,
        head=head,
    )
    result = diff_records(workspace(), f"{target.base}...{target.head}")
    text = markdown(result)
    changed = bool(result.records)
    if dry_run:
        if as_json:
            print_json(
                {
                    "repo": target.repo,
                    "pr": target.number,
                    "changed": changed,
                    "body": body(text) if changed else None,
                }
            )
        elif changed:
            sys.stdout.write(body(text))
        else:
            note(f"no record changed: the review comment on #{target.number} would be removed")
        return
    from mechctl.services.github.api import GitHub

    with GitHub.from_env() as gh:
        outcome = publish(gh, target, text, changed=changed)
    if as_json:
        print_json(
            {
                "repo": target.repo,
                "pr": target.number,
                "records": len(result.records),
                **outcome.as_json(),
            }
        )
        return
    where = f"{target.repo}#{target.number}"
    extra = f" (deleted {len(outcome.deleted)} duplicate(s))" if outcome.deleted and changed else ""
    messages = {
        "created": f"review comment posted on {where}: {outcome.url}{extra}",
        "updated": f"review comment updated on {where}: {outcome.url}{extra}",
        "unchanged": f"review comment on {where} is up to date: {outcome.url}{extra}",
        "deleted": f"no record changed: review comment removed from {where}",
        "none": f"no record changed: no review comment on {where}",
    }
    note(messages[outcome.action])
