"""`mechctl status`: one short screen for an engineer.

- "My" escalations: unresolved ones whose `raised_by` has my git email (or, without an email,
  my whole git identity).
- "My team": the teams given with `--team`; otherwise the teams in `.mechctl.yaml` whose
  `codeowners` list my git email (CODEOWNERS accepts emails). Their escalations are the
  unresolved ones on mechanisms the team owns now (the escalation's copied `owner` when its
  mechanism cannot be read).
- Inspections due within 7 days (or overdue), for mechanisms my teams own or inspect; for
  every active mechanism when no team is known.
- Checks: the counts lint would start from (invalid files, missed response times, missed
  inspections), computed from the index; `mechctl lint` gives the full findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from mechctl.errors import Problem, RepositoryStateError, UsageError
from mechctl.models import Config, Mechanism
from mechctl.models.enums import MechanismStatus, Severity
from mechctl.services.core import analysis, index
from mechctl.services.core.context import Workspace
from mechctl.services.escalation.read import UNRESOLVED, derived_row

Row = dict[str, Any]

DUE_WITHIN = timedelta(days=7)
_EMAIL = re.compile(r"<([^<>]+)>\s*$")


@dataclass
class DueInspection:
    mechanism: str
    title: str
    owner: str
    inspector: str | None
    cadence: str | None
    due: date | None  # None: never inspected, and no activation on record
    days_left: int | None  # negative when overdue


@dataclass
class Checks:
    mechanisms: int
    escalations: int
    invalid_files: int
    ack_overdue: int
    resolve_overdue: int
    inspections_overdue: int
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Status:
    identity: str | None
    teams: list[str]
    team_source: str  # "option", "codeowners" or "none"
    mine: list[Row]  # the records, as model_dump(mode="json") gives them
    team: list[Row]
    due: list[DueInspection]
    due_by: date
    checks: Checks


def _key(person: str) -> str:
    match = _EMAIL.search(person)
    return (match.group(1) if match else person).strip().casefold()


def my_teams(config: Config, identity: str | None, requested: list[str]) -> tuple[list[str], str]:
    if requested:
        unknown = [t for t in requested if not config.knows_team(t)]
        if unknown:
            known = ", ".join(sorted(config.teams or {}))
            raise UsageError(f"unknown team {unknown[0]!r} for --team; configured teams: {known}")
        return sorted(set(requested)), "option"
    if identity is None or not config.teams:
        return [], "none"
    email = _key(identity)
    found = [
        team
        for team, settings in sorted(config.teams.items())
        if any(entry.strip().casefold() == email for entry in settings.codeowners)
    ]
    return found, "codeowners" if found else "none"


def _due(
    mechanisms: list[Mechanism], activated: dict[str, date], today: date, teams: list[str]
) -> tuple[list[DueInspection], int]:
    """Inspections due by today + 7 days (for my teams' mechanisms), and all overdue ones."""
    found, overdue = [], 0
    for mechanism in sorted(mechanisms, key=lambda m: m.id):
        cadence = mechanism.inspection.cadence
        if mechanism.status is not MechanismStatus.ACTIVE or cadence is None:
            continue
        due = analysis.next_inspection(mechanism, activated.get(mechanism.id))
        if due is None or due < today:
            overdue += 1
        inspector = mechanism.inspection.inspector
        mine = not teams or mechanism.owner in teams or inspector in teams
        if mine and (due is None or due <= today + DUE_WITHIN):
            found.append(
                DueInspection(
                    mechanism.id,
                    mechanism.title,
                    mechanism.owner,
                    inspector,
                    cadence.value,
                    due,
                    None if due is None else (due - today).days,
                )
            )
    found.sort(key=lambda d: (d.due or date.min, d.mechanism))
    return found, overdue


def status(
    ws: Workspace,
    teams: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Status:
    try:
        identity: str | None = ws.identity
    except RepositoryStateError:
        identity = None  # still worth showing the rest; the renderer says how to set it
    config = ws.config
    chosen, source = my_teams(config, identity, teams or [])
    now = ws.now()
    me = None if identity is None else _key(identity)
    ack = {s.value: config.escalation.ack_within[s] for s in Severity}
    resolve = {s.value: config.escalation.resolve_within[s] for s in Severity}
    # The counts in SQL; of the unresolved rows only the columns they need, and whole
    # records only for the rows printed (docs/design.md §7).
    with index.open_index(ws, progress) as found:
        mechanism_rows = list(found.mechanisms())
        owners = {row["id"]: row["owner"] for row in mechanism_rows}
        unresolved = list(found.rows(_UNRESOLVED_SQL))
        unresolved.sort(key=lambda row: (row[3], row[2], row[1]))  # severity, raised, id
        ack_late = resolve_late = 0
        mine_paths, team_paths = [], []
        for path, _id, raised_text, severity, state, raised_by, mechanism, owner in unresolved:
            raised = datetime.fromisoformat(raised_text)
            ack_late += analysis.is_ack_overdue(state, raised, ack[severity], now)
            resolve_late += analysis.is_resolve_overdue(state, raised, resolve[severity], now)
            if me is not None and _key(raised_by) == me:
                mine_paths.append(path)
            if chosen and owners.get(mechanism or "", owner) in chosen:
                team_paths.append(path)
        printed = _records(found, {*mine_paths, *team_paths})
        total = found.count(index.ESCALATION)
        esc_problems = found.problems(index.ESCALATION)
        mech_problems = found.problems(index.MECHANISM)
    mechanisms = [Mechanism.model_validate(row) for row in mechanism_rows]
    due, overdue = _due(mechanisms, ws.git.activation_dates(), now.date(), chosen)
    checks = Checks(
        mechanisms=len(mechanisms),
        escalations=total,
        invalid_files=len(mech_problems) + len(esc_problems),
        ack_overdue=ack_late,
        resolve_overdue=resolve_late,
        inspections_overdue=overdue,
        problems=[*mech_problems, *esc_problems],
    )
    mine = [printed[path] for path in mine_paths]
    team = [printed[path] for path in team_paths]
    return Status(identity, chosen, source, mine, team, due, now.date() + DUE_WITHIN, checks)


_UNRESOLVED_SQL = (
    "SELECT path, id, raised_at, severity, status, raised_by, mechanism, owner FROM files"
    f" WHERE kind = '{index.ESCALATION}' AND valid = 1"
    f" AND status IN {tuple(s.value for s in UNRESOLVED)} ORDER BY path"
)


def _records(found: index.Index, paths: set[str]) -> dict[str, Row]:
    """The records (model_dump's JSON) of the files at `paths`."""
    records: dict[str, Row] = {}
    wanted = sorted(paths)
    for start in range(0, len(wanted), 500):  # SQLite's limit on parameters is far above
        chunk = wanted[start : start + 500]
        sql = f"SELECT path, record FROM files WHERE path IN ({', '.join('?' * len(chunk))})"
        for path, record in found.rows(sql, chunk):
            records[path] = orjson.loads(record)
    return records


def to_json(found: Status, config: Config, ws: Workspace) -> dict[str, Any]:
    now = ws.now()
    checks = found.checks
    return {
        "identity": found.identity,
        "teams": found.teams,
        "team_source": found.team_source,
        "mine": [_as_json(row, config, now) for row in found.mine],
        "team": [_as_json(row, config, now) for row in found.team],
        "inspections_due_by": found.due_by.isoformat(),
        "inspections_due": [
            {
                "mechanism": d.mechanism,
                "title": d.title,
                "owner": d.owner,
                "inspector": d.inspector,
                "cadence": d.cadence,
                "due": None if d.due is None else d.due.isoformat(),
                "days_left": d.days_left,
            }
            for d in found.due
        ],
        "checks": {
            "mechanisms": checks.mechanisms,
            "escalations": checks.escalations,
            "invalid_files": checks.invalid_files,
            "ack_overdue": checks.ack_overdue,
            "resolve_overdue": checks.resolve_overdue,
            "inspections_overdue": checks.inspections_overdue,
            "problems": [str(p) for p in checks.problems],
        },
    }


def _as_json(row: Row, config: Config, now: datetime) -> dict[str, Any]:
    """escalation.read.as_json of a record as the index holds it (model_dump's JSON)."""
    data = dict(row)
    data["derived"] = derived_row(data, config, now)
    return data
