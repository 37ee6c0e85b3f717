"""The events due now, worked out from the records and the clock alone (docs/design.md,
"Notifications"); nothing here sends or records.

Two sorts:

- what happened (raised, level-raised, resolved, reopened): one event per timeline entry,
  sent while it is younger than `notify.max_age`, so that configuring notify on a
  repository with years of history does not replay them;
- what holds now (ack-overdue, ack-reminder, inspection-overdue): one event per period,
  its id the period's number counted from a fixed start, so a late, a skipped or a repeated
  run names the same event and the ledger sends it once. An open escalation past its
  `ack_within` (counted from when it was raised, reopened or last raised a level) gets one
  notice, then one per `remind_every` of its severity. An acknowledged escalation that is
  not resolved gets one reminder per `remind_acknowledged_every` of its severity, counted
  from the acknowledgement (or a later raise of its level). A run that was skipped sends the
  current period's reminder, not the ones it missed, so repeats never pile up. An overdue
  inspection is told once per due date.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from mechctl.models import Config, Escalation, Mechanism, TimelineAction
from mechctl.models.lifecycle import EscalationStatus
from mechctl.models.notify import NotifyConfig, NotifyEvent, route_channels


@dataclass(frozen=True)
class Event:
    id: str  # stable across runs and clones: record/event/when[/detail]
    event: NotifyEvent
    record: str
    level: str
    team: str | None
    at: datetime  # when it happened, or fell due
    escalation: Escalation | None = None
    mechanism: Mechanism | None = None
    # ack-overdue: 0 for the first notice, then 1, 2, ...; ack-reminder: 1, 2, ...
    reminder: int | None = None
    by: str | None = None  # who acted (resolved: the resolver)
    note: str | None = None


@dataclass(frozen=True)
class Delivery:
    event: Event
    channel: str
    extra_to: tuple[str, ...] = field(default=())  # email: the raiser hears of a resolution

    @property
    def key(self) -> str:
        """The payload's stable key: the same event to the same channel, from any clone."""
        return delivery_key(self.event.id, self.channel)


def delivery_key(event_id: str, channel: str) -> str:
    return hashlib.sha256(f"mechctl-notify\0{event_id}\0{channel}".encode()).hexdigest()[:32]


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ack_clock_start(esc: Escalation) -> datetime:
    """When the escalation's current wait for an acknowledgement began."""
    starts = [esc.raised_at] + [
        entry.at
        for entry in esc.timeline
        if entry.action in (TimelineAction.LEVEL_RAISED, TimelineAction.REOPENED)
    ]
    return max(starts)


def _happened(esc: Escalation, now: datetime, horizon: datetime) -> list[Event]:
    found = []
    team = esc.owner
    for index, entry in enumerate(esc.timeline):
        if entry.at < horizon or entry.at > now:
            continue
        at = _stamp(entry.at)
        if entry.action is TimelineAction.RAISED:
            found.append(
                Event(
                    f"{esc.id}/raised/{at}",
                    NotifyEvent.RAISED,
                    esc.id,
                    entry.level or esc.level,
                    team,
                    entry.at,
                    esc,
                )
            )
        elif entry.action is TimelineAction.LEVEL_RAISED and entry.level:
            found.append(
                Event(
                    f"{esc.id}/level-raised/{at}/{entry.level}",
                    NotifyEvent.LEVEL_RAISED,
                    esc.id,
                    entry.level,
                    team,
                    entry.at,
                    esc,
                    note=entry.note,
                )
            )
        elif entry.action is TimelineAction.RESOLVED:
            found.append(
                Event(
                    f"{esc.id}/resolved/{at}/{index}",
                    NotifyEvent.RESOLVED,
                    esc.id,
                    esc.level,
                    team,
                    entry.at,
                    esc,
                    by=entry.by,
                    note=entry.note,
                )
            )
        elif entry.action is TimelineAction.REOPENED:
            found.append(
                Event(
                    f"{esc.id}/reopened/{at}/{index}",
                    NotifyEvent.REOPENED,
                    esc.id,
                    esc.level,
                    team,
                    entry.at,
                    esc,
                    by=entry.by,
                    note=entry.note,
                )
            )
    return found


