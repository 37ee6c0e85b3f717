"""How each severity looks: in the terminal, on the HTML report's page and in its charts.
The one table; every view reads it (docs/design.md §4)."""

from __future__ import annotations

from typing import NamedTuple


class Look(NamedTuple):
    terminal: str  # a rich style
    colour: str  # the charts' colour; also the page's text colour when `weight` is set
    weight: int  # the page's font weight for this severity; 0: its text stays plain there


# sev1 is the worst. On the page only the two worst stand out, so a long table stays readable.
SEVERITY: dict[str, Look] = {
    "sev1": Look("bold red", "#7f0000", 700),
    "sev2": Look("red", "#d9480f", 600),
    "sev3": Look("yellow", "#f2a900", 0),
    "sev4": Look("dim", "#8d99ae", 0),
}

SEVERITY_STYLE: dict[str, str] = {name: look.terminal for name, look in SEVERITY.items()}


def severity_css() -> str:
    """The page's rules for severity text, one class per severity that stands out."""
    return " ".join(
        f".{name} {{ color: {look.colour}; font-weight: {look.weight}; }}"
        for name, look in SEVERITY.items()
        if look.weight
    )
