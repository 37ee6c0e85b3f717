"""The report as GitHub-flavoured markdown, for a wiki page or a pull-request comment: the
description (`model.py`) drawn as headings, tables, lists and paragraphs.

Markdown has no colour, so tones do not show; a flag shows as bold, an id as code.
"""

from __future__ import annotations

from collections.abc import Iterable

from mechctl.cli.report import model as m
from mechctl.cli.report import sections
from mechctl.services.report.data import Report

_BOLD = frozenset(("strong", "late", "alarm"))
_CODE = frozenset(("code", "command"))

Drawn = list[str]


def _escape(text: str) -> str:
    """Record text may hold what ends a table cell or a line."""
    if "\\" in text or "|" in text or "\n" in text:  # seldom: test before copying
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text


def _piece(piece: m.Piece, in_table: bool) -> str:
    if isinstance(piece, str):
        return _escape(piece)
    mark = piece.mark
    if not mark:
        return _escape(piece.text)
    if mark in _CODE:
        # A code span shows a backslash as it is, except inside a table's cell.
        return f"`{_escape(piece.text) if in_table else piece.text}`"
    if mark in _BOLD:
        return f"**{_escape(piece.text)}**"
    return _escape(piece.text or "-" if mark == "spark" else piece.text)


def _inline(pieces: m.Pieces, in_table: bool = False) -> str:
    return "".join([_piece(piece, in_table) for piece in pieces])


def _cell(cell: m.Cell) -> str:
    if isinstance(cell, str):
        return _escape(cell)
    if isinstance(cell, m.Span):
        return _piece(cell, True)
    if isinstance(cell, m.Line):
        return _inline(cell.pieces, in_table=True)
    return _escape(m.fold(cell.values))


def _grid(header: list[str], rows: Iterable[m.Row]) -> Drawn:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return [*lines, ""]


class _View:
    def table(self, block: m.Table) -> Drawn:
        if not block.rows:
            return [f"{block.title}: {block.empty}.", ""]
        header = [column.header for column in block.columns]
        grid = _grid(header, block.rows)
        return [f"{block.title}:", "", *grid] if block.title else grid

    def figures(self, block: m.Figures) -> Drawn:
        rows = [(i.label, i.value, i.change, i.compared) for i in block.items]
        return _grid([block.subject, "period", "", "compared with"], rows)

    def heading(self, block: m.Heading) -> Drawn:
        end = f"; {_escape(block.aside)}" if block.aside else ":"
        return [_inline(block.line) + end, ""]

    def items(self, block: m.Items) -> Drawn:
        drawn = [f"{block.title}:", ""] if block.title else []
        listed = [f"- {_inline(line.pieces)}" for line in block.lines]
        if not listed and block.empty:
            listed = [f"- {block.empty}"]
        return [*drawn, *listed, ""] if listed else drawn

    def para(self, block: m.Para) -> Drawn:
        return [drawn for line in block.lines for drawn in (_inline(line), "")]

    def note(self, block: m.Note) -> Drawn:
        return [f"*{block.text}*" if block.tone == "warn" else block.text, ""]

    def quotes(self, block: m.Quotes) -> Drawn:
        return [*(f"> {_escape(quote)}" for quote in block.lines), ""]

    def charts(self, block: m.Charts) -> Drawn:
        return []

    def topic(self, block: m.Topic) -> Drawn:
        facts = " · ".join(_inline((fact,)) for fact in block.facts)
        drawn = [f"**{block.name}**: {_escape(block.title)} · {facts}", ""]
        return drawn + [line for child in block.blocks for line in m.draw(child, self)]


def render(report: Report) -> str:
    doc = sections.describe(report)
    lines = [f"# {doc.title}", "", doc.subtitle, ""]
    if doc.alert is not None:
        lines += [_inline(doc.alert.line), ""]
        lines += [f"- {_inline((m.Span(item, 'code'),))}" for item in doc.alert.items] + [""]
    view = _View()
    for section in doc.sections:
        count = "" if section.count is None else f" ({section.count})"
        lines += [f"## {section.number}. {section.name}{count}", ""]
        lines += [line for block in section.blocks for line in m.draw(block, view)]
    return "\n".join(lines).rstrip("\n") + "\n"
