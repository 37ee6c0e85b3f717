"""`.mechctl.yaml`: teams, escalation levels and response times, lint rule levels."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from mechctl.models.common import Duration, StrictModel, TeamName, parse_duration
from mechctl.models.defaults import (
    DEFAULT_ACK_WITHIN,
    DEFAULT_LEVEL,
    DEFAULT_LEVELS,
    DEFAULT_RESOLVE_WITHIN,
)
from mechctl.models.enums import (
    RuleLevel,
    Severity,
)
from mechctl.models.notify import NotifyConfig


class TeamConfig(StrictModel):
    codeowners: list[str] = Field(default_factory=list)


def _times(**values: str) -> dict[Severity, timedelta]:
    return {Severity(key): parse_duration(value) for key, value in values.items()}


class EscalationConfig(StrictModel):
    levels: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LEVELS),
        min_length=1,
        description="escalation levels, lowest to highest",
    )
    default_level: str = DEFAULT_LEVEL
    ack_within: dict[Severity, Duration] = Field(
        default_factory=lambda: _times(**DEFAULT_ACK_WITHIN)
    )
    resolve_within: dict[Severity, Duration] = Field(
        default_factory=lambda: _times(**DEFAULT_RESOLVE_WITHIN)
    )

    @model_validator(mode="after")
    def _check(self) -> EscalationConfig:
        if len(set(self.levels)) != len(self.levels):
            raise PydanticCustomError("duplicate_level", "levels must be distinct")
        if self.default_level not in self.levels:
            raise PydanticCustomError(
                "unknown_default_level",
                "default_level '{value}' is not one of the levels: {levels}",
                {"value": self.default_level, "levels": ", ".join(self.levels)},
            )
        return self


class LintConfig(StrictModel):
    rules: dict[str, RuleLevel] = Field(default_factory=dict)


class SyncConfig(StrictModel):
    auto_push: bool = False
    remote: str = "origin"


class Config(StrictModel):
    teams: dict[TeamName, TeamConfig] | None = None
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    lint: LintConfig = Field(default_factory=LintConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    # None: `mechctl notify` has nothing to send, and the notify lint rules stay quiet.
    notify: NotifyConfig | None = None

    def knows_team(self, team: str) -> bool:
        return self.teams is None or team in self.teams
