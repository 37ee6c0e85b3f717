"""The escalation state machine, as one table that the commands and lint both read."""

from __future__ import annotations

from enum import StrEnum


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TimelineAction(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    COMMENTED = "commented"
    LEVEL_RAISED = "level-raised"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


S = EscalationStatus

# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[TimelineAction, tuple[frozenset[EscalationStatus], EscalationStatus | None]] = {
    TimelineAction.ACKNOWLEDGED: (frozenset({S.OPEN}), S.ACKNOWLEDGED),
    TimelineAction.RESOLVED: (frozenset({S.OPEN, S.ACKNOWLEDGED}), S.RESOLVED),
    TimelineAction.CLOSED: (frozenset({S.RESOLVED}), S.CLOSED),
    TimelineAction.REOPENED: (frozenset({S.RESOLVED, S.CLOSED}), S.OPEN),
    TimelineAction.LEVEL_RAISED: (frozenset({S.OPEN, S.ACKNOWLEDGED}), None),
    TimelineAction.COMMENTED: (frozenset(S), None),
}

# The verb a user types for each action, for messages that name what is allowed.
COMMAND_FOR = {
    TimelineAction.ACKNOWLEDGED: "ack",
    TimelineAction.RESOLVED: "resolve",
    TimelineAction.CLOSED: "close",
    TimelineAction.REOPENED: "reopen",
    TimelineAction.LEVEL_RAISED: "raise",
    TimelineAction.COMMENTED: "comment",
}


def allowed_actions(status: EscalationStatus) -> list[TimelineAction]:
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


def is_allowed(action: TimelineAction, status: EscalationStatus) -> bool:
    return status in TRANSITIONS[action][0]


def target_status(action: TimelineAction, status: EscalationStatus) -> EscalationStatus:
    target = TRANSITIONS[action][1]
    return status if target is None else target


def status_change_allowed(before: EscalationStatus, after: EscalationStatus) -> bool:
    """Whether one step of the machine leads from `before` to `after` (lint --base)."""
    if before == after:
        return True
    return any(before in sources and target == after for sources, target in TRANSITIONS.values())
