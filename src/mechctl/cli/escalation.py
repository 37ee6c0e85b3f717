"""`mechctl escalate` and `mechctl escalation …`: raise, list, show, and move through states."""

from __future__ import annotations

from typing import Annotated

import typer

from mechctl.cli import complete
from mechctl.cli.options import JsonOpt, LimitOpt, NoPagerOpt, PushOpt
from mechctl.cli.output import (
    need,
    note,
    print_json,
    set_replay,
    stdin_is_terminal,
    warn,
    workspace,
)
from mechctl.models import FailureMode, Severity, TimelineAction

app = typer.Typer(no_args_is_help=True)

EscArg = Annotated[
    str,
    typer.Argument(
        help="Escalation id, or a unique abbreviation (the random part or a prefix of it).",
        autocompletion=complete.escalation_ids,
        metavar="ID",
    ),
]


def _prompt_mechanism() -> str | None:
    from mechctl.cli.skipped import warn_skipped
    from mechctl.services.mechanism.listing import mechanism_rows

    found, problems = mechanism_rows(workspace(), status="active")
    warn_skipped(problems)  # a broken mechanism file never blocks an escalation
    active = [m["id"] for m in found]
    note("Which mechanism failed? Known: " + (", ".join(active) or "(none yet)"))
    answer = typer.prompt(
        "Mechanism (empty if no mechanism exists for this)",
        default="",
        err=True,
        show_default=False,
    )
    return answer.strip() or None


def escalate(
    mechanism: Annotated[
        str | None,
        typer.Option(
            "--mechanism",
            "-m",
            help="The mechanism that failed.",
            autocompletion=complete.mechanism_ids,
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help="What went wrong (the what, never the who).")
    ] = None,
    impact: Annotated[
        str | None, typer.Option("--impact", "-i", help="The impact on customers.")
    ] = None,
    severity: Annotated[
        Severity,
        typer.Option(
            "--severity", "-s", help="How bad it is for customers, from sev1 (worst) to sev4."
        ),
    ] = Severity.SEV3,
    failure_mode: Annotated[
        FailureMode | None,
        typer.Option(
            "--failure-mode",
            "-f",
            help="How the mechanism failed (default: other; no-mechanism without one).",
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            "-l",
            help="How high to escalate (default: the configured default_level, which is high).",
        ),
    ] = None,
    ask: Annotated[str | None, typer.Option("--ask", help="What help is needed.")] = None,
    link: Annotated[list[str] | None, typer.Option("--link", help="A link (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    notify_now: Annotated[
        bool,
        typer.Option(
            "--notify",
            help="After the commit, send the `raised` event at once to the channels whose"
            " variables are set here (recorded, so `mechctl notify` does not send it again);"
            " a failed send is a warning and the exit code stays 0.",
        ),
    ] = False,
    as_json: JsonOpt = False,
    push: PushOpt = False,
) -> None:
    """Raise an escalation in one commit, with nobody's approval, and print its id."""
    from mechctl.services.escalation.escalate import raise_escalation

    if mechanism is None and failure_mode is not FailureMode.NO_MECHANISM:
        if stdin_is_terminal():
            mechanism = _prompt_mechanism()
        elif failure_mode is None:
            from mechctl.errors import UsageError

            raise UsageError(
                "missing option --mechanism (or --failure-mode no-mechanism when no mechanism"
                " exists for this)"
            )
    title = need(title, "--title", "What went wrong")
    impact = need(impact, "--impact", "Impact on customers")
    replay = ["escalate", "--title", title, "--impact", impact, "--severity", severity.value]
    if mechanism:
        replay += ["--mechanism", mechanism]
    for flag, value in (
        ("--failure-mode", failure_mode and failure_mode.value),
        ("--level", level),
        ("--ask", ask),
    ):
        if value:
            replay += [flag, value]
    for flag, values in (("--link", link), ("--tag", tag)):
        for value in values or []:
            replay += [flag, value]
    set_replay(replay)
    ws = workspace(push)
    raised = raise_escalation(
        ws,
        title=title,
        impact=impact,
        mechanism_id=mechanism,
        severity=severity,
        failure_mode=failure_mode,
        level=level,
        ask=ask,
        links=link,
        tags=tag,
    )
    for message in raised.warnings:
        warn(message)
    if not as_json:
        print(raised.id, flush=True)  # the id first: sending may take a few seconds
    if notify_now:
        # Only with --notify: a plain `escalate` imports nothing of notify (docs/design.md §8).
        from mechctl.cli.notify import send_raised

        send_raised(ws, raised.record)
    if as_json:
        from mechctl.clock import now
        from mechctl.models import Escalation
        from mechctl.services.escalation.read import as_json as dump

        record = dump(Escalation.model_validate(raised.record), ws.config, now())
        # As `escalation show --json`: without --notify nobody has been told yet.
        told: list[dict[str, object]] = []
        if notify_now:
            from mechctl.services.notify.history import notifications

            told = notifications(ws, raised.id)
        print_json({**record, "notifications": told})


@app.command("list")
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Only this status: open, acknowledged, resolved, closed, or all (default:"
            " unresolved).",
        ),
    ] = None,
    mechanism: Annotated[
        str | None,
        typer.Option(
            "--mechanism", help="Only this mechanism.", autocompletion=complete.mechanism_ids
        ),
    ] = None,
    severity: Annotated[
        Severity | None, typer.Option("--severity", help="Only this severity.")
    ] = None,
    failure_mode: Annotated[
        FailureMode | None, typer.Option("--failure-mode", help="Only this failure mode.")
    ] = None,
    limit: LimitOpt = None,
    no_pager: NoPagerOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """List escalations, oldest first, with age and whether their times have passed."""
    from mechctl.cli.reads import escalation_list

    escalation_list(
        status=status,
        mechanism=mechanism,
        severity=severity.value if severity is not None else None,
        failure_mode=failure_mode.value if failure_mode is not None else None,
        limit=limit,
        no_pager=no_pager,
        as_json=as_json,
    )


