"""`mechctl codeowners`: a CODEOWNERS block that asks each mechanism's owning team to review
changes to it, from mechanism owners and `teams.*.codeowners` in `.mechctl.yaml`.

Only mechanisms get owners. Escalations stay unowned on purpose: raising one needs nobody's
approval (docs/design.md §1). The block sits between two marker lines; everything else in the file
is the user's and is kept as it is. Like `mechctl schema`, this writes and does not commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mechctl.errors import MechctlError
from mechctl.services.lint.files import CODEOWNERS as PLACES

if TYPE_CHECKING:
    from mechctl.models import Config
    from mechctl.services.core.context import Workspace

BEGIN = "# BEGIN mechctl codeowners"
END = "# END mechctl codeowners"
DEFAULT_PLACE = ".github/CODEOWNERS"


@dataclass
class Plan:
    rel: str  # the file: the existing CODEOWNERS, or .github/CODEOWNERS
    before: str | None
    after: str
    notes: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.before != self.after


def existing(root: Path) -> str | None:
    for rel in PLACES:
        if (root / rel).is_file():
            return rel
    return None


def block(owners: Mapping[str, str], config: Config) -> tuple[list[str], list[str]]:
    """The generated lines for {mechanism file: owning team}, and notes on teams that have no
    code owners (their mechanisms get no line)."""
    teams = config.teams or {}
    lines = [
        f"{BEGIN}: generated from mechanism owners and .mechctl.yaml teams;"
        " run `mechctl codeowners` after a change, edits here are overwritten"
    ]
    notes = []
    for rel, team in sorted(owners.items()):
        handles = teams[team].codeowners if team in teams else []
        if handles:
            lines.append(f"/{rel} {' '.join(handles)}")
        else:
            notes.append(
                f"team '{team}' has no codeowners in .mechctl.yaml; {rel} gets no owner line"
            )
    lines.append(END)
    return lines, notes


def merge(before: str | None, lines: list[str]) -> str:
    """The file with the block replaced, or appended when it is not there yet."""
    if before is None:
        return "\n".join(lines) + "\n"
    current = before.splitlines()
    if BEGIN in (line.split(":", 1)[0] for line in current):
        start = next(i for i, line in enumerate(current) if line.split(":", 1)[0] == BEGIN)
        end = next((i for i in range(start, len(current)) if current[i] == END), len(current) - 1)
        merged = current[:start] + lines + current[end + 1 :]
    else:
        merged = current + ([""] if current and current[-1].strip() else []) + lines
    return "\n".join(merged) + "\n"


def block_line(text: str) -> int:
    """1-based line of the block's first marker (1 when there is none)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.split(":", 1)[0] == BEGIN:
            return number
    return 1


def plan(ws: Workspace) -> Plan:
    from mechctl.services.mechanism.read import list_mechanisms
    from mechctl.store import layout

    if ws.config.teams is None:
        raise MechctlError(
            "`.mechctl.yaml` lists no teams, so there are no code owners to write",
            hint='add e.g. `teams: {platform-eng: {codeowners: ["@my-org/platform-eng"]}}`',
        )
    mechanisms, problems = list_mechanisms(ws)
    if problems:  # code owners are written from every mechanism, or not at all
        from mechctl.errors import InvalidRecordError

        first = problems[0].location.path
        raise InvalidRecordError([p for p in problems if p.location.path == first])
    owners = {layout.mechanism_rel(m.id): m.owner for m in mechanisms}
    lines, notes = block(owners, ws.config)
    rel = existing(ws.root) or DEFAULT_PLACE
    path = ws.root / rel
    before = path.read_text(encoding="utf-8") if path.is_file() else None
    return Plan(rel, before, merge(before, lines), notes)


def write(ws: Workspace) -> Plan:
    from mechctl.store.yamlio import atomic_write

    result = plan(ws)
    if result.stale:
        atomic_write(ws.root / result.rel, result.after)
    return result
