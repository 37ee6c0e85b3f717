"""The records of a realistic organisation, for the bench's repositories (docs/design.md §8).

`organisation(N, M)` draws, from a fixed seed, what five years of an organisation leave in
its records: N escalations, more each year, 2% open, 2% acknowledged, 6% resolved and 90%
closed at the end, with timelines of 1 to 4 entries (acknowledged, commented, raised a level,
resolved, closed); M mechanisms made from mechctl's templates, most active, a few drafts and
retired ones, inspected on their cadence (one in ten lapses). About half the resolutions cite
the mechanism change that fixed them, and that change's `iterations` entry lists them, as
lint requires; the rest give a reason for no change. Escalations go to the mechanisms alive
when they were raised, some far more often than others.

Each record renders as the text mechctl writes (its key order and layout, the round-trip
dumper's), as it stands now or after any prefix of its history, which is what the replayed
history repository commits.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mechctl.models.common import parse_duration
from mechctl.models.defaults import DEFAULT_ACK_WITHIN, DEFAULT_LEVELS, DEFAULT_RESOLVE_WITHIN
from mechctl.services.mechanism.new import KEY_ORDER, TEMPLATES, template
from mechctl.store import layout
from mechctl.store.emit import scalar

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # the figures run with MECHCTL_NOW at this time
START = NOW - timedelta(days=5 * 365 + 1)
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")

# The organisation's teams: every team a template names, so every owner is a known team.
TEAMS = (
    "business-intelligence",
    "business-operations",
    "engineering",
    "finance",
    "hiring-managers",
    "interviewers",
    "leadership-team",
    "managers",
    "metric-owners",
    "people-development",
    "product-management",
    "recruiting",
    "team-leads",
)
# The first mechanisms keep the templates' own names, so figures can name `wbr`.
FIRST_OWNERS = {
    "wbr": "business-operations",
    "bar-raiser": "recruiting",
    "operating-plan": "finance",
    "prfaq": "product-management",
    "narrative": "leadership-team",
}
REGIONS = ("emea", "amer", "apac", "latam", "anz")
GIVEN = ("Pat", "Wei", "Lena", "Tom", "Priya", "Amara", "Jonas", "Sofia", "Kenji", "Maya")
FAMILY = ("Example", "Chen", "Fischer", "Okafor", "Raman", "Silva", "Novak", "Haddad")
PEOPLE = tuple(f"{g} {f} <{g.lower()}.{f.lower()}@example.com>" for g in GIVEN for f in FAMILY)

SUBJECTS = (
    "the weekly deck",
    "the renewal queue",
    "the pricing page",
    "the onboarding flow",
    "the refund process",
    "the hiring loop",
    "the launch checklist",
    "the quarterly plan",
    "the support rota",
    "the invoice run",
)
PLACES = ("in EMEA", "in APAC", "for enterprise accounts", "for new sign-ups", "on mobile", "")
TITLES = (
    "{subject} missed a change that customers saw first {place}",
    "Customers waited on {subject} {place}",
    "Nobody owned the gap in {subject} {place}",
    "{subject} showed a stale number for two weeks {place}",
    "A decision on {subject} slipped past its date {place}",
    "{subject} was skipped during the launch {place}",
    "{subject} did not scale with the holiday peak {place}",
    "Two teams changed {subject} without telling each other",
)
IMPACTS = (
    "Customers {place} saw stale prices for two days after the catalogue update.",
    "Enterprise customers waited three weeks for a decision on their renewal terms.",
    "A 4% drop in sign-ups {place} went unnoticed for a month.",
    "Candidates received conflicting feedback from two loops and withdrew.",
    "Support queues doubled and first replies took over 48 hours.",
    "Refunds over 10k waited three weeks while teams passed them around.",
    "Customers {place} were billed twice and 300 of them wrote in.",
    "A feature customers had not asked for shipped, and the one they asked for slipped.",
)
ASKS = (
    "A decision on who owns the fix and a date for it.",
    "Add this input to the mechanism and re-run the review.",
    "An owner for the gap, named this week.",
    "Staff the queue until the backlog is gone.",
)
NOTES = (
    "Looking into it",
    "Owner found; a fix is being drafted",
    "Root cause found",
    "Waiting on data from finance",
    "Customers contacted, workaround in place",
)
SUMMARIES = (
    "Added the missing input to the mechanism and re-ran the review.",
    "The review now checks this case before the output goes out.",
    "Named an owner for the step and added it to the inspection.",
    "Changed the tool so this failure does not recur.",
)
ROOT_CAUSES = (
    "The mechanism did not account for a new kind of input.",
    "The step had no owner after a re-organisation.",
    "The output was never inspected against what customers saw.",
    "Volume grew past what the tool was built for.",
)
NO_CHANGE = (
    "A one-off caused by a vendor outage; the mechanism worked as designed.",
    "Caused by a data error upstream; fixed at the source.",
    "The mechanism caught it as intended; the delay was a staffing gap.",
)
WHYS = (
    "Escalations showed a kind of input the tool did not handle",
    "The output changed and the review had not caught up",
    "Volume outgrew the tool",
    "Adoption lagged; the steps are now owned",
)
ANECDOTES = (
    "A customer told us the review caught their issue early.",
    "A support lead said the fix reached customers before the complaints did.",
    "An account team heard about a risk from the review a week before the customer raised it.",
    "A customer asked why nobody noticed the problem for two weeks.",
)
ACTIONS = ("Add the missing metric to the review", "Name an owner for the late step")
RETIRE_REASONS = ("Merged into a wider review", "The process it governed was shut down")
TAGS = ("customer-facing", "billing", "hiring", "launch", "data", "emea", "apac")
B32 = "abcdefghijklmnopqrstuvwxyz234567"
MODES = ("new-input", "output-changed", "scale", "not-adopted", "not-inspected", "other")
SEVERITIES = (("sev1", "sev2", "sev3", "sev4"), (3, 17, 55, 25))
LEVELS = tuple(DEFAULT_LEVELS)
ACK_WITHIN = {k: parse_duration(v) for k, v in DEFAULT_ACK_WITHIN.items()}
RESOLVE_WITHIN = {k: parse_duration(v) for k, v in DEFAULT_RESOLVE_WITHIN.items()}
CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30, "quarterly": 91, "yearly": 365}
CHANGE_GAP = timedelta(days=60)  # an owner changes a mechanism at most every two months

# --- YAML as mechctl writes it ------------------------------------------------------------------


def _lines(data: Mapping[str, Any], indent: str, out: list[str]) -> None:
    """The round-trip dumper's layout (store/yamlio.py): mappings indented 2, sequences 4 with
    the dash at 2; scalars as store/emit.py writes them."""
    for key, value in data.items():
        name = scalar(key)
        if isinstance(value, Mapping):
            if not value:
                out.append(f"{indent}{name}: {{}}")
                continue
            out.append(f"{indent}{name}:")
            _lines(value, indent + "  ", out)
        elif isinstance(value, list | tuple):
            if not value:
                out.append(f"{indent}{name}: []")
                continue
            out.append(f"{indent}{name}:")
            for item in value:
                if isinstance(item, Mapping):
                    start = len(out)
                    _lines(item, indent + "    ", out)
                    out[start] = f"{indent}  - {out[start][len(indent) + 4 :]}"
                else:
                    out.append(f"{indent}  - {scalar(item)}")
        else:
            out.append(f"{indent}{name}: {scalar(value)}")


def to_yaml(data: Mapping[str, Any], header: str | None = None) -> str:
    out = [header] if header else []
    _lines(data, "", out)
    return "\n".join(out) + "\n"


# --- the organisation ---------------------------------------------------------------------------


@dataclass(slots=True)
class Mechanism:
    id: str
    template: str
    owner: str
    body: dict[str, Any]  # the template's definition, for this owner
    created: datetime
    activated: datetime | None  # None: still a draft
    retired: datetime | None
    weight: float  # how often it fails, relative to the others
    inspections: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    iterations: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    _heads: dict[tuple[int, str], str] = field(default_factory=dict)

    @property
    def rel(self) -> str:
        return layout.mechanism_rel(self.id)

    @property
    def retire_reason(self) -> str:
        return RETIRE_REASONS[len(self.id) % len(RETIRE_REASONS)]

    def status_at(self, when: datetime) -> str:
        if self.retired is not None and when >= self.retired:
            return "retired"
        return "active" if self.activated is not None and when >= self.activated else "draft"

    def definition(self, version: int) -> dict[str, Any]:
        """The template, with one tool step reworded by each change (definitions change in
        place; they rarely only grow)."""
        body = {
            **self.body,
            "tool": {**self.body["tool"], "steps": list(self.body["tool"]["steps"])},
        }
        steps = body["tool"]["steps"]
        for v in range(2, version + 1):
            steps[v % len(steps)] = f"{self.body['tool']['steps'][v % len(steps)]} (v{v})"
        return body

    def text(self, inspections: int, iterations: int, status: str) -> str:
        """The file after the first `inspections` inspections and `iterations` iterations."""
        version = self.iterations[iterations - 1][1]["version"]
        head = self._heads.get((version, status))
        if head is None:
            body = self.definition(version)
            record = {
                "id": self.id,
                "title": body["title"],
                "kind": body.get("kind", "other"),
                "status": status,
                "owner": self.owner,
                "version": version,
                **{k: v for k, v in body.items() if k not in ("title", "kind")},
            }
            ordered = {k: record[k] for k in KEY_ORDER if k in record}
            head = to_yaml(ordered, layout.schema_header(self.rel, "mechanism"))
            self._heads[(version, status)] = head
        tail: dict[str, Any] = {
            "inspections": [entry for _, entry in self.inspections[:inspections]],
            "iterations": [entry for _, entry in self.iterations[:iterations]],
        }
        if status == "retired":
            assert self.retired is not None
            tail["retired"] = {"date": self.retired.date(), "reason": self.retire_reason}
        return head + to_yaml(tail)

    def final_text(self) -> str:
        return self.text(len(self.inspections), len(self.iterations), self.status_at(NOW))


# A timeline entry: at, by, action, note, level.
Entry = tuple[datetime, str, str, str | None, str | None]


@dataclass(slots=True)
class Escalation:
    id: str
    title: str
    mechanism: str | None
    failure_mode: str
    severity: str
    customer_impact: str
    ask: str | None
    raised_by: str
    raised_at: datetime
    owner: str | None
    links: list[str]
    tags: list[str]
    status: str  # at NOW
    level: str  # as raised
    times: list[datetime]  # raised, acknowledged?, resolved?, closed?: set while generating
    acked: bool
    change: bool  # resolved by a mechanism change (else with a reason for no change)
    version: int = 0  # the mechanism version that change made
    timeline: list[Entry] = field(default_factory=list)
    resolution: dict[str, Any] | None = None

    @property
    def rel(self) -> str:
        return layout.escalation_rel(self.id)

    def text(self, entries: int | None = None) -> str:
        """The file after the first `entries` timeline entries (all by default)."""
        timeline = self.timeline if entries is None else self.timeline[:entries]
        status, level = "open", self.level
        for _, _, action, _, new_level in timeline:
            status = _STATUS_AFTER.get(action, status)
            level = new_level or level
        record: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "mechanism": self.mechanism,
            "failure_mode": self.failure_mode,
            "severity": self.severity,
            "level": level,
            "status": status,
            "customer_impact": self.customer_impact,
        }
        if self.ask:
            record["ask"] = self.ask
        record["raised_by"] = self.raised_by
        record["raised_at"] = self.raised_at
        if self.owner:
            record["owner"] = self.owner
        record["links"] = self.links
        record["tags"] = self.tags
        record["timeline"] = [
            {
                "at": at,
                "by": by,
                "action": action,
                **({"note": note} if note else {}),
                **({"level": lvl} if lvl else {}),
            }
            for at, by, action, note, lvl in timeline
        ]
        if status in ("resolved", "closed") and self.resolution:
            record["resolution"] = self.resolution
        return to_yaml(record, layout.schema_header(self.rel, "escalation"))


_STATUS_AFTER = {
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "closed": "closed",
    "reopened": "open",
}


@dataclass
class Organisation:
    mechanisms: list[Mechanism]
    escalations: list[Escalation]

    def describe(self) -> str:
        counts = Counter(esc.status for esc in self.escalations)
        mix = ", ".join(
            f"{counts[s]:,} {s}" for s in ("open", "acknowledged", "resolved", "closed")
        )
        return (
            f"{len(self.escalations):,} escalations ({mix}) and {len(self.mechanisms)} mechanisms"
        )


def mechanisms_for(escalations: int) -> int:
    """100 mechanisms up to 50,000 escalations, then one more per 500, up to 200."""
    return max(100, min(200, escalations // 500))


def _when(rng: random.Random, low: datetime, high: datetime) -> datetime:
    return low + timedelta(seconds=rng.randrange(max(1, int((high - low).total_seconds()))))


def _working_hours(rng: random.Random, day: datetime) -> datetime:
    """A moment on that day between 08:00 and 18:00, most often on a weekday."""
    if day.weekday() >= 5 and rng.random() < 0.8:
        day -= timedelta(days=day.weekday() - 4)
    base = day.replace(hour=8, minute=0, second=0, microsecond=0)
    return min(base + timedelta(seconds=rng.randrange(10 * 3600)), NOW)


def _mechanism_ids(count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(id, template, owner, region): the templates' own first, then one per team and region."""
    first = [(name, name, owner, "") for name, owner in FIRST_OWNERS.items()]
    more = [
        (f"{name}-{team}" + (f"-{region}" if region else ""), name, team, region)
        for region in ("", *REGIONS)
        for name in TEMPLATES
        for team in TEAMS
    ]
    rng.shuffle(more)
    return (first + more)[:count]


