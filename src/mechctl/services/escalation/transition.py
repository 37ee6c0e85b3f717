"""ack, comment, raise, resolve, close, reopen: each appends to the timeline, one commit.

Which action is allowed from which status comes from the one table in models/lifecycle.py,
which lint's `invalid-transition` reads too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mechctl.errors import NotFoundError, TransitionError, UsageError
from mechctl.models import Escalation, TimelineAction
from mechctl.models.lifecycle import COMMAND_FOR, allowed_actions, is_allowed, target_status
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.services.escalation import read as escalations
from mechctl.services.mechanism import read as mechanisms
from mechctl.store import layout, yamlio
from mechctl.store.records import validate_doc

_ACTION_NAMES = {
    TimelineAction.ACKNOWLEDGED: "escalation.ack",
    TimelineAction.COMMENTED: "escalation.comment",
    TimelineAction.LEVEL_RAISED: "escalation.level-raise",
    TimelineAction.RESOLVED: "escalation.resolve",
    TimelineAction.CLOSED: "escalation.close",
    TimelineAction.REOPENED: "escalation.reopen",
}
_VERBS = {
    TimelineAction.ACKNOWLEDGED: "acknowledge",
    TimelineAction.COMMENTED: "comment on",
    TimelineAction.LEVEL_RAISED: "raise",
    TimelineAction.RESOLVED: "resolve",
    TimelineAction.CLOSED: "close",
    TimelineAction.REOPENED: "reopen",
}


@dataclass
class Resolve:
    summary: str
    root_cause: str | None = None
    mechanism_change: str | None = None  # ID or ID@VERSION
    no_change_reason: str | None = None


def _refuse(esc: Escalation, action: TimelineAction) -> TransitionError:
    allowed = [COMMAND_FOR[a] for a in allowed_actions(esc.status)]
    return TransitionError(
        f"cannot {_VERBS[action]} {esc.id}: it is {esc.status.value}; allowed now: "
        + ", ".join(allowed)
    )


def _next_level(ws: Workspace, esc: Escalation, to: str | None) -> str:
    levels = ws.config.escalation.levels
    current = levels.index(esc.level) if esc.level in levels else -1
    if to is None:
        if current + 1 >= len(levels):
            raise TransitionError(
                f"cannot raise {esc.id}: it is already at {esc.level!r}, the top level"
                f" ({' < '.join(levels)})"
            )
        return levels[current + 1]
    if to not in levels:
        raise UsageError(f"unknown --to {to!r}; configured levels: {', '.join(levels)}")
    if levels.index(to) <= current:
        raise TransitionError(
            f"cannot raise {esc.id} to {to!r}: it is already at {esc.level!r}"
            f" ({' < '.join(levels)})"
        )
    return to


def _resolution(ws: Workspace, esc: Escalation, spec: Resolve) -> dict[str, Any]:
    if not spec.summary.strip():
        raise UsageError("--summary must not be empty")
    if (spec.mechanism_change is None) == (spec.no_change_reason is None):
        raise UsageError(
            "give exactly one of --mechanism-change ID[@VERSION] or --no-change-reason"
        )
    resolution: dict[str, Any] = {"summary": spec.summary.strip()}
    if spec.root_cause and spec.root_cause.strip():
        resolution["root_cause"] = spec.root_cause.strip()
    if spec.no_change_reason is not None:
        if not spec.no_change_reason.strip():
            raise UsageError("--no-change-reason must not be empty")
        resolution["no_change_reason"] = spec.no_change_reason.strip()
        return resolution
    text = spec.mechanism_change or ""
    mechanism_id, _, version_text = text.partition("@")
    layout.check_mechanism_id(mechanism_id)
    mechanism = mechanisms.load(ws, mechanism_id).mechanism
    if version_text:
        if not version_text.isdigit() or int(version_text) < 1:
            raise UsageError(f"--mechanism-change {text!r}: the version must be a whole number")
        version = int(version_text)
        if version > mechanism.version:
            raise NotFoundError(
                f"mechanism {mechanism_id!r} has no version {version}; its current version is"
                f" {mechanism.version}"
            )
    else:
        version = mechanism.version
    resolution["mechanism_change"] = {"mechanism": mechanism_id, "version": version}
    return resolution


def transition(
    ws: Workspace,
    id_text: str,
    action: TimelineAction,
    *,
    note: str | None = None,
    to_level: str | None = None,
    resolve: Resolve | None = None,
) -> Escalation:
    if action in (TimelineAction.COMMENTED, TimelineAction.REOPENED) and not (note or "").strip():
        what = "the comment" if action is TimelineAction.COMMENTED else "--reason"
        raise UsageError(f"{what} must not be empty")
    with transaction(ws) as txn:
        current = escalations.load(ws, id_text)
        esc = current.escalation
        if not is_allowed(action, esc.status):
            raise _refuse(esc, action)
        doc = yamlio.load_roundtrip(current.text, current.rel)
        now = ws.now()
        entry: dict[str, Any] = {"at": now, "by": ws.identity, "action": action.value}
        if note and note.strip():
            entry["note"] = note.strip()
        subject_tail = ""
        if action is TimelineAction.LEVEL_RAISED:
            level = _next_level(ws, esc, to_level)
            doc["level"] = level
            entry["level"] = level
            subject_tail = f" to {level}"
        if action is TimelineAction.RESOLVED:
            assert resolve is not None
            resolution = _resolution(ws, esc, resolve)
            doc["resolution"] = yamlio.to_yaml(resolution)
            entry.setdefault("note", resolution["summary"])
        if action is TimelineAction.REOPENED:
            doc.pop("resolution", None)
        doc["status"] = target_status(action, esc.status).value
        if isinstance(doc.get("timeline"), list):
            doc["timeline"].append(yamlio.to_yaml(entry))
        else:
            doc["timeline"] = yamlio.to_yaml([entry])
        updated = validate_doc(
            doc, current.rel, Escalation, {"levels": ws.config.escalation.levels}
        )
        txn.write(current.rel, yamlio.dump(doc), before=current.text)
        verb = COMMAND_FOR[action]
        txn.commit(
            f"escalation {verb}{subject_tail}: {esc.title}",
            _ACTION_NAMES[action],
            esc.id,
            body=note if action is not TimelineAction.RESOLVED else None,
        )
    return updated
