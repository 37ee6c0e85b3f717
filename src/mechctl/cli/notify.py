"""`mechctl notify`: deliver the due events to their routes' channels, once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mechctl.cli.options import JsonOpt, PushOpt
from mechctl.cli.output import note, print_json, warn, workspace

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace


def notify(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what is due; send nothing and record nothing."),
    ] = False,
    apply_policy: Annotated[
        bool,
        typer.Option(
            "--apply-policy",
            help="First raise each open escalation whose ack_within passed, where"
            " notify.policy.auto_raise says so (one commit each).",
        ),
    ] = False,
    push: PushOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Deliver each due event once to each channel its route names, recorded in git.

    With GITHUB_TOKEN set, an escalation raised from a GitHub issue also answers on it.
    """
    from mechctl.cli.skipped import warn_skipped
    from mechctl.errors import MechctlError
    from mechctl.services.notify.run import describe
    from mechctl.services.notify.run import notify as run

    ws = workspace(push)
    result = run(ws, dry_run=dry_run, apply_policy=apply_policy)
    if not result.configured:
        if as_json:
            print_json([])
        note("nothing to do: .mechctl.yaml has no `notify` section")
        return
    warn_skipped(result.problems)
    for escalation_id, level in result.raised:
        note(f"{escalation_id} raised to {level} by the escalation policy")
    failed = {d.key: why for d, why in result.failed}
    if as_json:
        rows = []
        for delivery in result.planned:
            row = describe(delivery)
            if dry_run:
                row["state"] = "due"
            elif delivery.key in failed:
                row.update(state="failed", error=failed[delivery.key])
            else:
                row["state"] = "delivered"
            rows.append(row)
        print_json(rows)
    else:
        for delivery in result.planned:
            row = describe(delivery)
            state = "due" if dry_run else ("failed" if delivery.key in failed else "sent")
            where = row["channel"] + (f" {row['issue']}" if "issue" in row else "")
            print(f"{state:<7} {row['event']:<18} {row['record']}  {row['level']} -> {where}")
    tail = []
    if result.done_before:
        tail.append(f"{result.done_before} delivered before")
    if result.held:
        tail.append(f"{result.held} being sent by another run")
    count = len(result.planned)
    what = "due" if dry_run else "attempted"
    note(
        f"{count} deliver{'y' if count == 1 else 'ies'} {what}"
        + (f" ({', '.join(tail)})" if tail else "")
    )
    if result.failed:
        for delivery, why in result.failed:
            row = describe(delivery)
            note(
                f"error: delivery to channel {delivery.channel!r} failed ({row['event']}"
                f" {row['record']}): {why}"
            )
        channels = sorted({d.channel for d, _ in result.failed})
        raise MechctlError(
            f"{len(result.failed)} delivery(ies) failed, to {', '.join(channels)};"
            " they are retried on the next run"
        )


def send_raised(ws: Workspace, record: dict[str, Any]) -> None:
    """`escalate --notify`: send the new escalation's `raised` event now. Whatever happens
    here, the escalation stays committed and the exit code stays 0 (README, "Choices"): a
    failure is named on stderr, recorded, and retried by the next `mechctl notify`."""
    from mechctl.errors import MechctlError
    from mechctl.models import Escalation
    from mechctl.services.notify.now import notify_raised

    esc = Escalation.model_validate(record)
    try:
        sent = notify_raised(ws, esc)
    except MechctlError as exc:
        warn(f"{esc.id} is raised, but nothing was sent: {exc}; `mechctl notify` sends it")
        return
    result = sent.result
    if not result.configured:
        warn(f"{esc.id} is raised; nothing to send: .mechctl.yaml has no `notify` section")
        return
    for delivery in result.delivered:
        level = getattr(getattr(delivery, "event", None), "level", esc.level)
        note(f"notified {delivery.channel} ({level}) of {esc.id}")
    for delivery, why in result.failed:
        warn(
            f"delivery to channel {delivery.channel!r} failed (raised {esc.id}): {why};"
            " `mechctl notify` retries it"
        )
    for channel, missing in sent.left:
        warn(f"not sent to {channel}: {', '.join(missing)} not set here; `mechctl notify` sends it")
    if not (result.planned or sent.left or result.done_before):
        note(f"no route's channel hears of a new escalation at level {esc.level}")