def _mechanisms(count: int, rng: random.Random) -> list[Mechanism]:
    found: list[Mechanism] = []
    bodies = {name: template(name, "{owner}") for name in TEMPLATES}
    for index, (mech_id, name, owner, region) in enumerate(_mechanism_ids(count, rng)):
        body = _owned(bodies[name], owner)
        if index >= len(FIRST_OWNERS):
            body["title"] += f" for {owner}" + (f" in {region.upper()}" if region else "")
        draft = index >= len(FIRST_OWNERS) and index % 33 == 7
        if draft:
            created = _when(rng, NOW - timedelta(days=180), NOW - timedelta(days=10))
        elif index < len(FIRST_OWNERS) or rng.random() < 0.3:
            created = _when(rng, START, START + timedelta(days=30))  # the organisation's first
        else:
            created = _when(rng, START + timedelta(days=30), NOW - timedelta(days=200))
        activated = None if draft else created + timedelta(days=rng.uniform(1, 21))
        retired = None
        if activated and index >= len(FIRST_OWNERS) and index % 20 == 11:
            when = _when(rng, NOW - timedelta(days=700), NOW - timedelta(days=30))
            retired = when if when - activated > timedelta(days=180) else None
        mech = Mechanism(
            mech_id, name, owner, body, created, activated, retired, 1 / math.sqrt(index + 1)
        )
        mech.iterations.append(
            (
                created,
                {"version": 1, "date": created.date(), "why": f"created from the {name} template"},
            )
        )
        if activated:
            _inspect(mech, rng)
        found.append(mech)
    return found


