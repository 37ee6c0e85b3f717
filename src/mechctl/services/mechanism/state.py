"""`mechanism activate` and `mechanism retire`: draft -> active -> retired."""

from __future__ import annotations

from mechctl.errors import MechctlError, TransitionError
from mechctl.models import Mechanism, MechanismStatus
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.services.mechanism import read as mechanisms
from mechctl.store import layout, yamlio
from mechctl.store.records import validate_doc


class IncompleteError(MechctlError):
    """Activation refused: the definition lacks parts an active mechanism needs."""


def activate(ws: Workspace, mechanism_id: str) -> Mechanism:
    with transaction(ws) as txn:
        current = mechanisms.load(ws, mechanism_id)
        mechanism = current.mechanism
        if mechanism.status is not MechanismStatus.DRAFT:
            raise TransitionError(
                f"mechanism {mechanism_id!r} is {mechanism.status.value}; only a draft can be"
                " activated"
            )
        missing = mechanism.missing_for_active()
        if missing:
            raise IncompleteError(
                f"cannot activate {mechanism_id!r}: it is incomplete; missing "
                + "; ".join(f"{what} ({path})" for path, what in missing),
                hint=f"add them with `mechctl mechanism set {mechanism_id} FIELD=VALUE --why ...`"
                f" or `mechctl mechanism edit {mechanism_id}`",
            )
        doc = yamlio.load_roundtrip(current.text, current.rel)
        doc["status"] = MechanismStatus.ACTIVE.value
        result = validate_doc(doc, current.rel, Mechanism)
        txn.write(current.rel, yamlio.dump(doc), before=current.text)
        txn.commit(f"mechanism activate: {mechanism_id}", "mechanism.activate", mechanism_id)
    return result


def retire(
    ws: Workspace, mechanism_id: str, reason: str, superseded_by: str | None = None
) -> Mechanism:
    if not reason.strip():
        from mechctl.errors import UsageError

        raise UsageError("--reason must not be empty")
    with transaction(ws) as txn:
        current = mechanisms.load(ws, mechanism_id)
        if current.mechanism.status is MechanismStatus.RETIRED:
            raise TransitionError(f"mechanism {mechanism_id!r} is already retired")
        if superseded_by is not None:
            layout.check_mechanism_id(superseded_by)
            if superseded_by == mechanism_id:
                raise TransitionError("a mechanism cannot supersede itself")
            mechanisms.load(ws, superseded_by)
        doc = yamlio.load_roundtrip(current.text, current.rel)
        doc["status"] = MechanismStatus.RETIRED.value
        retired = {"date": ws.now().date(), "reason": reason}
        if superseded_by:
            retired["superseded_by"] = superseded_by
        doc["retired"] = yamlio.to_yaml(retired)
        result = validate_doc(doc, current.rel, Mechanism)
        txn.write(current.rel, yamlio.dump(doc), before=current.text)
        txn.commit(
            f"mechanism retire: {mechanism_id}", "mechanism.retire", mechanism_id, body=reason
        )
    return result
