"""`notify` in `.mechctl.yaml`: channels, routes, events and the escalation policy
(docs/design.md §4, "Notifications"). Secrets never live in the repository: a channel names the
environment variables that hold them.

The checks at the end are pure functions; lint's `route-missing`, `unknown-channel` and
`secret-in-config` call them, and `mechctl notify` refuses to send what they reject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mechctl.models.common import Duration, StrictModel, TeamName, Text
from mechctl.models.enums import Severity

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Keys that, written into the file, would hold the secret itself.
_SECRET_KEYS = ("url", "secret", "password", "token", "smtp_url", "webhook", "api_key")


class NotifyEvent(StrEnum):
    RAISED = "raised"
    LEVEL_RAISED = "level-raised"
    ACK_OVERDUE = "ack-overdue"
    ACK_REMINDER = "ack-reminder"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    INSPECTION_OVERDUE = "inspection-overdue"


EnvName = Annotated[
    str,
    Field(
        min_length=1,
        description="the name of an environment variable (never the secret itself)",
    ),
]


class _Channel(StrictModel):
    @model_validator(mode="before")
    @classmethod
    def _no_secret_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in _SECRET_KEYS:
                if key in data:
                    raise PydanticCustomError(
                        "secret_in_config",
                        "'{key}' would put a secret in the repository; name an environment"
                        " variable instead (e.g. '{key}_env: MECHCTL_...')",
                        {"key": key},
                    )
        return data


class SlackChannel(_Channel):
    kind: Literal["slack"]
    url_env: EnvName


class TeamsChannel(_Channel):
    kind: Literal["teams"]
    url_env: EnvName


class WebhookChannel(_Channel):
    kind: Literal["webhook"]
    url_env: EnvName
    secret_env: EnvName | None = None


class EmailChannel(_Channel):
    kind: Literal["email"]
    to: list[Text] = Field(min_length=1)
    smtp_url_env: EnvName
    sender: str = "mechctl <mechctl@localhost>"


Channel = Annotated[
    SlackChannel | TeamsChannel | WebhookChannel | EmailChannel, Field(discriminator="kind")
]


class Route(StrictModel):
    level: Text
    team: TeamName | None = None
    channels: list[str] = Field(min_length=1)


class Policy(StrictModel):
    auto_raise: dict[Severity, bool] = Field(
        default_factory=dict,
        description="raise one level when ack_within passes unacknowledged (--apply-policy)",
    )
    remind_every: dict[Severity, Duration] = Field(
        default_factory=dict,
        description="ack-overdue: remind an open escalation this often until acknowledged",
    )
    remind_acknowledged_every: dict[Severity, Duration] = Field(
        default_factory=dict,
        description="ack-reminder: remind an acknowledged escalation this often until resolved",
    )

    @field_validator("remind_every", "remind_acknowledged_every")
    @classmethod
    def _positive(cls, value: dict[Severity, timedelta]) -> dict[Severity, timedelta]:
        # A period of zero would remind on every run: the spam that reminders must never be.
        for severity, every in value.items():
            if every < timedelta(minutes=1):
                raise PydanticCustomError(
                    "reminder_period",
                    "{severity}: a reminder period must be at least 1m (leave the severity out"
                    " for no reminders)",
                    {"severity": severity.value},
                )
        return value


class NotifyConfig(StrictModel):
    channels: dict[str, Channel] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NotifyEvent))
    policy: Policy = Field(default_factory=Policy)
    # Events that happened longer ago are never sent: configuring notify on a repository
    # with years of history must not replay it.
    max_age: Duration = Field(default_factory=lambda: timedelta(days=7))
    # Where a reader opens a record, e.g. https://github.com/org/repo/blob/main/{path}
    record_url: str | None = None


# -- pure checks ---------------------------------------------------------------------------


def route_channels(routes: Iterable[Route], level: str, team: str | None) -> list[str]:
    """The channels that hear of `team`'s escalation at `level`: the route for that level and
    team when there is one (the most specific wins), else the level's route for every team."""
    chosen = list(routes)
    specific = [r for r in chosen if r.level == level and team is not None and r.team == team]
    general = [r for r in chosen if r.level == level and r.team is None]
    picked = specific or general
    seen: list[str] = []
    for route in picked:
        for channel in route.channels:
            if channel not in seen:
                seen.append(channel)
    return seen


def unresolved_levels(
    notify: NotifyConfig, levels: Iterable[str], teams: Iterable[str]
) -> list[tuple[str, str]]:
    """(level, team) pairs that reach no channel: the chain would fail silently there."""
    known = set(notify.channels)
    missing = []
    for team in sorted(set(teams)):
        for level in levels:
            reached = [c for c in route_channels(notify.routes, level, team) if c in known]
            if not reached:
                missing.append((level, team))
    return missing


def unknown_channels(notify: NotifyConfig) -> list[tuple[int, int, str]]:
    """(route index, channel index, name) of each route channel that is not configured."""
    return [
        (r, c, name)
        for r, route in enumerate(notify.routes)
        for c, name in enumerate(route.channels)
        if name not in notify.channels
    ]


def unknown_levels(notify: NotifyConfig, levels: Iterable[str]) -> list[tuple[int, str]]:
    known = set(levels)
    return [(r, route.level) for r, route in enumerate(notify.routes) if route.level not in known]


def looks_secret(value: str) -> bool:
    """A value that is not an environment variable's name but a URL, address or password."""
    return not ENV_NAME_RE.match(value)


def secrets_in_config(notify: NotifyConfig) -> list[tuple[str, str, str]]:
    """(channel, key, why) for each `*_env` value that holds a secret instead of a name."""
    found = []
    for name, channel in notify.channels.items():
        for key in ("url_env", "secret_env", "smtp_url_env"):
            value = getattr(channel, key, None)
            if isinstance(value, str) and looks_secret(value):
                what = "a URL" if "://" in value else "a value"
                found.append((name, key, what))
    return found


def policy_events_off(notify: NotifyConfig) -> list[tuple[str, NotifyEvent]]:
    """(policy key, event) where the policy is set but its event is not among `events`."""
    needs = (
        ("remind_every", NotifyEvent.ACK_OVERDUE),
        ("remind_acknowledged_every", NotifyEvent.ACK_REMINDER),
        ("auto_raise", NotifyEvent.LEVEL_RAISED),
    )
    off = []
    for key, event in needs:
        value = getattr(notify.policy, key)
        if any(value.values()) and event not in notify.events:
            off.append((key, event))
    return off
