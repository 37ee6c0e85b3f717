"""Inline SVG charts for the site: one line per signal against its target, drawn in Python.

No script and no library: the SVG is plain markup, so a chart shows without JavaScript, prints,
and the same records always give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD = 480, 160, 36
COLOUR, TARGET = "#1c5d99", "#c92a2a"


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):  # "75 min", "<= 60 min": the number in the text
        found = re.search(r"-?\d+(?:\.\d+)?", value)
        return float(found[0]) if found else None
    return None


def signal_chart(name: str, points: Sequence[tuple[date, object]], target: object) -> str:
    """An SVG line chart of a signal's numeric values over time, with a dashed target line."""
    numbers = [(day, n) for day, value in points if (n := _number(value)) is not None]
    goal = _number(target)
    label = f"{name}: " + (
        ", ".join(f"{day.isoformat()} {n:g}" for day, n in numbers) or "no numeric values"
    )
    if goal is not None:
        label += f"; target {goal:g}"
    parts = [
        f'<svg role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" class="chart" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    if not numbers:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" fill="#555">'
            "no numeric values</text></svg>"
        )
        return "".join(parts)
    values = [n for _, n in numbers] + ([goal] if goal is not None else [])
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    first, last = numbers[0][0].toordinal(), numbers[-1][0].toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        if last == first:
            return WIDTH / 2
        return PAD + (day.toordinal() - first) / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD + (low - value) / (high - low) * (HEIGHT - 2 * PAD)

    parts.append(
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"'
        ' stroke="#767676"/>'
    )
    parts.append(f'<text x="4" y="{y(high) + 4:.1f}" fill="#333" font-size="11">{high:g}</text>')
    parts.append(f'<text x="4" y="{y(low) + 4:.1f}" fill="#333" font-size="11">{low:g}</text>')
    if goal is not None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(goal):.1f}" x2="{WIDTH - PAD}" y2="{y(goal):.1f}"'
            f' stroke="{TARGET}" stroke-dasharray="6 4" class="target"/>'
        )
    line = " ".join(f"{x(day):.1f},{y(n):.1f}" for day, n in numbers)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{COLOUR}" stroke-width="2"/>')
    for day, n in numbers:
        parts.append(
            f'<circle cx="{x(day):.1f}" cy="{y(n):.1f}" r="3.5" fill="{COLOUR}">'
            f"<title>{day.isoformat()}: {n:g}</title></circle>"
        )
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 8}" fill="#333" font-size="11">{numbers[0][0]}</text>'
    )
    if last != first:
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" fill="#333" font-size="11"'
            f' text-anchor="end">{numbers[-1][0]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
