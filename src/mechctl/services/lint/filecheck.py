"""The rules that need one file only, and the summary the cross-file rules read.

`check` is a pure function of (path, bytes, configuration), so its result is cached by
blob id and it runs in worker processes. Results are plain tuples (marshal-able):

- a finding: (line, column, rule, message, level); level "" means the rule's default;
- an escalation summary: ("e", id, mechanism, failure_mode, severity, status,
  raised_at as POSIX seconds, changed mechanism, changed version);
- a mechanism summary: ("m", id, status, version, owner, cadence, last inspection and
  latest iteration as date ordinals, ((version, (escalation ids...)), ...), superseded_by,
  title).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mechctl.models import Escalation, EscalationStatus, Mechanism
from mechctl.services.lint.files import ESCALATION, MECHANISM
from mechctl.store import layout
from mechctl.store.fastyaml import locate
from mechctl.store.locate import position_of
from mechctl.store.records import check_text
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
    out = _Findings(text, rel)
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    record = checked.model
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
        _escalation_rules(record, ctx, out)
        return tuple(out.items), _escalation_summary(record)
    _mechanism_rules(record, ctx, out)
    return tuple(out.items), _mechanism_summary(record)


def _escalation_rules(esc: Escalation, ctx: FileContext, out: _Findings) -> None:
    if ctx.teams is not None and esc.owner is not None and esc.owner not in ctx.teams:
        out.add(("owner",), "unknown-team", _unknown_team(esc.owner, ctx.teams))
    settled = esc.status in (EscalationStatus.RESOLVED, EscalationStatus.CLOSED)
    if settled and esc.resolution is not None and esc.resolution.no_change_reason is not None:
        out.add(
            ("resolution", "no_change_reason"),
            "resolution-without-change",
            "resolved without changing a mechanism (no_change_reason); the loop closes when a"
            " mechanism changes so the problem does not come back",
        )


def _mechanism_rules(m: Mechanism, ctx: FileContext, out: _Findings) -> None:
    if ctx.teams is not None:
        teams: list[tuple[tuple[int | str, ...], str]] = [(("owner",), m.owner)]
        teams += [
            (("adoption", "stakeholders", i, "team"), s.team)
            for i, s in enumerate(m.adoption.stakeholders)
        ]
        if m.inspection.inspector is not None:
            teams.append((("inspection", "inspector"), m.inspection.inspector))
        for path, team in teams:
            if team not in ctx.teams:
                out.add(path, "unknown-team", _unknown_team(team, ctx.teams))
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