@app.command("show")
def show(escalation_id: EscArg, as_json: JsonOpt = False) -> None:
    """Show one escalation: its state, timeline, and time to acknowledge and resolve."""
    from mechctl.cli.reads import escalation_show

    escalation_show(escalation_id, as_json=as_json)


def _move(escalation_id: str, action: TimelineAction, push: bool, **kwargs: object) -> None:
    from mechctl.services.escalation.transition import transition

    updated = transition(workspace(push), escalation_id, action, **kwargs)  # type: ignore[arg-type]
    note(f"{updated.id} is {updated.status.value} (level {updated.level})")


@app.command("ack")
def ack(
    escalation_id: EscArg,
    note_text: Annotated[
        str | None, typer.Option("--note", help="A note for the timeline.")
    ] = None,
    push: PushOpt = False,
) -> None:
    """Acknowledge an open escalation (one commit)."""
    _move(escalation_id, TimelineAction.ACKNOWLEDGED, push, note=note_text)


@app.command("comment")
def comment(
    escalation_id: EscArg,
    text: Annotated[str, typer.Argument(help="The comment.", metavar="NOTE")],
    push: PushOpt = False,
) -> None:
    """Add a comment to the timeline, in any state (one commit)."""
    _move(escalation_id, TimelineAction.COMMENTED, push, note=text)


@app.command("raise")
def raise_(
    escalation_id: EscArg,
    to: Annotated[
        str | None, typer.Option("--to", help="The level to raise to (default: one level up).")
    ] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="Why it goes higher.")] = None,
    push: PushOpt = False,
) -> None:
    """Raise an open or acknowledged escalation one level, or to --to (one commit)."""
    _move(escalation_id, TimelineAction.LEVEL_RAISED, push, to_level=to, note=note_text)


@app.command("resolve")
def resolve(
    escalation_id: EscArg,
    summary: Annotated[str | None, typer.Option("--summary", help="How it was resolved.")] = None,
    root_cause: Annotated[str | None, typer.Option("--root-cause", help="Why it happened.")] = None,
    mechanism_change: Annotated[
        str | None,
        typer.Option(
            "--mechanism-change",
            metavar="ID[@VERSION]",
            help="The mechanism version that stops it coming back (default: current).",
            autocompletion=complete.mechanism_ids,
        ),
    ] = None,
    no_change_reason: Annotated[
        str | None, typer.Option("--no-change-reason", help="Why no mechanism needs to change.")
    ] = None,
    push: PushOpt = False,
) -> None:
    """Resolve an escalation by a mechanism change or by a stated reason (one commit).

    A mechanism change is the loop that stops the problem coming back.

    Change the mechanism first, naming the escalation, then resolve with --mechanism-change.
    """
    from mechctl.errors import UsageError
    from mechctl.services.escalation.transition import Resolve

    if (mechanism_change is None) == (no_change_reason is None):
        raise UsageError(
            "give exactly one of --mechanism-change ID[@VERSION] or --no-change-reason TEXT"
        )
    summary = need(summary, "--summary", "How was it resolved")
    set_replay(
        ["escalation", "resolve", escalation_id, "--summary", summary]
        + (["--root-cause", root_cause] if root_cause else [])
        + (["--mechanism-change", mechanism_change] if mechanism_change else [])
        + (["--no-change-reason", no_change_reason] if no_change_reason else [])
    )
    spec = Resolve(summary, root_cause, mechanism_change, no_change_reason)
    _move(escalation_id, TimelineAction.RESOLVED, push, resolve=spec)


@app.command("close")
def close(escalation_id: EscArg, push: PushOpt = False) -> None:
    """Close a resolved escalation (one commit)."""
    _move(escalation_id, TimelineAction.CLOSED, push)


@app.command("reopen")
def reopen(
    escalation_id: EscArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is not over.")] = None,
    push: PushOpt = False,
) -> None:
    """Reopen a resolved or closed escalation, with a reason (one commit)."""
    reason = need(reason, "--reason", "Why reopen")
    _move(escalation_id, TimelineAction.REOPENED, push, note=reason)
