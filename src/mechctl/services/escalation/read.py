"""Finding, listing and describing escalations, with the figures derived from the timeline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.errors import Problem
from mechctl.models import Config, Escalation, EscalationStatus, FailureMode, Severity
from mechctl.services.core import analysis, index
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
    owner: str | None = None,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Records as JSON rows, oldest first. `status` None: unresolved; 'all': every status.
    Only the rows asked for are read (the filters are the index's own, docs/design.md §7)."""
    with index.open_index(ws) as found:
        rows = list(
            iter_rows(
                found,
                status=status,
                mechanism=mechanism,
                severity=severity,
                failure_mode=failure_mode,
                owner=owner,
                limit=limit,
            )
        )
        return rows, found.problems(index.ESCALATION)


def iter_rows(
    found: index.Index,
    *,
    status: str | None = None,
    mechanism: str | None = None,
    severity: Severity | None = None,
    failure_mode: FailureMode | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """`list_rows` as they come, from an open index (for output written row by row)."""
    if status is None:
        statuses: list[str] | None = [s.value for s in UNRESOLVED]
    elif status == "all":
        statuses = None
    else:
        statuses = [EscalationStatus(status).value]
    return found.escalations(
        statuses=statuses,
        mechanism=mechanism,
        severity=severity.value if severity is not None else None,
        failure_mode=failure_mode.value if failure_mode is not None else None,
        owner=owner,
        limit=limit,
    )