def _owned(value: Any, owner: str) -> Any:
    """The template with `{owner}` replaced, as `mechanism new --template` does."""
    if isinstance(value, dict):
        return {k: _owned(v, owner) for k, v in value.items()}
    if isinstance(value, list):
        return [_owned(v, owner) for v in value]
    return value.replace("{owner}", owner) if isinstance(value, str) else value


def _inspect(mech: Mechanism, rng: random.Random) -> None:
    """Inspections on the mechanism's cadence from its activation; one in ten lapses."""
    assert mech.activated is not None
    plan = mech.body["inspection"]
    every = CADENCE_DAYS[plan["cadence"]]
    end = mech.retired or NOW
    if rng.random() < 0.1:
        end -= timedelta(days=every * rng.uniform(1.5, 3))
    signals = [s for s in plan["signals"] if isinstance(s.get("target"), int | float)]
    day = mech.activated + timedelta(days=every * rng.uniform(0.8, 1.2))
    while day < end:
        outcome = rng.choices(("on-track", "at-risk", "off-track"), (70, 20, 10))[0]
        at = _working_hours(rng, day)
        entry: dict[str, Any] = {"date": at.date(), "outcome": outcome}
        chosen = rng.sample(signals, min(len(signals), 2))
        entry["metrics"] = {
            s["name"]: round(float(s["target"]) * rng.uniform(0.8, 1.05), 2) for s in chosen
        }
        if rng.random() < 0.95:
            entry["anecdotes"] = [rng.choice(ANECDOTES)]
        if outcome != "on-track" and rng.random() < 0.7:
            entry["actions"] = [rng.choice(ACTIONS)]
        entry["by"] = rng.choice(PEOPLE)
        mech.inspections.append((at, entry))
        day += timedelta(days=every * rng.uniform(0.85, 1.15))


