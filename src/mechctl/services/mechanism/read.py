"""Finding and reading mechanisms: the shared lookups other services build on."""

from __future__ import annotations

from dataclasses import dataclass

from mechctl.errors import NotFoundError, Problem
from mechctl.models import Mechanism, MechanismStatus
from mechctl.services.core import index
from mechctl.services.core.context import Workspace
from mechctl.store import layout
from mechctl.store.locate import suggest
from mechctl.store.records import read_mechanism


@dataclass
class MechanismFile:
    mechanism: Mechanism
    rel: str
    text: str


def mechanism_ids(ws: Workspace) -> list[str]:
    return [path.stem for path in layout.mechanism_files(ws.root)]


def not_found(ws: Workspace, mechanism_id: str) -> NotFoundError:
    known = mechanism_ids(ws)
    hint = suggest(mechanism_id, known)
    message = f"no mechanism {mechanism_id!r}"
    if hint:
        message += f" (did you mean {hint!r}?)"
    elif known:
        message += f"; known: {', '.join(known[:8])}" + (" …" if len(known) > 8 else "")
    else:
        message += "; there are no mechanisms yet (create one with `mechctl mechanism new`)"
    return NotFoundError(message)


def load(ws: Workspace, mechanism_id: str) -> MechanismFile:
    rel = layout.mechanism_rel(mechanism_id)
    if not (ws.root / rel).is_file():
        raise not_found(ws, mechanism_id)
    mechanism, text = read_mechanism(ws.root, rel)
    return MechanismFile(mechanism, rel, text)


def list_mechanisms(
    ws: Workspace,
    status: MechanismStatus | None = None,
    owner: str | None = None,
    limit: int | None = None,
) -> tuple[list[Mechanism], list[Problem]]:
    """Every valid mechanism, filtered, in id order; and the problems of the files that are
    not (they are skipped: one broken file hides no other, docs/design.md §4)."""
    with index.open_index(ws) as found:
        rows = list(
            found.mechanisms(
                status=status.value if status is not None else None, owner=owner, limit=limit
            )
        )
        problems = found.problems(index.MECHANISM)
    return [Mechanism.model_validate(row) for row in rows], problems
