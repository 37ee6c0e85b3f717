"""Mechanisms for people: the list's rows (drawn by cli/listing.py) and the detail view.
Machines use --json instead."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from mechctl.cli.mechanism_grid import STATUS_STYLE
from mechctl.models import Mechanism

_STATUS_STYLE = STATUS_STYLE
_OUTCOME_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "red"}


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold")


def _items(values: Sequence[str], numbered: bool = False) -> list[Text]:
    if not values:
        return [Text("  (none)", style="dim")]
    return [Text(f"  {i}. {v}" if numbered else f"  - {v}") for i, v in enumerate(values, 1)]


def mechanism_detail(m: Mechanism) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text()
    head.append(m.title, style="bold")
    head.append(f"  ({m.id}, v{m.version})  ")
    head.append(m.status.value, style=_STATUS_STYLE[m.status.value])
    parts.append(head)
    parts.append(Text(f"kind: {m.kind.value}   owner: {m.owner}"))
    if m.levers:
        parts.append(Text("levers: " + ", ".join(lever.value for lever in m.levers)))
    parts += [_section("Problem"), Text(f"  {m.problem}")]
    parts.append(_section("Tool"))
    if m.tool.description:
        parts.append(Text(f"  {m.tool.description}"))
    parts += [Text("  inputs:", style="italic"), *_items(m.tool.inputs)]
    parts += [Text("  desired output:", style="italic"), *_items(m.tool.outputs)]
    parts += [Text("  steps:", style="italic"), *_items(m.tool.steps, numbered=True)]
    parts.append(_section("Adoption"))
    for s in m.adoption.stakeholders:
        parts.append(Text(f"  - {s.team}: {s.contribution}"))
    if m.adoption.approach:
        parts.append(Text("  approach: " + ", ".join(a.value for a in m.adoption.approach)))
    for metric in m.adoption.metrics:
        parts.append(Text(f"  metric: {metric.name} (target {metric.target})"))
    for barrier in m.adoption.barriers:
        parts.append(Text(f"  barrier: {barrier}"))
    parts.append(_section("Inspection"))
    plan = m.inspection
    parts.append(
        Text(
            f"  cadence: {plan.cadence.value if plan.cadence else '-'}"
            f"   inspector: {plan.inspector or '-'}"
        )
    )
    for signal in plan.signals:
        target = f" (target {signal.target})" if signal.target is not None else ""
        parts.append(Text(f"  signal [{signal.kind.value}]: {signal.name}{target}"))
    if m.inspections:
        parts.append(_section("Recent inspections"))
        for record in m.inspections[-3:]:
            line = Text(f"  {record.date} ")
            line.append(record.outcome.value, style=_OUTCOME_STYLE[record.outcome.value])
            line.append(f" by {record.by}")
            parts.append(line)
            for name, value in record.metrics.items():
                parts.append(Text(f"    {name} = {value}"))
            for anecdote in record.anecdotes:
                parts.append(Text(f"    \u201c{anecdote}\u201d", style="italic"))
    parts.append(_section("Iterations"))
    for it in m.iterations:
        refs = f" [{', '.join(it.escalations)}]" if it.escalations else ""
        parts.append(Text(f"  v{it.version} {it.date}: {it.why}{refs}"))
    if m.retired:
        parts.append(_section("Retired"))
        parts.append(Text(f"  {m.retired.date}: {m.retired.reason}"))
        if m.retired.superseded_by:
            parts.append(Text(f"  superseded by {m.retired.superseded_by}"))
    return Group(*parts)