def _raised_times(count: int, rng: random.Random) -> list[datetime]:
    """Escalations grow over the years: three times as many at the end as at the start."""
    span = (NOW - START).total_seconds()
    times = []
    for _ in range(count):
        u = rng.random()
        x = (math.sqrt(1 + 8 * u) - 1) / 2  # the inverse of F(x) = (x + x^2) / 2
        times.append(_working_hours(rng, START + timedelta(seconds=x * span)))
    times.sort()
    return times


def _statuses(raised: list[datetime], rng: random.Random) -> list[str]:
    """Exactly 2% open, 2% acknowledged, 6% resolved, the rest closed; the recent ones are the
    ones still unsettled, with a few old ones forgotten (weighted sampling, Efraimidis-Spirakis)."""
    count = len(raised)
    status = ["closed"] * count
    free = list(range(count))
    for name, share, days in (
        ("open", 0.02, 30),
        ("acknowledged", 0.02, 45),
        ("resolved", 0.06, 90),
    ):

        def key(i: int, days: float = days) -> float:
            age = (NOW - raised[i]).total_seconds() / 86400
            return math.log(rng.random() or 1e-12) / (math.exp(-age / days) + 0.002)

        chosen = set(heapq.nlargest(round(count * share), free, key=key))
        for i in chosen:
            status[i] = name
        free = [i for i in free if i not in chosen]
    return status


