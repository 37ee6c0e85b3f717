"""Building blocks shared by the record models: ids, team names, durations, the base model."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from mechctl.models.ids import ESCALATION_ID_RE, MECHANISM_ID_RE, TEAM_RE, valid_team

_DURATION_RE = re.compile(r"^(\d+)\s*([mhdw])$")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class StrictModel(BaseModel):
    """Every record model refuses unknown keys (docs/design.md §3)."""

    # Schemas are built on first use, so a command pays only for the models it touches.
    model_config = ConfigDict(extra="forbid", defer_build=True)


def check_mechanism_id(value: str) -> str:
    if not (2 <= len(value) <= 63 and MECHANISM_ID_RE.match(value)):
        raise PydanticCustomError(
            "mechanism_id",
            "'{value}' is not a valid mechanism id: use 2-63 lowercase letters, digits and"
            " '-', starting and ending with a letter or digit",
            {"value": value},
        )
    return value


def check_escalation_id(value: str) -> str:
    if not ESCALATION_ID_RE.match(value):
        raise PydanticCustomError(
            "escalation_id",
            "'{value}' is not a valid escalation id: expected esc-YYYYMMDD-xxxxxxxx",
            {"value": value},
        )
    return value


def check_team(value: str) -> str:
    if not valid_team(value):
        raise PydanticCustomError(
            "team_name",
            "'{value}' is not a team name: an owner is a team in lowercase kebab-case"
            " (e.g. 'platform-eng'), never a person",
            {"value": value},
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


MechanismId = Annotated[
    str,
    AfterValidator(check_mechanism_id),
    WithJsonSchema(
        {"type": "string", "pattern": MECHANISM_ID_RE.pattern, "minLength": 2, "maxLength": 63}
    ),
]
EscalationId = Annotated[
    str,
    AfterValidator(check_escalation_id),
    WithJsonSchema({"type": "string", "pattern": ESCALATION_ID_RE.pattern}),
]
TeamName = Annotated[
    str,
    AfterValidator(check_team),
    WithJsonSchema({"type": "string", "pattern": TEAM_RE.pattern, "minLength": 2, "maxLength": 63}),
]
Text = Annotated[
    str, AfterValidator(_non_blank), WithJsonSchema({"type": "string", "minLength": 1})
]


def parse_duration(value: Any) -> timedelta:
    """'30m', '4h', '1d', '2w' -> timedelta."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION_RE.match(str(value).strip()) if isinstance(value, str | int) else None
    if not match:
        raise PydanticCustomError(
            "duration",
            "'{value}' is not a duration: use a number and a unit m, h, d or w (e.g. '4h', '14d')",
            {"value": value},
        )
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{_DURATION_UNITS[unit]: amount})


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds // 60, 0)}m"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+\s*[mhdw]$"}),
]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _format_timestamp(value: datetime) -> str:
    at = value.astimezone(UTC)
    if at.year < 1000:  # strftime's %Y does not pad it to four digits
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # What strftime gives, at a third of its cost: every record's every time goes through
    # here when the index is built.
    return f"{at.year}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}Z"


Timestamp = Annotated[
    datetime,
    AfterValidator(_utc),
    PlainSerializer(_format_timestamp, return_type=str, when_used="json"),
]
Day = date
