"""`mechctl escalate`: raise an escalation in one command — no approval, high by default.

This is the hot path (docs/design.md §8: within 2.5 times a bare `git add` + `git commit`).
It imports neither pydantic nor ruamel: each part of the record is checked as it is
assembled, by the same rules the Escalation model applies (tests hold the two together), the
configuration and the mechanism's owner come from the index (services/core/index/), and
the new file is written by store/emit.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mechctl.errors import UsageError
from mechctl.models.enums import FailureMode, MechanismStatus, Severity
from mechctl.services.core import index as facts
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.store import layout
from mechctl.store.emit import emit


@dataclass
class Raised:
    """The new record as written (plain data, the shape of Escalation.model_dump)."""

    record: dict[str, Any]
    rel: str
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.record["id"])


def _text(flag: str, value: str | None, *, required: bool) -> str | None:
    if value is None or not value.strip():
        if required or value is not None:
            raise UsageError(f"{flag} must not be empty")
        return None
    return " ".join(value.split()) if flag in ("--title", "--tag") else value.strip()


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
    escalation_id: str | None = None,
) -> Raised:
    """`escalation_id`: a chosen id (intake derives one from the issue), else one is drawn."""
    clean_title = _text("--title", title, required=True)
    clean_impact = _text("--impact", impact, required=True)
    clean_ask = _text("--ask", ask, required=False) if ask is not None and ask.strip() else None
    clean_links = [_text("--link", link, required=True) for link in links or []]
    clean_tags = [_text("--tag", tag, required=True) for tag in tags or []]
    if mechanism_id is None and failure_mode not in (None, FailureMode.NO_MECHANISM):
        raise UsageError(
            f"--failure-mode {failure_mode.value} needs --mechanism; only 'no-mechanism' may"
            " be raised without one"
        )
    if mechanism_id is not None and failure_mode is FailureMode.NO_MECHANISM:
        raise UsageError("--failure-mode no-mechanism cannot name a --mechanism")
    mode = failure_mode or (FailureMode.NO_MECHANISM if mechanism_id is None else FailureMode.OTHER)
    levels, default_level = facts.escalation_levels(ws)
    chosen_level = level or default_level
    if chosen_level not in levels:
        raise UsageError(
            f"unknown --level {chosen_level!r}; configured levels: {', '.join(levels)}"
        )
    warnings: list[str] = []
    owner = None
    if mechanism_id is not None:
        found = facts.mechanism_facts(ws, mechanism_id)
        owner = found.owner
        if found.status == MechanismStatus.RETIRED.value:
            warnings.append(
                f"mechanism {mechanism_id!r} is retired"
                + (f"; it was superseded by {found.superseded_by!r}" if found.superseded_by else "")
            )
    now: datetime = ws.now()
    with transaction(ws) as txn:
        if escalation_id is None:
            escalation_id = layout.draw_escalation_id(
                now.date(), lambda candidate: (ws.root / layout.escalation_rel(candidate)).exists()
            )
        rel = layout.escalation_rel(escalation_id)
        record: dict[str, Any] = {
            "id": escalation_id,
            "title": clean_title,
            "mechanism": mechanism_id,
            "failure_mode": mode.value,
            "severity": severity.value,
            "level": chosen_level,
            "status": "open",
            "customer_impact": clean_impact,
            "ask": clean_ask,
            "raised_by": ws.identity,
            "raised_at": now,
            "owner": owner,
            "links": clean_links,
            "tags": clean_tags,
            "timeline": [{"at": now, "by": ws.identity, "action": "raised", "level": chosen_level}],
        }
        written = {k: v for k, v in record.items() if v is not None or k == "mechanism"}
        text = emit(written, header=layout.schema_header(rel, "escalation"))
        txn.write(rel, text, before=None)
        # A freshly drawn id cannot have local edits: skip the `git status` scan.
        txn.commit(f"escalate: {clean_title}", "escalation.raise", escalation_id, check_dirty=False)
    return Raised(record, rel, warnings)
