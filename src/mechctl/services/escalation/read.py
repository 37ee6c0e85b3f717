"""Finding, listing and describing escalations, with the figures derived from the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mechctl.errors import ConfigError
from mechctl.models import Config, Escalation, EscalationStatus
from mechctl.models.ids import ESCALATION_ID_RE
from mechctl.services.core import index
from mechctl.services.core.context import Workspace
from mechctl.services.escalation.listing import deriver
from mechctl.store import layout
from mechctl.store.records import read_escalation

UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


@dataclass
class EscalationFile:
    escalation: Escalation
    rel: str
    text: str


def load(ws: Workspace, id_text: str) -> EscalationFile:
    """An escalation by full id or unique abbreviation, read from its file (with its text,
    for a change to it). Abbreviations are looked up in the tree: a change must not wait
    for a cold index to be built."""
    escalation_id = layout.resolve_escalation_id(ws.root, id_text)
    rel = layout.escalation_rel(escalation_id)
    escalation, text = read_escalation(ws.root, rel, ws.config.escalation.levels)
    return EscalationFile(escalation, rel, text)


def _config_ok(ws: Workspace) -> bool:
    try:
        ws.config  # noqa: B018 - validated once, on first use
    except ConfigError:
        return False
    return True


def resolve_id(ws: Workspace, text: str, found: index.Index | None = None) -> str:
    """A full id (its file must exist), or a unique abbreviation: a prefix of the id or of
    its random part, looked up in the index (docs/design.md §7) instead of the tree. The
    same answers and errors as layout.resolve_escalation_id, which is used as it is when
    the configuration is broken (the index needs its levels; the error comes later, as
    before)."""
    wanted = text.strip().lower()
    if ESCALATION_ID_RE.match(wanted) or not _config_ok(ws):
        return layout.resolve_escalation_id(ws.root, text)  # one stat, no index
    short = layout.abbreviation(text)
    if found is None:
        with index.open_index(ws) as opened:
            stems = opened.escalation_stems(short)
    else:
        stems = found.escalation_stems(short)
    ids = [stem for stem in stems if ESCALATION_ID_RE.match(stem)]
    return layout.pick_abbreviated(text, short, ids)


def find(ws: Workspace, id_text: str) -> Escalation:
    """An escalation by full id or unique abbreviation, for reading: from its index row
    when that is current and valid (one row, docs/design.md §7), else read from the file,
    with the same errors as `load`."""
    if not _config_ok(ws):
        return load(ws, id_text).escalation  # the configuration's error, in its turn
    quick = _find_quickly(ws, id_text)
    if isinstance(quick, Escalation):
        return quick
    if quick is None:
        with index.open_index(ws) as found:
            escalation_id = resolve_id(ws, id_text, found)
            rel = layout.escalation_rel(escalation_id)
            row = found.record_at(rel)
        if row is not None:
            return Escalation.model_validate(row)
    else:
        rel = quick
    # Invalid, or a misplaced file matched: as `load` says it.
    return read_escalation(ws.root, rel, ws.config.escalation.levels)[0]


def _find_quickly(ws: Workspace, id_text: str) -> Escalation | str | None:
    """The escalation from its row without a refresh, or the path of its file when that is
    known to be invalid; None when only a refreshed index can tell."""
    from mechctl.services.core.index.point import INVALID, open_point

    point = open_point(ws)
    if point is None:
        return None
    with point:
        wanted = id_text.strip().lower()
        if ESCALATION_ID_RE.match(wanted):
            escalation_id = layout.resolve_escalation_id(ws.root, id_text)
        else:
            stems = point.escalation_stems(layout.abbreviation(id_text))
            if stems is None:
                return None
            ids = [stem for stem in stems if ESCALATION_ID_RE.match(stem)]
            escalation_id = layout.pick_abbreviated(id_text, layout.abbreviation(id_text), ids)
        rel = layout.escalation_rel(escalation_id)
        row = point.record(rel)
    if row is None:
        return None
    if row == INVALID:
        return rel
    assert isinstance(row, dict)
    return Escalation.model_validate(row)


def derived_row(row: dict[str, Any], config: Config, now: datetime) -> dict[str, Any]:
    """The figures computed from a record (as JSON) and the configured targets
    (services/escalation/listing.py keeps the rules)."""
    return deriver(index.facts_of(config), now)(row)


def as_json(esc: Escalation, config: Config, now: datetime) -> dict[str, Any]:
    data = esc.model_dump(mode="json")
    data["derived"] = derived_row(data, config, now)
    return data
