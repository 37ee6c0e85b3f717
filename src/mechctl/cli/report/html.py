"""The report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts.

Its Content-Security-Policy forbids every fetch, so the page cannot reach the network when
it is viewed. Readable on a phone (fluid layout, tables scroll sideways) and on paper (print
CSS: no backgrounds, no split tables or charts).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from mechctl import __version__
from mechctl.cli.report import model as m
from mechctl.cli.report import sections
from mechctl.cli.report.style import CSS
from mechctl.errors import MechctlError
from mechctl.services.report.data import Report

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


_TAG = {
    "code": ("<code>", "</code>"),
    "command": ("<code>", "</code>"),
    "strong": ("<b>", "</b>"),
    "alarm": ('<b class="bad">', "</b>"),
}
_CLASS = {"late": "bad", "warn": "bad"}  # else the class is the mark or tone itself


def _inline(pieces: m.Pieces) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(escape(piece))
        elif piece.mark in _TAG:
            start, end = _TAG[piece.mark]
            out.append(f"{start}{escape(piece.text)}{end}")
        elif piece.mark:
            text = (piece.text or "-") if piece.mark == "spark" else piece.text
            out.append(f'<span class="{_CLASS.get(piece.mark, piece.mark)}">{escape(text)}</span>')
        else:
            out.append(escape(piece.text))
    return "".join(out)


def _line(line: m.Line) -> str:
    """A toned line is one colour, its marks aside; an untoned one shows them."""
    if line.tone:
        return f'<span class="{line.tone}">{escape(m.plain(line.pieces))}</span>'
    return _inline(line.pieces)


def _cell(cell: m.Cell) -> str:
    if isinstance(cell, str):
        return escape(cell)
    if isinstance(cell, m.Span):
        return _inline((cell,))
    if isinstance(cell, m.Line):
        return _line(cell)
    return escape(m.fold(cell.values))


def _grid(header: list[str], rows: Iterable[m.Row]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(["<tr><td>" + "</td><td>".join(map(_cell, row)) + "</td></tr>" for row in rows])
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def require_charts() -> None:
    """Fail fast, in one line, when the optional chart library is missing (found, not
    imported: a site rebuild that renders no report never pays for the import)."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise MechctlError(
            "--format html needs matplotlib, which is not installed",
            hint="pip install 'mechctl[report]' (or use --format text, markdown or json)",
        ) from None


class _View:
    def table(self, block: m.Table) -> str:
        if not block.rows:
            return f'<p class="muted">{escape(block.title)}: {escape(block.empty)}.</p>'
        header = [column.header for column in block.columns]
        grid = _grid(header, block.rows)
        return f"<h3>{escape(block.title)}</h3>{grid}" if block.title else grid

    def figures(self, block: m.Figures) -> str:
        cards = "".join(
            f'<div class="card">{escape(i.label.capitalize())}<b>{escape(i.value)}'
            f' <small>{escape(i.change)}</small></b><span class="muted">{escape(i.compared)}'
            "</span></div>"
            for i in block.items
        )
        return f'<div class="cards">{cards}</div>'

    def heading(self, block: m.Heading) -> str:
        aside = f'<p class="muted">{escape(block.aside)}</p>' if block.aside else ""
        return f"<h3>{escape(m.plain(block.line))}</h3>{aside}"

    def items(self, block: m.Items) -> str:
        title = f"<h3>{escape(block.title)}</h3>" if block.title else ""
        listed = "".join(
            f'<li class="{line.tone}">{escape(m.plain(line.pieces))}</li>'
            if line.tone
            else f"<li>{_inline(line.pieces)}</li>"
            for line in block.lines
        )
        if not block.lines and block.empty:
            listed = f"<li>{escape(block.empty)}</li>"
        return f"{title}<ul>{listed}</ul>"

    def para(self, block: m.Para) -> str:
        return "<p>" + "<br>".join(_inline(line) for line in block.lines) + "</p>"

    def note(self, block: m.Note) -> str:
        return f'<p class="{_CLASS.get(block.tone, block.tone)}">{escape(block.text)}</p>'

    def quotes(self, block: m.Quotes) -> str:
        return "".join(f"<blockquote>{escape(quote)}</blockquote>" for quote in block.lines)

    def charts(self, block: m.Charts) -> str:
        from mechctl.cli.report import charts

        report, unit = block.report, block.unit
        figures = (
            (f"Escalations per {unit}, by severity", charts.escalations_per_period(report, unit)),
            ("Time to resolve against target", charts.time_to_resolve(report)),
            ("Inspection outcomes over time", charts.inspection_outcomes(report)),
        )
        inner = "".join(
            f"<figure><figcaption>{escape(t)}</figcaption>{svg}</figure>" for t, svg in figures
        )
        return f'<div class="charts">{inner}</div>'

    def topic(self, block: m.Topic) -> str:
        facts = " · ".join(_inline((fact,)) for fact in block.facts)
        head = f"<h3>{escape(block.name)}: {escape(block.title)}</h3><p>{facts}</p>"
        return head + "".join(m.draw(child, self) for child in block.blocks)


def _alert(alert: m.Alert | None) -> str:
    if alert is None:
        return ""
    items = "".join(f"<li><code>{escape(item)}</code></li>" for item in alert.items)
    return f'<div class="warn">{_inline(alert.line)}<ul>{items}</ul></div>'


def _section(section: m.Section, view: _View) -> str:
    count = "" if section.count is None else f" ({section.count})"
    inner = "".join(m.draw(block, view) for block in section.blocks)
    return (
        f'<section id="s{section.number}"><h2>{section.number}. {escape(section.name)}{count}</h2>'
        f"{inner}</section>"
    )


def render(report: Report) -> str:
    doc = sections.describe(report)
    view = _View()
    body = "".join(_section(section, view) for section in doc.sections)
    title = escape(doc.title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="mechctl {__version__}">'
        f"<title>{title}</title><style>{CSS}</style></head><body><main>"
        f'<header><h1>{title}</h1><p class="muted">{escape(doc.subtitle)}</p></header>'
        f'{_alert(doc.alert)}{body}<footer class="muted"><p>Made by mechctl {__version__} from the'
        " records and git history at run time.</p></footer></main></body></html>\n"
    )
