"""`mechctl notify`: deliver each due event once to each channel its route names
(docs/design.md §4, "Notifications").

1. `--apply-policy`: raise each open escalation whose `ack_within` passed, where
   `policy.auto_raise` says so for its severity: one level, one commit each.
2. Work out the events due now (events.py) and their deliveries.
3. Claim the deliveries nobody has delivered or holds: one commit on `refs/mechctl/notify`,
   moved by compare-and-swap on the remote when there is one (git/ledger.py). A run that
   loses the race reads the winner's record and claims only what is left.
4. Send each claimed delivery, then record each outcome: `delivered`, or `failed` with the
   reason. A failed delivery is claimed again by the next run. A claim whose run died before
   recording an outcome is taken over once its lease has passed; the receiver can drop a
   repeat by its key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mechctl.errors import MechctlError, Problem
from mechctl.git.ledger import Ledger, Tip
from mechctl.models import Config, Escalation, MechanismStatus, TimelineAction
from mechctl.models.common import format_duration
from mechctl.models.lifecycle import EscalationStatus
from mechctl.models.notify import NotifyConfig, secrets_in_config, unknown_channels
from mechctl.services.core.context import Workspace
from mechctl.services.notify import events as ev
from mechctl.services.notify import messages, senders
from mechctl.services.notify.events import Delivery, Event
from mechctl.services.notify.github import IssuePost
from mechctl.store import layout

Wanted = Delivery | IssuePost

LEASE = timedelta(minutes=int(os.environ.get("MECHCTL_NOTIFY_LEASE_MINUTES", "15")))
_ATTEMPTS = 20


@dataclass
class NotifyResult:
    planned: list[Wanted] = field(default_factory=list)
    delivered: list[Wanted] = field(default_factory=list)
    failed: list[tuple[Wanted, str]] = field(default_factory=list)
    raised: list[tuple[str, str]] = field(default_factory=list)  # (escalation id, new level)
    held: int = 0  # claimed by another run that is still within its lease
    done_before: int = 0  # delivered by an earlier run
    problems: list[Problem] = field(default_factory=list)
    configured: bool = True


def describe(delivery: Wanted) -> dict[str, Any]:
    if isinstance(delivery, IssuePost):
        return delivery.describe()
    e = delivery.event
    return {
        "key": delivery.key,
        "event": e.event.value,
        "record": e.record,
        "channel": delivery.channel,
        "level": e.level,
        "at": e.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "id": e.id,
    }


def check(notify: NotifyConfig) -> None:
    """What lint calls errors would make a run send to the wrong place or leak a secret."""
    leaked = secrets_in_config(notify)
    if leaked:
        name, key, what = leaked[0]
        raise MechctlError(
            f".mechctl.yaml: notify.channels.{name}.{key} holds {what}, not the name of an"
            " environment variable; move the secret to the environment (lint: secret-in-config)"
        )
    unknown = unknown_channels(notify)
    if unknown:
        route, _, name = unknown[0]
        raise MechctlError(
            f".mechctl.yaml: notify.routes[{route}] names channel {name!r}, which is not in"
            " notify.channels (lint: unknown-channel)"
        )


def remote_of(ws: Workspace) -> str | None:
    name = ws.config.sync.remote
    return name if ws.git.remote_url(name) is not None else None


# -- policy --------------------------------------------------------------------------------


def policy_due(config: Config, escalations: list[Escalation], now: datetime) -> list[Escalation]:
    """Open escalations past `ack_within` since their clock started, whose severity
    `auto_raise` covers, below the top level."""
    notify = config.notify or NotifyConfig()
    levels = config.escalation.levels
    due = []
    for esc in escalations:
        if esc.status is not EscalationStatus.OPEN or not notify.policy.auto_raise.get(
            esc.severity
        ):
            continue
        if esc.level in levels and levels.index(esc.level) + 1 >= len(levels):
            continue  # at the top already: reminders go on, raises stop
        if now >= ev.ack_clock_start(esc) + config.escalation.ack_within[esc.severity]:
            due.append(esc)
    return due


def _apply_policy(ws: Workspace, escalations: list[Escalation]) -> list[tuple[str, str]]:
    from mechctl.services.escalation.transition import transition

    config = ws.config
    raised = []
    for esc in policy_due(config, escalations, ws.now()):
        within = format_duration(config.escalation.ack_within[esc.severity])
        note = (
            f"raised by the escalation policy: not acknowledged within {within}"
            f" ({esc.severity.value} auto_raise)"
        )
        updated = transition(ws, esc.id, TimelineAction.LEVEL_RAISED, note=note)
        raised.append((updated.id, updated.level))
    return raised


# -- events --------------------------------------------------------------------------------


def due_events(ws: Workspace) -> tuple[list[Event], list[Problem]]:
    from mechctl.services import due as due_service
    from mechctl.services.core import catalog

    config = ws.config
    now = ws.now()
    escalations, problems = catalog.escalations(ws)
    found: list[Event] = []
    for esc in escalations:
        found += ev.escalation_events(esc, config, now)
    report = due_service.due(ws, within=0)
    problems += report.problems
    mechanisms = {m.id: m for m in catalog.mechanisms(ws)[0]}
    for item in report.overdue:
        mechanism = mechanisms.get(item.mechanism)
        if mechanism is not None and mechanism.status is MechanismStatus.ACTIVE:
            event = ev.inspection_event(mechanism, item.due, config)
            if event is not None:
                found.append(event)
    found.sort(key=lambda e: (e.at, e.id))
    return found, problems


def _rel(event: Event) -> str:
    if event.mechanism is not None:
        return f"{layout.MECHANISMS}/{event.record}.yaml"
    return layout.escalation_rel(event.record)


# -- the run -------------------------------------------------------------------------------


def _open(tip: Tip, wanted: list[Wanted], now: datetime, run: str) -> tuple[list[Wanted], int, int]:
    """The deliveries still to claim; how many another run holds; how many were delivered."""
    states = tip.states()
    todo, held, done = [], 0, 0
    for delivery in wanted:
        entry = states.get(delivery.key)
        state = entry.get("state") if entry else None
        if state == "delivered":
            done += 1
        elif (
            state == "claimed"
            and entry is not None
            and entry.get("run") != run
            and (str(entry.get("lease_until", "")) > _stamp(now))
        ):
            held += 1
        else:
            todo.append(delivery)
    return todo, held, done


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(delivery: Wanted, state: str, now: datetime, run: str, **more: str) -> dict[str, Any]:
    data = describe(delivery)
    data.update({"state": state, "run": run, "recorded_at": _stamp(now)}, **more)
    return data


def notify(ws: Workspace, *, dry_run: bool = False, apply_policy: bool = False) -> NotifyResult:
    from mechctl.services.notify import github

    config = ws.config
    on_github = github.enabled()
    if config.notify is None and not on_github:
        return NotifyResult(configured=False)
    if config.notify is not None:
        check(config.notify)
    result = NotifyResult()
    if apply_policy and not dry_run:
        from mechctl.services.core import catalog

        result.raised = _apply_policy(ws, catalog.escalations(ws)[0])
    now = ws.now()
    found, result.problems = due_events(ws)
    wanted: list[Wanted] = []
    if config.notify is not None:
        wanted += [d for event in found for d in ev.deliveries(event, config)]
    gh = None
    if on_github:
        from mechctl.services.core import catalog
        from mechctl.services.github.api import GitHub

        gh = GitHub.from_env()
        max_age = (config.notify or NotifyConfig()).max_age
        wanted += github.posts(catalog.escalations(ws)[0], now, max_age)
    ledger = Ledger(ws.git, remote_of(ws))
    if dry_run:
        tip = ledger.read(mirror=False)
        result.planned, result.held, result.done_before = _open(tip, wanted, now, "")
        return result
    deliver(ws, ledger, wanted, now, result, gh)
    return result


def deliver(
    ws: Workspace,
    ledger: Ledger,
    wanted: list[Wanted],
    now: datetime,
    result: NotifyResult,
    gh: Any = None,
) -> None:
    """Claim what nobody delivered or holds, send it, and record each outcome. `gh`: the
    GitHub client, for the posts on the issues escalations came from."""
    from mechctl.services.notify import github

    config = ws.config
    run = secrets.token_hex(6)
    claimed = _claim(ledger, wanted, now, run, result)
    result.planned = claimed
    if not claimed:
        return
    outcomes: list[dict[str, Any]] = []
    for delivery in claimed:
        if isinstance(delivery, IssuePost):
            assert gh is not None
            from mechctl.services.github.api import GitHubError

            try:
                github.send(gh, delivery)
            except GitHubError as exc:
                result.failed.append((delivery, str(exc)))
                outcomes.append(_entry(delivery, "failed", now, run, error=str(exc)))
            else:
                result.delivered.append(delivery)
                outcomes.append(_entry(delivery, "delivered", now, run))
            continue
        assert config.notify is not None
        channel = config.notify.channels[delivery.channel]
        msg = messages.build(delivery, config, now, _rel(delivery.event))
        try:
            senders.send(channel, msg, now, extra_to=delivery.extra_to)
        except senders.DeliveryError as exc:
            result.failed.append((delivery, str(exc)))
            outcomes.append(_entry(delivery, "failed", now, run, error=str(exc)))
        else:
            result.delivered.append(delivery)
            outcomes.append(_entry(delivery, "delivered", now, run))
    _record(ledger, outcomes, now, result)


def _claim(
    ledger: Ledger, wanted: list[Wanted], now: datetime, run: str, result: NotifyResult
) -> list[Wanted]:
    lease_until = _stamp(now + LEASE)
    for _ in range(_ATTEMPTS):
        tip = ledger.read()
        todo, result.held, result.done_before = _open(tip, wanted, now, run)
        if not todo:
            return []
        entries = [_entry(d, "claimed", now, run, lease_until=lease_until) for d in todo]
        if ledger.append(tip, entries, _message("claim", entries), now):
            return todo
    raise MechctlError(
        "notify: the delivery record kept moving while this run claimed its deliveries; run"
        " it again"
    )


def _record(
    ledger: Ledger, outcomes: list[dict[str, Any]], now: datetime, result: NotifyResult
) -> None:
    for _ in range(_ATTEMPTS):
        tip = ledger.read()
        if ledger.append(tip, outcomes, _message("record", outcomes), now):
            return
    raise MechctlError(
        "notify: sent, but the delivery record kept moving and the outcome was not recorded;"
        " the claims expire and the next run sends again with the same keys"
    )


def _message(what: str, entries: list[dict[str, Any]]) -> str:
    if what == "claim":
        subject = f"notify: claim {len(entries)} deliveries"
    else:
        ok = sum(1 for e in entries if e["state"] == "delivered")
        subject = f"notify: {ok} delivered, {len(entries) - ok} failed"
    lines = [f"{e['state']} {e['channel']} {e['event']} {e['record']}" for e in entries[:50]]
    return subject + "\n\n" + "\n".join(lines) + "\n\nMechctl-Action: notify." + what