def _delay(rng: random.Random, target: timedelta, mu: float, sigma: float) -> timedelta:
    return target * math.exp(rng.gauss(mu, sigma))


def _squeeze(times: list[datetime]) -> list[datetime]:
    """Keep a timeline in order and before NOW, compressing it if it would run past NOW."""
    raised, last = times[0], times[-1]
    if last <= NOW:
        return times
    scale = (NOW - raised) / (last - raised)
    return [raised + (t - raised) * scale for t in times]


def organisation(escalations: int, mechanisms: int, seed: int = 7) -> Organisation:
    """The organisation's records after five years (see the module docstring)."""
    rng = random.Random(seed)
    mechs = _mechanisms(mechanisms, rng)
    pick = _chooser([m for m in mechs if m.activated is not None], rng)
    raised = _raised_times(escalations, rng)
    used: set[str] = set()
    escs = [
        _escalation(n, at, status, pick(at), rng, used)
        for n, (at, status) in enumerate(zip(raised, _statuses(raised, rng), strict=True))
    ]
    _changes(mechs, escs, rng)
    for esc in escs:
        _timeline(esc, rng)
    return Organisation(mechs, escs)


def _chooser(live: list[Mechanism], rng: random.Random) -> Callable[[datetime], Mechanism | None]:
    """A mechanism active at a moment, the popular ones more often; none for one escalation
    in 25 (no mechanism covered what failed)."""
    live.sort(key=lambda m: m.activated or NOW)
    starts = [m.activated or NOW for m in live]
    cumulative = list(itertools.accumulate(m.weight for m in live))

    def pick(at: datetime) -> Mechanism | None:
        alive = bisect.bisect_right(starts, at)
        if not alive or rng.random() < 0.04:
            return None
        for _ in range(5):  # a retired one is drawn again
            found = live[bisect.bisect_left(cumulative, rng.random() * cumulative[alive - 1])]
            if found.retired is None or found.retired > at:
                return found
        return None

    return pick


