"""pydantic models of the records and the configuration. No I/O here (DESIGN §7)."""

from mechctl.models.config import Config, RuleLevel
from mechctl.models.escalation import (
    Escalation,
    FailureMode,
    MechanismChange,
    Resolution,
    Severity,
    TimelineEntry,
)
from mechctl.models.lifecycle import EscalationStatus, TimelineAction
from mechctl.models.mechanism import (
    Cadence,
    Mechanism,
    MechanismKind,
    MechanismStatus,
    Outcome,
)

__all__ = [
    "Cadence",
    "Config",
    "Escalation",
    "EscalationStatus",
    "FailureMode",
    "Mechanism",
    "MechanismChange",
    "MechanismKind",
    "MechanismStatus",
    "Outcome",
    "Resolution",
    "RuleLevel",
    "Severity",
    "TimelineAction",
    "TimelineEntry",
]