def ack_overdue(esc: Escalation, config: Config, now: datetime) -> Event | None:
    if esc.status is not EscalationStatus.OPEN:
        return None
    notify = config.notify or NotifyConfig()
    start = ack_clock_start(esc)
    deadline = start + config.escalation.ack_within[esc.severity]
    if now < deadline:
        return None
    every = notify.policy.remind_every.get(esc.severity)
    count = (now - deadline) // every if every else 0
    at = deadline + (every * count if every else timedelta(0))
    return Event(
        f"{esc.id}/ack-overdue/{_stamp(start)}/{count}",
        NotifyEvent.ACK_OVERDUE,
        esc.id,
        esc.level,
        esc.owner,
        at,
        esc,
        reminder=count,
    )


def ack_reminder_start(esc: Escalation) -> datetime:
    """When the current wait for a resolution began: the acknowledgement, or a raise of the
    level after it (the new level has just been told; its reminders count from then)."""
    acked = esc.last(TimelineAction.ACKNOWLEDGED) or ack_clock_start(esc)
    later = [
        entry.at
        for entry in esc.timeline
        if entry.action is TimelineAction.LEVEL_RAISED and entry.at > acked
    ]
    return max([acked, *later])


def ack_reminder(esc: Escalation, config: Config, now: datetime) -> Event | None:
    """Reminder n of an acknowledged escalation that is not resolved, n = the whole periods
    of `remind_acknowledged_every` since its clock started (none before the first passes)."""
    if esc.status is not EscalationStatus.ACKNOWLEDGED:
        return None
    notify = config.notify or NotifyConfig()
    every = notify.policy.remind_acknowledged_every.get(esc.severity)
    if not every:
        return None
    start = ack_reminder_start(esc)
    count = (now - start) // every
    if count < 1:
        return None
    return Event(
        f"{esc.id}/ack-reminder/{_stamp(start)}/{count}",
        NotifyEvent.ACK_REMINDER,
        esc.id,
        esc.level,
        esc.owner,
        start + every * count,
        esc,
        reminder=count,
    )


def escalation_events(esc: Escalation, config: Config, now: datetime) -> list[Event]:
    notify = config.notify or NotifyConfig()
    found = _happened(esc, now, now - notify.max_age)
    for state in (ack_overdue(esc, config, now), ack_reminder(esc, config, now)):
        if state is not None:
            found.append(state)
    return [event for event in found if event.event in notify.events]


def inspection_event(mechanism: Mechanism, due: date, config: Config) -> Event | None:
    notify = config.notify or NotifyConfig()
    if NotifyEvent.INSPECTION_OVERDUE not in notify.events:
        return None
    at = datetime.combine(due, time(0, 0), tzinfo=UTC)
    return Event(
        f"{mechanism.id}/inspection-overdue/{due.isoformat()}",
        NotifyEvent.INSPECTION_OVERDUE,
        mechanism.id,
        config.escalation.levels[0],
        mechanism.owner,
        at,
        mechanism=mechanism,
    )


def deliveries(event: Event, config: Config) -> list[Delivery]:
    """Each channel the event's route names (channels that are not configured are lint's
    `unknown-channel`, and are skipped here). A resolution is told to the owner team's own
    routes too, and by email to the raiser."""
    notify = config.notify or NotifyConfig()
    names = route_channels(notify.routes, event.level, event.team)
    extra: tuple[str, ...] = ()
    if event.event is NotifyEvent.RESOLVED and event.escalation is not None:
        for route in notify.routes:
            if event.team is not None and route.team == event.team:
                names += [name for name in route.channels if name not in names]
        address = _address(event.escalation.raised_by)
        extra = (address,) if address else ()
    return [
        Delivery(event, name, extra if notify.channels[name].kind == "email" else ())
        for name in names
        if name in notify.channels
    ]


def _address(person: str) -> str | None:
    if "<" in person and person.endswith(">"):
        address = person.rsplit("<", 1)[1][:-1].strip()
        return address if "@" in address else None
    return None
