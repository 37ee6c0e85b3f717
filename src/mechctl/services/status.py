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
from mechctl.services.core import index
from mechctl.services.core.cadence import inspection_due
from mechctl.services.core.context import Workspace
from mechctl.services.escalation.listing import UNRESOLVED, deriver

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
    facts: dict[str, Any]  # the configuration's (services/core/index/facts.py)


def _key(person: str) -> str:
    match = _EMAIL.search(person)
    return (match.group(1) if match else person).strip().casefold()


def my_teams(
    teams: dict[str, list[str]] | None, identity: str | None, requested: list[str]
) -> tuple[list[str], str]:
    """`teams`: each configured team's codeowners (the facts' `teams`), None when the
    configuration names no teams (then any team is known)."""
    if requested:
        unknown = [t for t in requested if teams is not None and t not in teams]
        if unknown:
            known = ", ".join(sorted(teams or {}))
            raise UsageError(f"unknown team {unknown[0]!r} for --team; configured teams: {known}")
        return sorted(set(requested)), "option"
    if identity is None or not teams:
        return [], "none"
    email = _key(identity)
    found = [
        team
        for team, codeowners in sorted(teams.items())
        if any(entry.strip().casefold() == email for entry in codeowners)
    ]
    return found, "codeowners" if found else "none"


def _due(
    mechanisms: list[Row], activated: dict[str, date], today: date, teams: list[str]
) -> tuple[list[DueInspection], int]:
    """Inspections due by today + 7 days (for my teams' mechanisms), and all overdue ones."""
    found, overdue = [], 0
    for mechanism in sorted(mechanisms, key=lambda m: m["id"]):
        plan = mechanism.get("inspection") or {}
        cadence = plan.get("cadence")
        if mechanism["status"] != "active" or cadence is None:
            continue
        last = max(
            (date.fromisoformat(i["date"]) for i in mechanism.get("inspections") or []),
            default=None,
        )
        due = inspection_due(cadence, last, activated.get(mechanism["id"]))
        if due is None or due < today:
            overdue += 1
        inspector = plan.get("inspector")
        mine = not teams or mechanism["owner"] in teams or inspector in teams
        if mine and (due is None or due <= today + DUE_WITHIN):
            found.append(
                DueInspection(
                    mechanism["id"],
                    mechanism["title"],
                    mechanism["owner"],
                    inspector,
                    cadence,
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
    """From the index's rows and the configuration's facts: no models (docs/design.md §8)."""
    try:
        identity: str | None = ws.identity
    except RepositoryStateError:
        identity = None  # still worth showing the rest; the renderer says how to set it
    now = ws.now()
    me = None if identity is None else _key(identity)
    # The counts in SQL; of the unresolved rows only the columns they need, and whole
    # records only for the rows printed (docs/design.md §7).
    with index.open_index(ws, progress) as found:
        facts = found.facts
        chosen, source = my_teams(facts["teams"], identity, teams or [])
        ack = {sev: timedelta(seconds=s) for sev, s in facts["ack_within"].items()}
        resolve = {sev: timedelta(seconds=s) for sev, s in facts["resolve_within"].items()}
        mechanism_rows = list(found.mechanisms())
        owners = {row["id"]: row["owner"] for row in mechanism_rows}
        unresolved = list(found.rows(_UNRESOLVED_SQL))
        unresolved.sort(key=lambda row: (row[3], row[2], row[1]))  # severity, raised, id
        ack_late = resolve_late = 0
        mine_paths, team_paths = [], []
        for path, _id, raised_text, severity, state, raised_by, mechanism, owner in unresolved:
            raised = datetime.fromisoformat(raised_text)
            # As services/escalation/listing.py's deriver: open past its acknowledge time,
            # unresolved past its resolve time.
            ack_late += state == "open" and now > raised + ack[severity]
            resolve_late += now > raised + resolve[severity]
            if me is not None and _key(raised_by) == me:
                mine_paths.append(path)
            if chosen and owners.get(mechanism or "", owner) in chosen:
                team_paths.append(path)
        printed = _records(found, {*mine_paths, *team_paths})
        total = found.count(index.ESCALATION)
        esc_problems = found.problems(index.ESCALATION)
        mech_problems = found.problems(index.MECHANISM)
    due, overdue = _due(mechanism_rows, ws.git.activation_dates(), now.date(), chosen)
    checks = Checks(
        mechanisms=len(mechanism_rows),
        escalations=total,
        invalid_files=len(mech_problems) + len(esc_problems),
        ack_overdue=ack_late,
        resolve_overdue=resolve_late,
        inspections_overdue=overdue,
        problems=[*mech_problems, *esc_problems],
    )
    mine = [printed[path] for path in mine_paths]
    team = [printed[path] for path in team_paths]
    return Status(identity, chosen, source, mine, team, due, now.date() + DUE_WITHIN, checks, facts)


# Through files_status, the index by kind and status: without it SQLite may walk every
# escalation's row for the few thousand unresolved ones.
_UNRESOLVED_SQL = (
    "SELECT path, id, raised_at, severity, status, raised_by, mechanism, owner"
    " FROM files INDEXED BY files_status"
    f" WHERE kind = '{index.ESCALATION}' AND status IN {UNRESOLVED} AND valid = 1"
    " ORDER BY path"
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


def to_json(found: Status, now: datetime) -> dict[str, Any]:
    checks = found.checks
    derive = deriver(found.facts, now)
    return {
        "identity": found.identity,
        "teams": found.teams,
        "team_source": found.team_source,
        "mine": [{**row, "derived": derive(row)} for row in found.mine],
        "team": [{**row, "derived": derive(row)} for row in found.team],
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
