"""The report in the terminal: the description (`model.py`) drawn as listing parts.

The terminal's emphasis is colour, so code and stressed text stay plain here; it says
fragments, not sentences; and what belongs to a mechanism is indented under it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mechctl.cli import listing
from mechctl.cli.listing import Grid, Part
from mechctl.cli.report import model as m
from mechctl.cli.report import sections
from mechctl.cli.styles import SEVERITY_STYLE
from mechctl.services.report.data import Report

_OUTCOME_STYLE = {"on-track": "green", "at-risk": "yellow", "off-track": "bold red"}
_MARK = {"late": "bold red", "alarm": "bold red", "muted": "dim"} | SEVERITY_STYLE | _OUTCOME_STYLE
_TONE: dict[m.Tone, str] = {"": "", "good": "green", "bad": "red", "muted": "dim", "warn": "yellow"}
# A bad cell stands out like a late one, and more than a bad line.
_CELL_TONE: dict[m.Tone, str] = _TONE | {"bad": "bold red"}
_LISTED = 10  # invalid files named here; the documents name them all

Drawn = list[Part]
Cell = listing.Cell


def _word(piece: m.Piece) -> str:
    if isinstance(piece, str):
        return piece
    return f"`{piece.text}`" if piece.mark == "command" else piece.text  # as in warnings


def _words(pieces: m.Pieces) -> str:
    return "".join(map(_word, pieces))


def _styled(pieces: m.Pieces, start: str = "") -> listing.Line:
    line: listing.Line = [(start, "")] if start else []
    for piece in pieces:
        if isinstance(piece, str):
            line.append((piece, ""))
        else:
            line.append((_word(piece), _MARK.get(piece.mark, "")))
    return line


def _cells(cell: m.Cell) -> list[Cell]:
    """One cell as the terminal's columns: a `Parts` cell is several, after a rule. A grid's
    cell has one style: a line of several marks takes its first mark's."""
    if isinstance(cell, str):
        return [(cell, "")]
    if isinstance(cell, m.Span):
        return [(cell.text, _MARK.get(cell.mark, ""))]
    if isinstance(cell, m.Line):
        if cell.tone:
            return [(_words(cell.pieces), _CELL_TONE[cell.tone])]
        marks = [_MARK.get(p.mark, "") for p in cell.pieces if isinstance(p, m.Span)]
        return [(_words(cell.pieces), next((mark for mark in marks if mark), ""))]
    first, *rest = cell.values
    return [(f"│ {first}", ""), *((value, "") for value in rest)]


def _headers(column: m.Column) -> list[listing.Column]:
    """The terminal's column headers for one column (the wrapping one is free text)."""
    if column.split:
        first, *rest = column.split
        names = [f"│ {column.name}: {first}", *rest]
        return [listing.Column(name.upper()) for name in names]
    return [listing.Column((column.short or column.name).upper(), wrap=column.wrap)]


class _View:
    """Draws blocks as listing parts (cli/listing.py): plain aligned rows on a pipe, written
    as they come, and rich on a terminal; `indent` is set for the blocks under a topic."""

    def __init__(self, indent: str = "") -> None:
        self.indent = indent

    def _sentence(self, pieces: m.Pieces) -> m.Pieces:
        """No full stop; under a topic, a fragment that starts in lower case."""
        *body, last = pieces
        if isinstance(last, str):
            last = last.removesuffix(".")
        out = (*body, last) if last else tuple(body)
        if self.indent and out and isinstance(out[0], str):
            out = (m.fragment(out[0]), *out[1:])
        return out

    def table(self, block: m.Table) -> Drawn:
        if not block.rows:
            return [[(f"\n{block.title}: {block.empty}", "dim")]]
        columns = [h for column in block.columns for h in _headers(column)]
        first = columns[0]
        columns[0] = listing.Column(self.indent + first.header, first.width, first.wrap)
        title: Drawn = [[(f"\n{block.title}", "bold")]] if block.title else []
        return [*title, Grid(columns, self._rows(block.rows))]

    def _rows(self, rows: Sequence[m.Row]) -> Iterator[list[Cell]]:
        indent = self.indent
        for row in rows:
            cells = [text for cell in row for text in _cells(cell)]
            if indent:
                cells[0] = (indent + cells[0][0], cells[0][1])
            yield cells

    def figures(self, block: m.Figures) -> Drawn:
        columns = [listing.Column("")] * 4
        rows = (
            [(text, "") for text in (item.label, item.value, item.change, item.compared)]
            for item in block.items
        )
        return [Grid(columns, rows, headed=False)]

    def heading(self, block: m.Heading) -> Drawn:
        if not block.terminal:
            return []
        aside = f"; {block.aside}" if block.aside else ""
        return [[(f"\n{_words(block.line)}{aside}", "bold")]]

    def items(self, block: m.Items) -> Drawn:
        drawn: Drawn = [[(f"\n{block.title}:", "bold")]] if block.title else []
        start = self.indent + "  "
        for line in block.lines:
            if line.tone:
                drawn.append([(start + _words(line.pieces), _TONE[line.tone])])
            else:
                drawn.append(_styled(line.pieces, start))
        if not block.lines and block.empty:
            drawn.append([(f"{start}{block.empty}", "dim")])
        return drawn

    def para(self, block: m.Para) -> Drawn:
        return [_styled(self._sentence(line), self.indent) for line in block.lines]

    def note(self, block: m.Note) -> Drawn:
        words = block.terminal or m.fragment(block.text)
        return [[(self.indent + words, _TONE[block.tone])]]

    def quotes(self, block: m.Quotes) -> Drawn:
        return [[(f"{self.indent}“{quote}”", "italic")] for quote in block.lines]

    def charts(self, block: m.Charts) -> Drawn:
        return []

    def topic(self, block: m.Topic) -> Drawn:
        line: listing.Line = [(f"\n{block.name}", "bold"), (f"  {block.title} · ", "")]
        for index, fact in enumerate(block.facts):
            line += _styled((" · ", fact) if index else (fact,))
        under = _View(self.indent + "  ")
        return [line, *(drawn for child in block.blocks for drawn in m.draw(child, under))]


def _heading(section: m.Section) -> listing.Line:
    line: listing.Line = [(f"\n{section.number}. {section.name}", "bold underline")]
    if section.count is not None:
        line.append((f" ({section.count})", "bold"))
    return line


def _alert(alert: m.Alert) -> Drawn:
    drawn: Drawn = [[(_words(alert.line), "bold red")]]
    drawn += [[(f"  {item}", "red")] for item in alert.items[:_LISTED]]
    if len(alert.items) > _LISTED:
        drawn.append([(f"  … and {len(alert.items) - _LISTED} more", "red")])
    return drawn


def render(report: Report) -> Iterator[Part]:
    """The report as listing parts, made as they are written."""
    doc = sections.describe(report)
    yield [(doc.title, "bold")]
    yield [(doc.subtitle, "dim")]
    if doc.alert is not None:
        yield from _alert(doc.alert)
    view = _View()
    for section in doc.sections:
        yield _heading(section)
        for block in section.blocks:
            yield from m.draw(block, view)