def _escalation(
    n: int, at: datetime, status: str, mech: Mechanism | None, rng: random.Random, used: set[str]
) -> Escalation:
    while True:
        esc_id = f"esc-{at:%Y%m%d}-" + "".join(rng.choice(B32) for _ in range(8))
        if esc_id not in used:
            used.add(esc_id)
            break
    place = rng.choice(PLACES)
    title = rng.choice(TITLES).format(subject=rng.choice(SUBJECTS), place=place).strip()
    severity = rng.choices(*SEVERITIES)[0]
    acked = status == "acknowledged" or (status != "open" and rng.random() < 0.8)
    return Escalation(
        id=esc_id,
        title=title[0].upper() + title[1:],
        mechanism=mech.id if mech else None,
        failure_mode=rng.choice(MODES) if mech else "no-mechanism",
        severity=severity,
        customer_impact=" ".join(rng.choice(IMPACTS).format(place=place).split()),
        ask=rng.choice(ASKS) if rng.random() < 0.6 else None,
        raised_by=rng.choice(PEOPLE),
        raised_at=at,
        owner=mech.owner if mech else (rng.choice(TEAMS) if rng.random() < 0.5 else None),
        links=[f"https://tickets.example.com/browse/OPS-{n + 1000}"] if rng.random() < 0.5 else [],
        tags=rng.sample(TAGS, rng.choice((0, 0, 1, 2))),
        status=status,
        level=rng.choices(LEVELS, (5, 15, 65, 15))[0],
        times=_times(at, status, severity, acked, rng),
        acked=acked,
        change=mech is not None and status in ("resolved", "closed") and rng.random() < 0.5,
    )


def _times(
    at: datetime, status: str, severity: str, acked: bool, rng: random.Random
) -> list[datetime]:
    """Raised, then acknowledged, resolved and closed as far as the status goes: mostly within
    the configured times (ack_within, resolve_within), some late; never after NOW."""
    times = [at]
    if acked:
        times.append(at + _delay(rng, ACK_WITHIN[severity], -0.7, 0.8))
    if status in ("resolved", "closed"):
        resolved = at + _delay(rng, RESOLVE_WITHIN[severity], -0.5, 0.7)
        times.append(max(resolved, times[-1] + timedelta(minutes=10)))
    if status == "closed":
        times.append(times[-1] + timedelta(hours=math.exp(rng.uniform(0, math.log(240)))))
    if status == "acknowledged" and times[1] > NOW:
        times[1] = at + (NOW - at) * rng.uniform(0.3, 0.9)
    return _squeeze(times)


def _changes(mechs: list[Mechanism], escs: list[Escalation], rng: random.Random) -> None:
    """Each change to a mechanism lists the escalations it fixes, raised before it and not yet
    resolved; they are resolved within the day after it. A mechanism changes at most every
    CHANGE_GAP, so an escalation may wait for the next change."""
    waiting: dict[str, list[Escalation]] = {}
    for esc in escs:
        if esc.change and esc.mechanism:
            waiting.setdefault(esc.mechanism, []).append(esc)
    by_id = {m.id: m for m in mechs}
    for mech_id, group in waiting.items():
        mech = by_id[mech_id]
        last_change: datetime | None = None
        by_raised = sorted(group, key=lambda e: e.raised_at)
        pointer = 0
        done: set[str] = set()
        for esc in sorted(group, key=lambda e: e.times[-2 if e.status == "closed" else -1]):
            if esc.id in done:
                continue
            ready = esc.times[-2 if esc.status == "closed" else -1]
            when = ready if last_change is None else max(ready, last_change + CHANGE_GAP)
            if when > NOW or (mech.retired and when >= mech.retired):
                esc.change = False
                continue
            batch = []
            while pointer < len(by_raised) and by_raised[pointer].raised_at <= when:
                if by_raised[pointer].id not in done:
                    batch.append(by_raised[pointer])
                pointer += 1
            if esc.id not in {e.id for e in batch}:
                batch.append(esc)
            version = len(mech.iterations) + 1
            mech.iterations.append(
                (
                    when,
                    {
                        "version": version,
                        "date": when.date(),
                        "why": rng.choice(WHYS),
                        "escalations": [e.id for e in batch],
                    },
                )
            )
            last_change = when
            for member in batch:
                done.add(member.id)
                member.version = version
                _resolve_at(member, when + timedelta(hours=rng.uniform(0.2, 20)))


