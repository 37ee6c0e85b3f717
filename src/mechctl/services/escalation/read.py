"""Finding, listing and describing escalations, with the figures derived from the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.errors import Problem
from mechctl.models import Config, Escalation, EscalationStatus, FailureMode, Severity
from mechctl.services.core import analysis, catalog
from mechctl.services.core.context import Workspace
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


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11 reads the trailing Z


def deriver(config: Config, now: datetime) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function giving the figures computed from a record (as JSON) and the configured
    targets; never stored. It works on plain rows, so listing 20,000 escalations needs no
    model objects; the model's time_to_acknowledge / time_to_resolve follow the same rules.
    """
    ack = {sev.value: target for sev, target in config.escalation.ack_within.items()}
    resolve = {sev.value: target for sev, target in config.escalation.resolve_within.items()}
    ack_seconds = {sev: int(t.total_seconds()) for sev, t in ack.items()}
    resolve_seconds = {sev: int(t.total_seconds()) for sev, t in resolve.items()}

    def derive(row: dict[str, Any]) -> dict[str, Any]:
        raised = _at(row["raised_at"])
        severity = row["severity"]
        status = row["status"]
        timeline = row["timeline"]
        acked = next((e["at"] for e in timeline if e["action"] == "acknowledged"), None)
        resolved = [e["at"] for e in timeline if e["action"] == "resolved"]
        settled = status in ("resolved", "closed")
        tta = _at(acked) - raised if acked else None
        ttr = _at(resolved[-1]) - raised if settled and resolved else None
        return {
            "age_seconds": int((now - raised).total_seconds()),
            "time_to_acknowledge_seconds": None if tta is None else int(tta.total_seconds()),
            "time_to_resolve_seconds": None if ttr is None else int(ttr.total_seconds()),
            "ack_target_seconds": ack_seconds[severity],
            "resolve_target_seconds": resolve_seconds[severity],
            "ack_overdue": analysis.is_ack_overdue(status, raised, ack[severity], now),
            "resolve_overdue": analysis.is_resolve_overdue(status, raised, resolve[severity], now),
        }

    return derive


def derived_row(row: dict[str, Any], config: Config, now: datetime) -> dict[str, Any]:
    return deriver(config, now)(row)


def as_json(esc: Escalation, config: Config, now: datetime) -> dict[str, Any]:
    data = esc.model_dump(mode="json")
    data["derived"] = derived_row(data, config, now)
    return data


def list_rows(
    ws: Workspace,
    *,
    status: str | None = None,
    mechanism: str | None = None,
    severity: Severity | None = None,
    failure_mode: FailureMode | None = None,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Records as JSON rows, oldest first. `status` None: unresolved; 'all': every status."""
    rows, problems = catalog.escalation_rows(ws)
    if status is None:
        wanted: set[str] | None = {s.value for s in UNRESOLVED}
    elif status == "all":
        wanted = None
    else:
        wanted = {EscalationStatus(status).value}
    selected = [
        row
        for row in rows
        if (wanted is None or row["status"] in wanted)
        and (mechanism is None or row["mechanism"] == mechanism)
        and (severity is None or row["severity"] == severity.value)
        and (failure_mode is None or row["failure_mode"] == failure_mode.value)
    ]
    # Rows hold timestamps as model_dump writes them (UTC, `…Z`): text order is time order.
    selected.sort(key=lambda row: (row["raised_at"], row["id"]))
    return selected, problems
