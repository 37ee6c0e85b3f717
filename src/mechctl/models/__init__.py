"""pydantic models of the records and the configuration. No I/O here (docs/design.md §7).

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
    from mechctl.models.config import Config as Config
    from mechctl.models.enums import Cadence as Cadence
    from mechctl.models.enums import FailureMode as FailureMode
    from mechctl.models.enums import MechanismKind as MechanismKind
    from mechctl.models.enums import MechanismStatus as MechanismStatus
    from mechctl.models.enums import Outcome as Outcome
    from mechctl.models.enums import RuleLevel as RuleLevel
    from mechctl.models.enums import Severity as Severity
    from mechctl.models.escalation import Escalation as Escalation
    from mechctl.models.escalation import MechanismChange as MechanismChange
    from mechctl.models.escalation import Resolution as Resolution
    from mechctl.models.escalation import TimelineEntry as TimelineEntry
    from mechctl.models.lifecycle import EscalationStatus as EscalationStatus
    from mechctl.models.lifecycle import TimelineAction as TimelineAction
    from mechctl.models.mechanism import Mechanism as Mechanism
