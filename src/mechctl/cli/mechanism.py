"""`mechctl mechanism …`: new, list, show, edit, set, activate, retire."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, LimitOpt, NoPagerOpt, PushOpt
from mechctl.cli.output import (
    console,
    need,
    note,
    print_json,
    set_replay,
    workspace,
)
from mechctl.models import MechanismKind, MechanismStatus

app = typer.Typer(no_args_is_help=True)

IdArg = Annotated[
    str,
    typer.Argument(
        help="The mechanism id (lowercase kebab-case).",
        autocompletion=complete.mechanism_ids,
        metavar="ID",
    ),
]
WhyOpt = Annotated[
    str | None, typer.Option("--why", help="Why the definition changes (kept in iterations).")
]
EscOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--escalation",
        help="An escalation that led to this change (repeatable; abbreviations accepted).",
        autocompletion=complete.escalation_ids,
    ),
]


def _id(value: str) -> str:
    from mechctl.store.layout import check_mechanism_id

    return check_mechanism_id(value)


@app.command("new")
def new(
    mechanism_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="A short name.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="The owning team (never a person).")
    ] = None,
    problem: Annotated[
        str | None, typer.Option("--problem", help="The recurring business problem it solves.")
    ] = None,
    kind: Annotated[
        MechanismKind | None, typer.Option("--kind", help="What sort of mechanism.")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="Start from a complete, well-known mechanism: bar-raiser, wbr, operating-plan,"
            " prfaq, narrative.",
            autocompletion=complete.templates,
        ),
    ] = None,
    push: PushOpt = False,
) -> None:
    """Create a draft mechanism (one commit). Activate it when it is complete."""
    from mechctl.services.mechanism.new import TEMPLATES, new_mechanism

    _id(mechanism_id)
    if template is not None and template not in TEMPLATES:
        from mechctl.errors import UsageError

        raise UsageError(f"unknown --template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    owner = need(owner, "--owner", "Owning team")
    if template is None:
        title = need(title, "--title", "Title")
        problem = need(problem, "--problem", "The recurring problem it solves")
    replay = ["mechanism", "new", mechanism_id, "--owner", owner]
    for flag, value in (("--title", title), ("--problem", problem), ("--template", template)):
        if value:
            replay += [flag, value]
    set_replay(replay)
    mechanism = new_mechanism(
        workspace(push),
        mechanism_id,
        title=title,
        owner=owner,
        problem=problem,
        kind=kind,
        template_name=template,
    )
    print(mechanism.id)
    note(
        f"created draft mechanism {mechanism.id!r}; `mechctl mechanism activate {mechanism.id}`"
        " once it is complete"
    )


@app.command("list")
def list_(
    status: Annotated[
        MechanismStatus | None, typer.Option("--status", help="Only this status.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owning team.")] = None,
    limit: LimitOpt = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List mechanisms."""
    from mechctl.cli.reads import mechanism_list

    mechanism_list(
        status=status.value if status is not None else None,
        owner=owner,
        limit=limit,
        no_pager=no_pager,
        as_json=as_json,
    )


@app.command("show")
def show(mechanism_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one mechanism in full."""
    from mechctl.cli.render import mechanism_detail
    from mechctl.services.mechanism.read import load

    found = load(workspace(), _id(mechanism_id)).mechanism
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    console().print(mechanism_detail(found))


@app.command("set")
def set_(
    mechanism_id: IdArg,
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="FIELD.PATH=VALUE, e.g. inspection.cadence=weekly, tool.steps[]='New step'"
            " (append), tool.steps[0]=..., levers='[goals, metrics]'. VALUE is YAML;"
            " an empty VALUE removes the field.",
            metavar="FIELD.PATH=VALUE...",
        ),
    ],
    why: WhyOpt = None,
    escalation: EscOpt = None,
    push: PushOpt = False,
) -> None:
    """Change fields of a mechanism's definition, bump its version and record why (one commit)."""
    from mechctl.services.mechanism.change import set_fields

    _id(mechanism_id)
    why = need(why, "--why", "Why does the mechanism change")
    set_replay(["mechanism", "set", mechanism_id, *assignments, "--why", why])
    result = set_fields(workspace(push), mechanism_id, assignments, why, escalation or [])
    _changed(result)


@app.command("edit")
def edit(
    mechanism_id: IdArg,
    why: WhyOpt = None,
    escalation: EscOpt = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file",
            help="Take the new definition from this file instead of opening $EDITOR"
            " (e.g. a saved draft).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    push: PushOpt = False,
) -> None:
    """Edit a mechanism's definition in $EDITOR (one commit).

    The editor re-opens with the errors on top while the result is invalid.

    Leaving the file unchanged, or emptying it, abandons the edit.
    """
    from mechctl.cli.editing import run_edit

    _id(mechanism_id)
    why = need(why, "--why", "Why does the mechanism change")
    result = run_edit(mechanism_id, why, escalation or [], from_file, push)
    if result is not None:
        _changed(result)


@app.command("activate")
def activate(mechanism_id: IdArg, push: PushOpt = False) -> None:
    """Make a complete draft mechanism active (one commit), or list what it is missing."""
    from mechctl.services.mechanism.state import activate as run

    mechanism = run(workspace(push), _id(mechanism_id))
    note(f"mechanism {mechanism.id!r} is active")


@app.command("retire")
def retire(
    mechanism_id: IdArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is retired.")] = None,
    superseded_by: Annotated[
        str | None,
        typer.Option(
            "--superseded-by",
            help="The mechanism that replaces it.",
            autocompletion=complete.mechanism_ids,
        ),
    ] = None,
    push: PushOpt = False,
) -> None:
    """Retire a mechanism (one commit). Retired mechanisms stay on record."""
    from mechctl.services.mechanism.state import retire as run

    _id(mechanism_id)
    reason = need(reason, "--reason", "Why is it retired")
    set_replay(
        ["mechanism", "retire", mechanism_id, "--reason", reason]
        + (["--superseded-by", superseded_by] if superseded_by else [])
    )
    mechanism = run(workspace(push), mechanism_id, reason, superseded_by)
    note(f"mechanism {mechanism.id!r} is retired")


def _changed(result: object) -> None:
    from mechctl.services.mechanism.change import ChangeResult

    assert isinstance(result, ChangeResult)
    if not result.changed:
        note("no change to the definition; nothing committed")
        return
    note(f"{result.mechanism.id} is now version {result.mechanism.version}")
