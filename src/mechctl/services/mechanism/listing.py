"""Listing mechanisms from the index as JSON rows: the read path of `mechanism list` and of
`escalate`'s mechanism prompt, which needs neither pydantic nor ruamel on a warm run
(docs/design.md §8). A row is the record's `model_dump(mode="json")`, as the index keeps it."""

from __future__ import annotations

from typing import Any

from mechctl.errors import Problem
from mechctl.services.core import index


def mechanism_rows(
    ws: Any, status: str | None = None, owner: str | None = None, limit: int | None = None
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every valid mechanism, filtered, in id order; and the problems of the files that are
    not (they are skipped: one broken file hides no other, docs/design.md §4)."""
    with index.open_index(ws) as found:
        rows = list(found.mechanisms(status=status, owner=owner, limit=limit))
        problems = found.problems(index.MECHANISM)
    return rows, problems
