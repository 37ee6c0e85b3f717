"""The report in the terminal: the description (`model.py`) drawn as rich text and tables.

The terminal's emphasis is colour, so code and stressed text stay plain here; it says
fragments, not sentences; and what belongs to a mechanism is indented under it.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

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

Drawn = list[RenderableType]


def _word(piece: m.Piece) -> str:
    if isinstance(piece, str):
        return piece
    return f"`{piece.text}`" if piece.mark == "command" else piece.text  # as in warnings


def _words(pieces: m.Pieces) -> str:
    return "".join(map(_word, pieces))


def _append(text: Text, pieces: m.Pieces) -> Text:
    for piece in pieces:
        if isinstance(piece, str):
            text.append(piece)
        else:
            text.append(_word(piece), style=_MARK.get(piece.mark, ""))
    return text


def _cells(cell: m.Cell) -> list[Text]:
    """One cell as the terminal's columns: a `Parts` cell is several, after a rule."""
    if isinstance(cell, str):
        return [Text(cell)]  # Text, never a str: rich would read "[...]" in a title as markup
    if isinstance(cell, m.Span):
        return [Text(cell.text, style=_MARK.get(cell.mark, ""))]
    if isinstance(cell, m.Line):
        if cell.tone:
            return [Text(_words(cell.pieces), style=_CELL_TONE[cell.tone])]
        return [_append(Text(), cell.pieces)]
    first, *rest = cell.values
    return [Text(f"│ {first}"), *map(Text, rest)]


def _headers(column: m.Column) -> list[tuple[str, bool]]:
    """The terminal's column headers for one column, each with whether it may wrap."""
    if column.split:
        first, *rest = column.split
        names = [f"│ {column.name}: {first}", *rest]
        return [(name.upper(), False) for name in names]
    return [((column.short or column.name).upper(), column.wrap)]


def _grid(headers: list[tuple[str, bool]]) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    for header, wrap in headers:
        table.add_column(header, no_wrap=not wrap)
    return table


class _View:
    """Draws blocks; `indent` is set for the blocks under a topic."""

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
            return [Text(f"\n{block.title}: {block.empty}", style="dim")]
        headers = [h for column in block.columns for h in _headers(column)]
        headers[0] = (self.indent + headers[0][0], headers[0][1])
        grid = _grid(headers)
        for row in block.rows:
            cells = [text for cell in row for text in _cells(cell)]
            cells[0] = Text(self.indent).append_text(cells[0]) if self.indent else cells[0]
            grid.add_row(*cells)
        title = [Text(f"\n{block.title}", style="bold")] if block.title else []
        return [*title, grid]

    def figures(self, block: m.Figures) -> Drawn:
        grid = _grid([("", False)] * 4)
        grid.show_header = False
        for item in block.items:
            grid.add_row(*map(Text, (item.label, item.value, item.change, item.compared)))
        return [grid]

    def heading(self, block: m.Heading) -> Drawn:
        if not block.terminal:
            return []
        aside = f"; {block.aside}" if block.aside else ""
        return [Text(f"\n{_words(block.line)}{aside}", style="bold")]

    def items(self, block: m.Items) -> Drawn:
        drawn: Drawn = [Text(f"\n{block.title}:", style="bold")] if block.title else []
        start = self.indent + "  "
        for line in block.lines:
            if line.tone:
                drawn.append(Text(start + _words(line.pieces), style=_TONE[line.tone]))
            else:
                drawn.append(_append(Text(start), line.pieces))
        if not block.lines and block.empty:
            drawn.append(Text(f"{start}{block.empty}", style="dim"))
        return drawn

    def para(self, block: m.Para) -> Drawn:
        return [_append(Text(self.indent), self._sentence(line)) for line in block.lines]

    def note(self, block: m.Note) -> Drawn:
        words = block.terminal or m.fragment(block.text)
        return [Text(self.indent + words, style=_TONE[block.tone])]

    def quotes(self, block: m.Quotes) -> Drawn:
        return [Text(f"{self.indent}“{quote}”", style="italic") for quote in block.lines]

    def charts(self, block: m.Charts) -> Drawn:
        return []

    def topic(self, block: m.Topic) -> Drawn:
        line = Text()
        line.append(f"\n{block.name}", style="bold")
        line.append(f"  {block.title} · ")
        for index, fact in enumerate(block.facts):
            _append(line, (" · ", fact) if index else (fact,))
        under = _View(self.indent + "  ")
        return [line, *(drawn for child in block.blocks for drawn in m.draw(child, under))]


def _heading(section: m.Section) -> Text:
    text = Text(f"\n{section.number}. {section.name}", style="bold underline")
    if section.count is not None:
        text.append(f" ({section.count})", style="bold")
    return text


def _alert(alert: m.Alert) -> Drawn:
    drawn: Drawn = [Text(_words(alert.line), style="bold red")]
    drawn += [Text(f"  {item}", style="red") for item in alert.items[:_LISTED]]
    if len(alert.items) > _LISTED:
        drawn.append(Text(f"  … and {len(alert.items) - _LISTED} more", style="red"))
    return drawn


def render(report: Report) -> Group:
    doc = sections.describe(report)
    drawn: Drawn = [Text(doc.title, style="bold"), Text(doc.subtitle, style="dim")]
    if doc.alert is not None:
        drawn += _alert(doc.alert)
    view = _View()
    for section in doc.sections:
        drawn.append(_heading(section))
        for block in section.blocks:
            drawn += m.draw(block, view)
    return Group(*drawn)
