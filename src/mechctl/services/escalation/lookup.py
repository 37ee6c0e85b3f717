"""One escalation for reading, as its JSON row: the read path of `escalation show`, which
needs neither pydantic nor ruamel while the index vouches for the file (docs/design.md §7,
§8). Whatever the index cannot vouch for (an invalid or misplaced file, a broken
configuration) is answered by services/escalation/read.py, with the same errors as ever."""

from __future__ import annotations

from typing import Any

from mechctl.errors import ConfigError
from mechctl.models.ids import ESCALATION_ID_RE
from mechctl.services.core import index
from mechctl.services.core.index.point import open_point
from mechctl.store import layout


def find_row(ws: Any, id_text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The escalation (by full id or unique abbreviation) as its JSON row, and the
    configuration's facts (index.config_facts)."""
    try:
        facts = index.config_facts(ws)
    except ConfigError:
        facts = None
    if facts is not None:
        row = _from_index(ws, id_text)
        if row is not None:
            return row, facts
    from mechctl.services.escalation.read import find

    found = find(ws, id_text)  # raises the configuration's error, if any, as before
    if facts is None:
        facts = index.config_facts(ws)
    return found.model_dump(mode="json"), facts


def _from_index(ws: Any, id_text: str) -> dict[str, Any] | None:
    """The valid row of the escalation's file: from its row without a refresh when the
    file's stat data vouch for it, else from the refreshed index; None for anything else."""
    wanted = id_text.strip().lower()
    full = ESCALATION_ID_RE.match(wanted) is not None
    point = open_point(ws)
    if point is not None:
        with point:
            escalation_id: str | None
            if full:
                escalation_id = layout.resolve_escalation_id(ws.root, id_text)
            else:
                stems = point.escalation_stems(layout.abbreviation(id_text))
                escalation_id = None if stems is None else _pick(id_text, stems)
            if escalation_id is not None:
                row = point.record(layout.escalation_rel(escalation_id))
                if isinstance(row, dict):
                    return row
                if row is not None:
                    return None  # known to be invalid: read.find says why
    with index.open_index(ws) as found:
        if full:
            chosen = layout.resolve_escalation_id(ws.root, id_text)
        else:
            chosen = _pick(id_text, found.escalation_stems(layout.abbreviation(id_text)))
        return found.record_at(layout.escalation_rel(chosen))


def _pick(text: str, stems: list[str]) -> str:
    ids = [stem for stem in stems if ESCALATION_ID_RE.match(stem)]
    return layout.pick_abbreviated(text, layout.abbreviation(text), ids)
