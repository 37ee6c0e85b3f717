"""The enumerations of the data model (docs/design.md §3), free of pydantic.

The command layer needs them to declare options; keeping them here lets a command such as
`escalate` start without importing pydantic at all.
"""

from __future__ import annotations

from enum import StrEnum


class MechanismKind(StrEnum):
    REVIEW = "review"
    PLANNING = "planning"
    HIRING = "hiring"
    WRITING = "writing"
    OPERATIONS = "operations"
    OTHER = "other"


class MechanismStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class Lever(StrEnum):
    MENTAL_MODELS = "mental-models"
    GOALS = "goals"
    ORG_STRUCTURE = "org-structure"
    POLICIES_AND_REWARDS = "policies-and-rewards"
    PROCESS_STEPS = "process-steps"
    MESSAGE_FLOW = "message-flow"
    METRICS = "metrics"
    RESOURCES = "resources"


class AdoptionApproach(StrEnum):
    INDIRECT_INFLUENCE = "indirect-influence"
    DIRECT_AUTHORITY = "direct-authority"
    ADOPTION_METRICS = "adoption-metrics"
    INCENTIVES = "incentives"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def days(self) -> int:
        return {"weekly": 7, "biweekly": 14, "monthly": 30, "quarterly": 91, "yearly": 365}[
            self.value
        ]


class SignalKind(StrEnum):
    INPUT = "input"
    OUTPUT = "output"


class Outcome(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OFF_TRACK = "off-track"


class FailureMode(StrEnum):
    NEW_INPUT = "new-input"
    OUTPUT_CHANGED = "output-changed"
    SCALE = "scale"
    NOT_ADOPTED = "not-adopted"
    NOT_INSPECTED = "not-inspected"
    NO_MECHANISM = "no-mechanism"
    OTHER = "other"


class Severity(StrEnum):
    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"


class RuleLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"
