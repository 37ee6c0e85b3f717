"""The mechanism list's columns and rows (drawn by cli/listing.py), from JSON rows: no models
and no rich (docs/design.md §8)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from mechctl.cli.listing import Column, Grid, Row
from mechctl.models.enums import Cadence, MechanismKind, MechanismStatus

STATUS_STYLE = {"draft": "yellow", "active": "green", "retired": "dim"}

MECHANISM_COLUMNS = [
    Column("ID"),
    Column("TITLE", wrap=True),
    Column("KIND", max(len(k.value) for k in MechanismKind)),
    Column("STATUS", max(len(s.value) for s in MechanismStatus)),
    Column("OWNER"),
    Column("VER"),
    Column("CADENCE", max(len(c.value) for c in Cadence)),
    Column("LAST INSPECTED", len("2026-11-01 (off-track)")),
]


def mechanism_rows(mechanisms: Iterable[dict[str, Any]]) -> Iterator[Row]:
    """The cells of each mechanism, given as its JSON row (`model_dump(mode="json")`)."""
    for m in mechanisms:
        inspections = m.get("inspections") or []
        last = inspections[-1] if inspections else None
        cadence = (m.get("inspection") or {}).get("cadence")
        yield (
            (m["id"], ""),
            (m["title"], ""),
            (m["kind"], ""),
            (m["status"], STATUS_STYLE[m["status"]]),
            (m["owner"], ""),
            (str(m["version"]), ""),
            (cadence or "-", ""),
            (f"{last['date']} ({last['outcome']})" if last else "never", ""),
        )


def mechanism_grid(mechanisms: Iterable[dict[str, Any]]) -> Grid:
    return Grid(MECHANISM_COLUMNS, mechanism_rows(mechanisms))
