"""The rules that need one file only, and the summary the cross-file rules read.

`indexed` is a pure function of (path, bytes, levels): the index keeps its result in each
row's `lint` column, built with the row (services/core/index/build.py, on all cores when
cold); the rules that read more of the configuration (teams) run at lint time over the
teams it lists. `check` does both at once for a file the index does not hold. Results are
plain tuples (JSON lists, from the index):

- a finding: (line, column, rule, message, level); level "" means the rule's default;
- an escalation summary: ("e", id, mechanism, failure_mode, severity, status,
  raised_at as POSIX seconds, changed mechanism, changed version);
- a mechanism summary: ("m", id, status, version, owner, cadence, last inspection and
  latest iteration as date ordinals, ((version, (escalation ids...)), ...), superseded_by,
  title).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mechctl.models import Escalation, EscalationStatus, Mechanism
from mechctl.services.lint.files import ESCALATION, MECHANISM
from mechctl.store import layout
from mechctl.store.fastyaml import locate
from mechctl.store.locate import position_of
from mechctl.store.records import Checked, check_text
from mechctl.store.yamlio import YamlProblem, decode, load_roundtrip

RawFinding = tuple[int, int, str, str, str]
Summary = tuple[Any, ...]
Result = tuple[tuple[RawFinding, ...], Summary | None]


@dataclass(frozen=True)
class FileContext:
    """The parts of `.mechctl.yaml` that per-file rules read (the cache key covers them)."""

    levels: tuple[str, ...]
    teams: frozenset[str] | None


def position(text: str, path: tuple[int | str, ...], rel: str) -> tuple[int, int]:
    """Where `path` is in a file: libyaml's marks, or the round-trip loader if that fails."""
    found = locate(text, path)
    if found is not None:
        return found
    try:
        return position_of(load_roundtrip(text, rel), path)
    except YamlProblem:
        return 1, 1


class _Findings:
    """Findings of one file, each placed with the cheap locator."""

    def __init__(self, text: str, rel: str) -> None:
        self.text, self.rel = text, rel
        self.items: list[RawFinding] = []

    def add(self, path: tuple[int | str, ...], rule: str, message: str, level: str = "") -> None:
        line, column = position(self.text, path, self.rel)
        self.items.append((line, column, rule, message, level))


def check(rel: str, kind: str, data: bytes, ctx: FileContext) -> Result:
    """One file's result, checked now (a file the index does not hold: misplaced, a link)."""
    try:
        text = decode(data, rel)
    except YamlProblem as exc:
        where = exc.problem.location
        return ((where.line, where.column, exc.problem.rule, exc.problem.message, ""),), None
    model: type[Mechanism] | type[Escalation] = Mechanism if kind == MECHANISM else Escalation
    context = {"levels": list(ctx.levels)} if kind == ESCALATION else None
    checked = check_text(text, rel, model, context)
    if checked.model is None:
        found = tuple(
            (p.location.line, p.location.column, p.rule, p.message, "") for p in checked.problems
        )
        return found, None
    items, summary, teams = _rules(rel, text, checked.model)
    return (*items, *team_findings(rel, lambda: text, teams, ctx.teams)), summary


def indexed(rel: str, kind: str, checked: Checked[Any]) -> bytes | None:
    """What the index keeps of a file for lint (its `lint` column), from the index's own
    check: JSON [findings, summary, teams], or None when the record did not load (its
    problems are then its findings). No configuration but the levels goes in (the index's
    key covers them): the teams a file names are kept, and checked at lint time."""
    if checked.model is None or checked.text is None:
        return None
    import orjson

    return orjson.dumps(_rules(rel, checked.text, checked.model))


def from_problems(problems: list[list[Any]]) -> Result:
    """The result of a file whose record did not load, from the index's problems."""
    found = tuple((line, column, rule, message, "") for line, column, rule, message in problems)
    return found, None


