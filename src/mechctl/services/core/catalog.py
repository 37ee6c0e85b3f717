"""Every record of a kind, checked, for listings, reports and lint's warm path.

Results come from the blob-id cache (store/cache.py) when the same bytes were checked before
under the same configuration, by the same code (the store is made under `derived.key()`,
docs/design.md §7); everything else is read with the C loader and checked, then
remembered. Callers always come here, never to the files directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from mechctl import derived
from mechctl.errors import Location, Problem
from mechctl.models import Escalation, Mechanism
from mechctl.services.core.context import Workspace
from mechctl.store import layout
from mechctl.store.cache import RecordCache
from mechctl.store.files import blob_id
from mechctl.store.records import check_bytes, id_problem

Row = dict[str, Any]


def _cache(ws: Workspace) -> RecordCache:
    return RecordCache(derived.path(ws.git.common_dir, "cache"))


def _files(ws: Workspace, folder: str, rels: list[str]) -> list[tuple[str, str | None]]:
    """(rel, blob id or None) for the record files on disk, in path order."""
    known = ws.git.blob_ids(folder) if ws.git.has_commits() else {}
    return [(rel, known.get(rel)) for rel in rels]


Progress = Callable[[int, int], None]


def _check(
    ws: Workspace,
    folder: str,
    wanted: list[str],
    model: type[Any],
    context: dict[str, Any] | None,
    progress: Progress | None = None,
) -> tuple[list[Row], list[Problem]]:
    # What else the check depends on; mechctl's own version and code key the whole store.
    salt = hashlib.sha1(f"{model.__name__}\0{context}".encode(), usedforsecurity=False).hexdigest()[
        :12
    ]
    files = _files(ws, folder, wanted)
    keyed: list[tuple[str, str, bytes | None]] = []
    for rel, blob in files:
        data = None
        if blob is None:
            try:
                data = (ws.root / rel).read_bytes()
            except OSError:
                continue  # deleted in the work tree
            blob = blob_id(data)
        keyed.append((rel, f"{blob}:{salt}", data))
    cache = _cache(ws)
    cached = cache.get_many([key for _, key, _ in keyed])
    rows: list[Row] = []
    problems: list[Problem] = []
    fresh: list[tuple[str, Any, Any]] = []
    total = len(keyed)
    for done, (rel, key, data) in enumerate(keyed, 1):
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)
        if key in cached:
            record, found = cached[key]
        else:
            if data is None:
                try:
                    data = (ws.root / rel).read_bytes()
                except OSError:
                    continue
            checked = check_bytes(data, rel, model, context)
            mismatch = id_problem(checked, rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
            issues = list(checked.problems) + ([mismatch] if mismatch else [])
            record = (
                None if issues or checked.model is None else checked.model.model_dump(mode="json")
            )
            found = [
                [p.location.line, p.location.column, p.rule, p.message] for p in issues
            ] or None
            fresh.append((key, record, found))
        if record is not None:
            rows.append(record)
        for line, column, rule, message in found or []:
            problems.append(Problem(Location(rel, line, column), message, rule))
    cache.put_many(fresh)
    cache.close()
    return rows, problems


def escalation_rows(
    ws: Workspace, progress: Progress | None = None
) -> tuple[list[Row], list[Problem]]:
    """Valid escalations as JSON-ready dicts (model_dump field names), in id order."""
    levels = {"levels": list(ws.config.escalation.levels)}
    return _check(
        ws, layout.ESCALATIONS, layout.escalation_rels(ws.root), Escalation, levels, progress
    )


def escalations(
    ws: Workspace, progress: Progress | None = None
) -> tuple[list[Escalation], list[Problem]]:
    """All valid escalations in id order, and the problems of the files that are not.
    `progress(done, total)` is called as files are checked (for a progress bar)."""
    rows, problems = escalation_rows(ws, progress)
    return [Escalation.model_validate(row) for row in rows], problems


def mechanisms(ws: Workspace) -> tuple[list[Mechanism], list[Problem]]:
    rels = [p.relative_to(ws.root).as_posix() for p in layout.mechanism_files(ws.root)]
    rows, problems = _check(ws, layout.MECHANISMS, rels, Mechanism, None)
    return [Mechanism.model_validate(row) for row in rows], problems
