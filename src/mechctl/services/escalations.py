"""Finding, listing and describing escalations, with the figures derived from the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.errors import Problem
from mechctl.models import Config, Escalation, EscalationStatus, FailureMode, Severity
from mechctl.services import analysis, catalog
from mechctl.services.context import Workspace
from mechctl.store import layout
from mechctl.store.records import read_escalation

UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


@dataclass
class EscalationFile:
    escalation: Escalation
    rel: str
    text: str


def load(ws: Workspace, id_text: str) -> EscalationFile:
    """An escalation by full id or unique abbreviation."""
    escalation_id = layout.resolve_escalation_id(ws.root, id_text)
    rel = layout.escalation_rel(escalation_id)
    escalation, text = read_escalation(ws.root, rel, ws.config.escalation.levels)
    return EscalationFile(escalation, rel, text)


def derived(esc: Escalation, config: Config, now: datetime) -> dict[str, Any]:
    """Figures computed from the record and the configured targets; never stored."""
    tta = esc.time_to_acknowledge()
    ttr = esc.time_to_resolve()
    return {
        "age_seconds": int((now - esc.raised_at).total_seconds()),
        "time_to_acknowledge_seconds": None if tta is None else int(tta.total_seconds()),
        "time_to_resolve_seconds": None if ttr is None else int(ttr.total_seconds()),
        "ack_target_seconds": int(analysis.ack_target(esc, config).total_seconds()),
        "resolve_target_seconds": int(analysis.resolve_target(esc, config).total_seconds()),
        "ack_overdue": analysis.ack_overdue(esc, config, now),
        "resolve_overdue": analysis.resolve_overdue(esc, config, now),
    }


def as_json(esc: Escalation, config: Config, now: datetime) -> dict[str, Any]:
    data = esc.model_dump(mode="json")
    data["derived"] = derived(esc, config, now)
    return data


def list_escalations(
    ws: Workspace,
    *,
    status: str | None = None,
    mechanism: str | None = None,
    severity: Severity | None = None,
    failure_mode: FailureMode | None = None,
) -> tuple[list[Escalation], list[Problem]]:
    """Oldest first. `status` None means unresolved; 'all' means every status."""
    found, problems = catalog.escalations(ws)
    if status is None:
        wanted: tuple[EscalationStatus, ...] | None = UNRESOLVED
    elif status == "all":
        wanted = None
    else:
        wanted = (EscalationStatus(status),)
    selected = [
        esc
        for esc in found
        if (wanted is None or esc.status in wanted)
        and (mechanism is None or esc.mechanism == mechanism)
        and (severity is None or esc.severity is severity)
        and (failure_mode is None or esc.failure_mode is failure_mode)
    ]
    selected.sort(key=lambda e: (e.raised_at, e.id))
    return selected, problems
