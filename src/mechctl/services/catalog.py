"""Every record of a kind, read fast (C loader), for listings and reports.

This is the seam for the blob-id cache: callers ask the catalog, never the files directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mechctl.errors import Problem
from mechctl.models import Escalation, Mechanism
from mechctl.services.context import Workspace
from mechctl.store import layout
from mechctl.store.records import check_bytes, id_problem


def escalations(
    ws: Workspace, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Escalation], list[Problem]]:
    """All valid escalations in id order, and the problems of the files that are not.

    `progress(done, total)` is called now and then, for a progress bar over a large repository.
    """
    found: list[Escalation] = []
    problems: list[Problem] = []
    levels = {"levels": ws.config.escalation.levels}
    paths = list(layout.escalation_files(ws.root))
    for done, path in enumerate(paths, 1):
        if progress is not None and done % 250 == 0:
            progress(done, len(paths))
        rel = path.relative_to(ws.root).as_posix()
        checked = check_bytes(path.read_bytes(), rel, Escalation, levels)
        mismatch = id_problem(checked, path.stem)
        if checked.model is None or mismatch is not None:
            problems.extend(checked.problems or [mismatch])  # type: ignore[list-item]
            continue
        found.append(checked.model)
    if progress is not None:
        progress(len(paths), len(paths))
    return found, problems


def mechanisms(ws: Workspace) -> tuple[list[Mechanism], list[Problem]]:
    found: list[Mechanism] = []
    problems: list[Problem] = []
    for path in layout.mechanism_files(ws.root):
        rel = path.relative_to(ws.root).as_posix()
        checked = check_bytes(path.read_bytes(), rel, Mechanism)
        mismatch = id_problem(checked, path.stem)
        if checked.model is None or mismatch is not None:
            problems.extend(checked.problems or [mismatch])  # type: ignore[list-item]
            continue
        found.append(checked.model)
    return found, problems


def iter_escalation_rels(ws: Workspace) -> Iterator[str]:
    for path in layout.escalation_files(ws.root):
        yield path.relative_to(ws.root).as_posix()
