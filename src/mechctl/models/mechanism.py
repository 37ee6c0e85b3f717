"""The Mechanism record: a tool, its adoption, inspection and iterations (docs/design.md §3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from mechctl.models.common import EscalationId, MechanismId, StrictModel, TeamName, Text
from mechctl.models.enums import (
    AdoptionApproach,
    Cadence,
    Lever,
    MechanismKind,
    MechanismStatus,
    Outcome,
    SignalKind,
)

MetricValue = float | int | str


class Tool(StrictModel):
    description: str = ""
    inputs: list[Text] = Field(default_factory=list)
    outputs: list[Text] = Field(default_factory=list, description="the desired output")
    steps: list[Text] = Field(default_factory=list)


class Stakeholder(StrictModel):
    team: TeamName
    contribution: Text


class AdoptionMetric(StrictModel):
    name: Text
    target: MetricValue


class Adoption(StrictModel):
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    approach: list[AdoptionApproach] = Field(default_factory=list)
    metrics: list[AdoptionMetric] = Field(default_factory=list)
    barriers: list[Text] = Field(default_factory=list)


class Signal(StrictModel):
    name: Text
    kind: SignalKind
    target: MetricValue | None = None


class InspectionPlan(StrictModel):
    cadence: Cadence | None = None
    inspector: TeamName | None = None
    signals: list[Signal] = Field(default_factory=list)


class InspectionRecord(StrictModel):
    date: date
    outcome: Outcome
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    anecdotes: list[Text] = Field(default_factory=list)
    actions: list[Text] = Field(default_factory=list)
    by: Text


class Iteration(StrictModel):
    version: int = Field(ge=1)
    date: date
    why: Text
    escalations: list[EscalationId] = Field(default_factory=list)


class Retirement(StrictModel):
    date: date
    reason: Text
    superseded_by: MechanismId | None = None


# The parts an active mechanism must have, as (dotted path, what is missing).
COMPLETENESS = (
    ("tool.inputs", "at least one tool input"),
    ("tool.outputs", "at least one desired output"),
    ("tool.steps", "at least one tool step"),
    ("adoption.stakeholders", "at least one adoption stakeholder"),
    ("adoption.approach", "at least one adoption approach"),
    ("inspection.cadence", "an inspection cadence"),
    ("inspection.signals", "at least one inspection signal"),
)

# Fields that are the mechanism's definition. A change to any of them bumps `version` and
# appends an `iterations` entry. The rest is state (status, retired) or a log.
DEFINITION_FIELDS = (
    "title",
    "kind",
    "owner",
    "problem",
    "tool",
    "levers",
    "adoption",
    "inspection",
)
LOG_FIELDS = ("inspections", "iterations")


def _active_requires() -> dict[str, Any]:
    """JSON Schema `if status == active then complete`, so editors flag it as the user types."""
    non_empty = {"type": "array", "minItems": 1}
    return {
        "if": {"properties": {"status": {"const": "active"}}, "required": ["status"]},
        "then": {
            "properties": {
                "tool": {
                    "required": ["inputs", "outputs", "steps"],
                    "properties": {"inputs": non_empty, "outputs": non_empty, "steps": non_empty},
                },
                "adoption": {
                    "required": ["stakeholders", "approach"],
                    "properties": {"stakeholders": non_empty, "approach": non_empty},
                },
                "inspection": {
                    "required": ["cadence", "signals"],
                    "properties": {"cadence": {"type": "string"}, "signals": non_empty},
                },
            },
            "required": ["tool", "adoption", "inspection"],
        },
    }


class Mechanism(StrictModel):
    model_config = ConfigDict(
        extra="forbid", defer_build=True, json_schema_extra=_active_requires()
    )

    id: MechanismId
    title: Text
    kind: MechanismKind = MechanismKind.OTHER
    status: MechanismStatus = MechanismStatus.DRAFT
    owner: TeamName
    version: int = Field(default=1, ge=1)
    problem: Text
    tool: Tool = Field(default_factory=Tool)
    levers: list[Lever] = Field(default_factory=list)
    adoption: Adoption = Field(default_factory=Adoption)
    inspection: InspectionPlan = Field(default_factory=InspectionPlan)
    inspections: list[InspectionRecord] = Field(default_factory=list)
    iterations: list[Iteration] = Field(default_factory=list)
    retired: Retirement | None = None

    def missing_for_active(self) -> list[tuple[str, str]]:
        """What this definition lacks before it can be active, as (path, description)."""
        missing = []
        for path, what in COMPLETENESS:
            section, field = path.split(".")
            if not getattr(getattr(self, section), field):
                missing.append((path, what))
        return missing

    @model_validator(mode="after")
    def _check_state(self) -> Mechanism:
        if self.status is MechanismStatus.ACTIVE:
            missing = self.missing_for_active()
            if missing:
                raise PydanticCustomError(
                    "incomplete_mechanism",
                    "an active mechanism must be complete; missing {missing}",
                    {"missing": ", ".join(p for p, _ in missing), "paths": [p for p, _ in missing]},
                )
        if self.status is MechanismStatus.RETIRED and self.retired is None:
            raise PydanticCustomError(
                "retired_without_reason",
                "a retired mechanism needs a 'retired' section with date and reason",
            )
        if self.status is not MechanismStatus.RETIRED and self.retired is not None:
            raise PydanticCustomError(
                "retired_section",
                "'retired' is only allowed when status is retired",
            )
        if self.retired is not None and self.retired.superseded_by == self.id:
            raise PydanticCustomError("superseded_by_self", "a mechanism cannot supersede itself")
        return self

    def definition(self) -> dict[str, Any]:
        """The definition fields as plain data, for comparing two versions."""
        return self.model_dump(mode="json", include=set(DEFINITION_FIELDS))
