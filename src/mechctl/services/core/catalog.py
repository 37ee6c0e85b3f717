"""Every record of a kind, checked, as models: a thin layer over the index
(services/core/index/, docs/design.md §7) for the reads that need whole models."""

from __future__ import annotations

from typing import Any

from mechctl.errors import Problem
from mechctl.models import Escalation, Mechanism
from mechctl.services.core.context import Workspace
from mechctl.services.core.index import ESCALATION, MECHANISM, Progress, open_index

Row = dict[str, Any]


def escalation_rows(
    ws: Workspace, progress: Progress | None = None
) -> tuple[list[Row], list[Problem]]:
    """Valid escalations as JSON-ready dicts (model_dump field names), in path order."""
    with open_index(ws, progress) as index:
        return list(index.escalations(order="path")), index.problems(ESCALATION)


def escalations(
    ws: Workspace, progress: Progress | None = None
) -> tuple[list[Escalation], list[Problem]]:
    """All valid escalations in path (so id) order, and the problems of the files that are
    not. `progress(done, total)` is called as files are checked (for a progress bar)."""
    rows, problems = escalation_rows(ws, progress)
    return [Escalation.model_validate(row) for row in rows], problems


def mechanisms(ws: Workspace) -> tuple[list[Mechanism], list[Problem]]:
    """All valid mechanisms in id order, and the problems of the files that are not."""
    with open_index(ws) as index:
        rows, problems = list(index.mechanisms()), index.problems(MECHANISM)
    return [Mechanism.model_validate(row) for row in rows], problems
