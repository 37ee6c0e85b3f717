"""The Escalation record: what failed for customers, never who (docs/design.md §1, §3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mechctl.models.common import (
    EscalationId,
    MechanismId,
    StrictModel,
    TeamName,
    Text,
    Timestamp,
)
from mechctl.models.enums import (
    FailureMode,
    Severity,
)
from mechctl.models.lifecycle import EscalationStatus, TimelineAction


class TimelineEntry(StrictModel):
    at: Timestamp
    by: Text
    action: TimelineAction
    note: str | None = None
    level: str | None = None


class MechanismChange(StrictModel):
    mechanism: MechanismId
    version: int = Field(ge=1)


class Resolution(StrictModel):
    summary: Text
    root_cause: str | None = None
    mechanism_change: MechanismChange | None = None
    no_change_reason: Text | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Resolution:
        if (self.mechanism_change is None) == (self.no_change_reason is None):
            raise PydanticCustomError(
                "resolution_outcome",
                "a resolution needs exactly one of 'mechanism_change' or 'no_change_reason'",
            )
        return self


class Escalation(StrictModel):
    id: EscalationId
    title: Text
    mechanism: MechanismId | None = None
    failure_mode: FailureMode
    severity: Severity = Severity.SEV3
    level: Text
    status: EscalationStatus = EscalationStatus.OPEN
    customer_impact: Text
    ask: str | None = None
    raised_by: Text
    raised_at: Timestamp
    owner: TeamName | None = None
    links: list[Text] = Field(default_factory=list)
    tags: list[Text] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    resolution: Resolution | None = None

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str, info: ValidationInfo) -> str:
        levels = (info.context or {}).get("levels")
        if levels and value not in levels:
            raise PydanticCustomError(
                "unknown_level",
                "unknown level '{value}'; configured levels: {levels}",
                {"value": value, "levels": ", ".join(levels)},
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Escalation:
        if self.mechanism is None and self.failure_mode is not FailureMode.NO_MECHANISM:
            raise PydanticCustomError(
                "mechanism_required",
                "'mechanism' may be empty only with failure_mode 'no-mechanism'",
            )
        if self.mechanism is not None and self.failure_mode is FailureMode.NO_MECHANISM:
            raise PydanticCustomError(
                "mechanism_with_no_mechanism",
                "failure_mode 'no-mechanism' cannot name a mechanism",
            )
        settled = self.status in (EscalationStatus.RESOLVED, EscalationStatus.CLOSED)
        if settled and self.resolution is None:
            raise PydanticCustomError(
                "resolution_required",
                "a {status} escalation needs a 'resolution'",
                {"status": self.status.value},
            )
        if not settled and self.resolution is not None:
            raise PydanticCustomError(
                "resolution_unexpected",
                "'resolution' is only allowed when the escalation is resolved or closed",
            )
        return self

    # Derived figures: computed from the timeline, never stored.
    def first(self, action: TimelineAction) -> datetime | None:
        return next((entry.at for entry in self.timeline if entry.action is action), None)

    def last(self, action: TimelineAction) -> datetime | None:
        found = [entry.at for entry in self.timeline if entry.action is action]
        return found[-1] if found else None

    def time_to_acknowledge(self) -> timedelta | None:
        acked = self.first(TimelineAction.ACKNOWLEDGED)
        return None if acked is None else acked - self.raised_at

    def time_to_resolve(self) -> timedelta | None:
        if self.status not in (EscalationStatus.RESOLVED, EscalationStatus.CLOSED):
            return None
        resolved = self.last(TimelineAction.RESOLVED)
        return None if resolved is None else resolved - self.raised_at