def _resolve_at(esc: Escalation, when: datetime) -> None:
    before = esc.times[1] if esc.acked else esc.raised_at
    resolved = min(max(when, before + timedelta(minutes=5)), NOW)
    if esc.status == "closed":
        gap = esc.times[-1] - esc.times[-2]
        esc.times[-2:] = [resolved, min(resolved + gap, NOW)]
    else:
        esc.times[-1] = resolved


def _timeline(esc: Escalation, rng: random.Random) -> None:
    """The entries, and the resolution the resolved entry repeats as its note."""
    settled = esc.status in ("resolved", "closed")
    summary = rng.choice(SUMMARIES) if settled else None
    steps = ["acknowledged"] if esc.acked else []
    steps += ["resolved", "closed"][: {"resolved": 1, "closed": 2}.get(esc.status, 0)]
    entries: list[Entry] = [(esc.times[0], esc.raised_by, "raised", None, esc.level)]
    for action, at in zip(steps, esc.times[1:], strict=True):
        note = rng.choice(NOTES) if action == "acknowledged" and rng.random() < 0.5 else None
        if action == "resolved":
            note = summary
        entries.append((at, rng.choice(PEOPLE), action, note, None))
    # Where the timeline has room (at most 4 entries): a comment or a level raise, after the
    # last step of an unsettled escalation, or between its acknowledgement and its resolution.
    if len(entries) < 4 and rng.random() < 0.35:
        if settled:
            after, until = entries[esc.acked][0], entries[1 + esc.acked][0]
        else:
            after, until = entries[-1][0], NOW
        at = after + (until - after) * rng.uniform(0.1, 0.9)
        current = LEVELS.index(esc.level)
        if current + 1 < len(LEVELS) and rng.random() < 0.4:
            entries.append((at, rng.choice(PEOPLE), "level-raised", None, LEVELS[current + 1]))
        else:
            entries.append((at, rng.choice(PEOPLE), "commented", rng.choice(NOTES), None))
        entries.sort(key=lambda entry: entry[0])
    esc.timeline = entries
    if summary is not None:
        resolution: dict[str, Any] = {"summary": summary}
        if rng.random() < 0.8:
            resolution["root_cause"] = rng.choice(ROOT_CAUSES)
        if esc.change and esc.mechanism:
            resolution["mechanism_change"] = {"mechanism": esc.mechanism, "version": esc.version}
        else:
            resolution["no_change_reason"] = rng.choice(NO_CHANGE)
        esc.resolution = resolution


def new_escalation(index: int) -> tuple[str, str]:
    """One more open escalation, raised now, as `mechctl escalate -m wbr` writes it: what the
    escalate figure's reference commits with `git add` + `git commit`."""
    rng = random.Random(index)
    at = datetime.now(UTC).replace(microsecond=0)
    esc = Escalation(
        id=f"esc-{at:%Y%m%d}-" + "".join(rng.choice(B32) for _ in range(8)),
        title=f"Bench failure {index}",
        mechanism="wbr",
        failure_mode="other",
        severity="sev3",
        customer_impact="Customers waited longer than promised",
        ask=None,
        raised_by="Bench User <bench@example.com>",
        raised_at=at,
        owner=FIRST_OWNERS["wbr"],
        links=[],
        tags=[],
        status="open",
        level="director",
        times=[at],
        acked=False,
        change=False,
        timeline=[(at, "Bench User <bench@example.com>", "raised", None, "director")],
    )
    return esc.rel, esc.text()