def team_findings(
    rel: str, text: Callable[[], str], teams: Sequence[Any], known: frozenset[str] | None
) -> tuple[RawFinding, ...]:
    """unknown-team for each (YAML path, team) a file names that is not a configured team;
    `text` gives the file's text, asked for only when one is unknown."""
    if known is None:
        return ()
    found = []
    for path, team in teams:
        if team not in known:
            line, column = position(text(), tuple(path), rel)
            found.append((line, column, "unknown-team", _unknown_team(team, known), ""))
    return tuple(found)


def _rules(
    rel: str, text: str, record: Mechanism | Escalation
) -> tuple[tuple[RawFinding, ...], Summary, list[tuple[tuple[int | str, ...], str]]]:
    """The per-file findings that need no configuration, the summary, and the teams named."""
    out = _Findings(text, rel)
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if record.id != stem:
        out.add(("id",), "id-mismatch", f"id '{record.id}' does not match the file name '{stem}'")
    else:
        expected = (
            layout.escalation_rel(record.id)
            if isinstance(record, Escalation)
            else layout.mechanism_rel(record.id)
        )
        if rel != expected:
            out.add(("id",), "id-mismatch", f"this record belongs at {expected}")
    if isinstance(record, Escalation):
        _escalation_rules(record, out)
        teams: list[tuple[tuple[int | str, ...], str]] = []
        if record.owner is not None:
            teams.append((("owner",), record.owner))
        return tuple(out.items), _escalation_summary(record), teams
    _mechanism_rules(record, out)
    return tuple(out.items), _mechanism_summary(record), _mechanism_teams(record)


def _escalation_rules(esc: Escalation, out: _Findings) -> None:
    settled = esc.status in (EscalationStatus.RESOLVED, EscalationStatus.CLOSED)
    if settled and esc.resolution is not None and esc.resolution.no_change_reason is not None:
        out.add(
            ("resolution", "no_change_reason"),
            "resolution-without-change",
            "resolved without changing a mechanism (no_change_reason); the loop closes when a"
            " mechanism changes so the problem does not come back",
        )


def _mechanism_teams(m: Mechanism) -> list[tuple[tuple[int | str, ...], str]]:
    teams: list[tuple[tuple[int | str, ...], str]] = [(("owner",), m.owner)]
    teams += [
        (("adoption", "stakeholders", i, "team"), s.team)
        for i, s in enumerate(m.adoption.stakeholders)
    ]
    if m.inspection.inspector is not None:
        teams.append((("inspection", "inspector"), m.inspection.inspector))
    return teams


def _mechanism_rules(m: Mechanism, out: _Findings) -> None:
    for i, record in enumerate(m.inspections):
        if record.metrics and record.anecdotes:
            continue
        if record.metrics:
            lack = "has metrics but no customer anecdote; data alone misleads"
        elif record.anecdotes:
            lack = "has customer anecdotes but no metrics; record the signals' values too"
        else:
            lack = "has neither metrics nor customer anecdotes"
        out.add(
            ("inspections", i),
            "inspection-without-anecdote",
            f"the inspection of {record.date} {lack}",
        )


def _unknown_team(team: str, teams: frozenset[str]) -> str:
    from mechctl.store.locate import suggest

    hint = suggest(team, teams)
    return f"unknown team '{team}'" + (
        f" (did you mean '{hint}'?)" if hint else "; add it to `teams` in .mechctl.yaml"
    )


def _escalation_summary(esc: Escalation) -> Summary:
    change = esc.resolution.mechanism_change if esc.resolution is not None else None
    return (
        ESCALATION,
        esc.id,
        esc.mechanism,
        esc.failure_mode.value,
        esc.severity.value,
        esc.status.value,
        int(esc.raised_at.timestamp()),
        change.mechanism if change else None,
        change.version if change else None,
    )


def _mechanism_summary(m: Mechanism) -> Summary:
    last = max((record.date for record in m.inspections), default=None)
    latest = max((it.date for it in m.iterations), default=None)
    return (
        MECHANISM,
        m.id,
        m.status.value,
        m.version,
        m.owner,
        m.inspection.cadence.value if m.inspection.cadence else None,
        last.toordinal() if last else None,
        latest.toordinal() if latest else None,
        tuple((it.version, tuple(it.escalations)) for it in m.iterations),
        m.retired.superseded_by if m.retired else None,
        m.title,
    )
