"""`mechctl escalate`: raise an escalation in one command — no approval, high by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mechctl.errors import UsageError
from mechctl.models import Escalation, FailureMode, MechanismStatus, Severity
from mechctl.services import mechanisms
from mechctl.services.context import Workspace
from mechctl.services.txn import transaction
from mechctl.store import layout, yamlio
from mechctl.store.records import validate_doc

KEY_ORDER = (
    "id", "title", "mechanism", "failure_mode", "severity", "level", "status",
    "customer_impact", "ask", "raised_by", "raised_at", "owner", "links", "tags", "timeline",
)


@dataclass
class Raised:
    escalation: Escalation
    rel: str
    warnings: list[str] = field(default_factory=list)


def check_level(ws: Workspace, level: str, flag: str = "--level") -> str:
    levels = ws.config.escalation.levels
    if level not in levels:
        raise UsageError(f"unknown {flag} {level!r}; configured levels: {', '.join(levels)}")
    return level


def raise_escalation(
    ws: Workspace,
    *,
    title: str,
    impact: str,
    mechanism_id: str | None,
    severity: Severity = Severity.SEV3,
    failure_mode: FailureMode | None = None,
    level: str | None = None,
    ask: str | None = None,
    links: list[str] | None = None,
    tags: list[str] | None = None,
) -> Raised:
    for flag, value in (("--title", title), ("--impact", impact)):
        if not value.strip():
            raise UsageError(f"{flag} must not be empty")
    if mechanism_id is None and failure_mode not in (None, FailureMode.NO_MECHANISM):
        raise UsageError(
            f"--failure-mode {failure_mode.value} needs --mechanism; only 'no-mechanism' may"
            " be raised without one"
        )
    if mechanism_id is not None and failure_mode is FailureMode.NO_MECHANISM:
        raise UsageError("--failure-mode no-mechanism cannot name a --mechanism")
    mode = failure_mode or (FailureMode.NO_MECHANISM if mechanism_id is None else FailureMode.OTHER)
    chosen_level = check_level(ws, level or ws.config.escalation.default_level)
    warnings: list[str] = []
    owner = None
    if mechanism_id is not None:
        owner, status, successor = mechanisms.peek(ws, mechanism_id)
        if status == MechanismStatus.RETIRED.value:
            warnings.append(
                f"mechanism {mechanism_id!r} is retired"
                + (f"; it was superseded by {successor!r}" if successor else "")
            )
    now = ws.now()
    with transaction(ws) as txn:
        escalation_id = layout.draw_escalation_id(
            now.date(), lambda candidate: (ws.root / layout.escalation_rel(candidate)).exists()
        )
        rel = layout.escalation_rel(escalation_id)
        record: dict[str, Any] = {
            "id": escalation_id,
            "title": title.strip(),
            "mechanism": mechanism_id,
            "failure_mode": mode.value,
            "severity": severity.value,
            "level": chosen_level,
            "status": "open",
            "customer_impact": impact.strip(),
            "ask": ask.strip() if ask and ask.strip() else None,
            "raised_by": ws.identity,
            "raised_at": now,
            "owner": owner,
            "links": list(links or []),
            "tags": list(tags or []),
            "timeline": [
                {"at": now, "by": ws.identity, "action": "raised", "level": chosen_level}
            ],
        }
        ordered = {k: record[k] for k in KEY_ORDER if record[k] is not None or k == "mechanism"}
        doc = yamlio.to_yaml(ordered)
        escalation = validate_doc(
            doc, rel, Escalation, {"levels": ws.config.escalation.levels}
        )
        text = yamlio.dump(doc, header=layout.schema_header(rel, "escalation"))
        txn.write(rel, text, before=None)
        # A freshly drawn id cannot have local edits: skip the `git status` scan.
        txn.commit(f"escalate: {escalation.title}", "escalation.raise", escalation_id,
                   check_dirty=False)
    return Raised(escalation, rel, warnings)
