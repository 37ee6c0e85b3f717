"""`mechctl inspect`: log one inspection of an active mechanism (one commit).

Inspections are a log, not the definition: they never bump `version`. An inspection needs data
*and* customer anecdotes, because data alone misleads; a missing half is recorded anyway, with
a warning (and lint's `inspection-without-anecdote`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mechctl.errors import TransitionError, UsageError
from mechctl.models import Mechanism, MechanismStatus, Outcome
from mechctl.models.mechanism import MetricValue
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import transaction
from mechctl.services.mechanism import read as mechanisms
from mechctl.store import yamlio
from mechctl.store.records import validate_doc

ACTION = "mechanism.inspect"
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


@dataclass
class InspectResult:
    mechanism: Mechanism
    entry: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def parse_outcome(text: str) -> Outcome:
    try:
        return Outcome(text.strip())
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise UsageError(f"invalid --outcome {text!r}; choose one of: {choices}") from None


def parse_value(text: str) -> MetricValue:
    """`42` -> 42, `0.93` -> 0.93, anything else stays text (`<= 60 min`, `93%`)."""
    value = text.strip()
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def parse_metrics(items: list[str]) -> dict[str, MetricValue]:
    metrics: dict[str, MetricValue] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip():
            raise UsageError(
                f"invalid --metric {item!r}: expected NAME=VALUE,"
                " e.g. --metric 'Decks on time=0.96'"
            )
        if name in metrics:
            raise UsageError(f"--metric {name!r} is given twice")
        metrics[name] = parse_value(value)
    return metrics


def _texts(items: list[str], flag: str) -> list[str]:
    for item in items:
        if not item.strip():
            raise UsageError(f"{flag} must not be empty")
    return [item.strip() for item in items]


def _warnings(mechanism: Mechanism, metrics: dict[str, Any], anecdotes: list[str]) -> list[str]:
    found = []
    signals = [signal.name for signal in mechanism.inspection.signals]
    for name in metrics:
        if name not in signals:
            found.append(
                f"metric {name!r} is not one of {mechanism.id}'s inspection signals"
                f" ({'; '.join(signals) or 'none'}); it is recorded anyway"
            )
    if not metrics:
        found.append("no --metric given: an inspection needs data as well as anecdotes")
    if not anecdotes:
        found.append(
            "no --anecdote given: data alone misleads; record what customers said"
            " (lint flags this as inspection-without-anecdote)"
        )
    return found


def inspect(
    ws: Workspace,
    mechanism_id: str,
    outcome: str,
    metrics: list[str],
    anecdotes: list[str],
    actions: list[str],
) -> InspectResult:
    chosen = parse_outcome(outcome)
    values = parse_metrics(metrics)
    stories = _texts(anecdotes, "--anecdote")
    todo = _texts(actions, "--action")
    with transaction(ws) as txn:
        current = mechanisms.load(ws, mechanism_id)
        mechanism = current.mechanism
        if mechanism.status is not MechanismStatus.ACTIVE:
            hint = (
                f"activate it first: `mechctl mechanism activate {mechanism_id}`"
                if mechanism.status is MechanismStatus.DRAFT
                else None
            )
            raise TransitionError(
                f"mechanism {mechanism_id!r} is {mechanism.status.value}; only active mechanisms"
                " are inspected",
                hint=hint,
            )
        entry: dict[str, Any] = {"date": ws.now().date(), "outcome": chosen.value}
        if values:
            entry["metrics"] = values
        if stories:
            entry["anecdotes"] = stories
        if todo:
            entry["actions"] = todo
        entry["by"] = ws.identity
        doc = yamlio.load_roundtrip(current.text, current.rel)
        if isinstance(doc.get("inspections"), list):
            doc["inspections"].append(yamlio.to_yaml(entry))
        else:
            # Where the model puts it: before `iterations`, so files keep one order.
            doc.pop("inspections", None)
            position = list(doc).index("iterations") if "iterations" in doc else len(doc)
            doc.insert(position, "inspections", yamlio.to_yaml([entry]))
        result = validate_doc(doc, current.rel, Mechanism)
        txn.write(current.rel, yamlio.dump(doc), before=current.text)
        txn.commit(f"inspect: {mechanism_id} ({chosen.value})", ACTION, mechanism_id)
    return InspectResult(result, entry, _warnings(result, values, stories))
