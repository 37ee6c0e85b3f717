"""pydantic models of the records and the configuration. No I/O here (DESIGN §7).

Names load on first use (PEP 562), so importing an enum does not import pydantic: the
command layer declares its options with the enums, and `escalate` never needs the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_HOMES = {
    "Config": "config",
    "RuleLevel": "enums",
    "Escalation": "escalation",
    "MechanismChange": "escalation",
    "Resolution": "escalation",
    "TimelineEntry": "escalation",
    "FailureMode": "enums",
    "Severity": "enums",
    "EscalationStatus": "lifecycle",
    "TimelineAction": "lifecycle",
    "Mechanism": "mechanism",
    "Cadence": "enums",
    "MechanismKind": "enums",
    "MechanismStatus": "enums",
    "Outcome": "enums",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'mechctl.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mechctl.models.{home}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from mechctl.models.config import Config
    from mechctl.models.enums import (
        Cadence,
        FailureMode,
        MechanismKind,
        MechanismStatus,
        Outcome,
        RuleLevel,
        Severity,
    )
    from mechctl.models.escalation import Escalation, MechanismChange, Resolution, TimelineEntry
    from mechctl.models.lifecycle import EscalationStatus, TimelineAction
    from mechctl.models.mechanism import Mechanism
