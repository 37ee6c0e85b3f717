"""Listings of any size: what `escalation list`, `mechanism list`, `due`, `history`, `audit` and
`status` print for people (docs/design.md §4).

A listing is a sequence of parts: a `Grid` (columns and rows, any iterable of rows, so rows can
come from an iterator one at a time) or a line (a list of cells). A cell is its text and a rich
style; the text is always plain text, never markup.

- On a pipe, a grid is plain aligned rows, written as they come: each column's width is known
  up front (`Column.width`) or measured on the first `MEASURE` rows; a longer cell further down
  pushes the rest of its row right and is never cut. The last column is not padded.
- On a terminal, a listing that fits on the screen is drawn by rich, as a table. A longer one is
  written as on a pipe, with colours, and goes through the pager (cli/pager.py) unless paging
  is off; rich would take seconds to lay out tens of thousands of rows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice
from typing import TYPE_CHECKING, Generic, TypeVar

from mechctl.cli import pager
from mechctl.cli.output import console, note

if TYPE_CHECKING:
    from rich.console import RenderableType

Cell = tuple[str, str]  # the text, and its rich style ("" for none)
Line = list[Cell]
Row = Sequence[Cell]
T = TypeVar("T")

MEASURE = 256  # rows a column without a known width is measured on
GAP = "  "  # between columns, as rich's table without a box puts it


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 0  # its cells' width when known up front (ids, dates); 0: measured
    wrap: bool = False  # on a terminal's short table, this column wraps (a title)


@dataclass
class Grid:
    columns: Sequence[Column]
    rows: Iterable[Row]
    headed: bool = True  # False: no header line (a block of figures)


Part = Grid | Line


def cell(text: str, style: str = "") -> Cell:
    return (text, style)


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


@lru_cache(maxsize=64)
def _sgr(style: str) -> tuple[str, str]:
    """The escape codes around a cell in `style`, on a colour terminal."""
    from rich.color import ColorSystem
    from rich.style import Style

    before, _, after = (
        Style.parse(style).render("\0", color_system=ColorSystem.STANDARD).partition("\0")
    )
    return before, after


def _painter(colour: bool) -> Callable[[str, str], str]:
    if not colour:
        return lambda text, style: text

    def paint(text: str, style: str) -> str:
        if not style or not text:
            return text
        before, after = _sgr(style)
        return before + text + after

    return paint


def _colour() -> bool:
    out = console()
    return out.is_terminal and not out.no_color and out.color_system is not None


def _write_grid(grid: Grid, write: Callable[[str], object], colour: bool) -> int:
    """Plain aligned rows; nothing at all for a grid without rows. Returns the rows written."""
    rows = iter(grid.rows)
    first = list(islice(rows, MEASURE))
    if not first:
        return 0
    columns = grid.columns
    last = len(columns) - 1
    widths = [max(c.width, _width(c.header)) for c in columns]
    for row in first:
        for index in range(last):
            size = _width(row[index][0])
            if size > widths[index]:
                widths[index] = size
    paint = _painter(colour)

    def line(cells: Sequence[Cell]) -> str:
        parts = []
        for index, (text, style) in enumerate(cells):
            if index == last:
                parts.append(paint(text, style))
            else:
                pad = " " * (widths[index] - _width(text))
                parts.append(paint(text, style) + pad + GAP)
        return "".join(parts) + "\n"

    if grid.headed:
        write(line([(c.header, "bold") for c in columns]))
    count = 0
    for row in chain(first, rows):
        write(line(row))
        count += 1
    return count


def _write_line(cells: Line, write: Callable[[str], object], colour: bool) -> None:
    paint = _painter(colour)
    write("".join(paint(text, style) for text, style in cells) + "\n")


def _write(parts: Iterable[Part], write: Callable[[str], object], colour: bool) -> int:
    count = 0
    for part in parts:
        if isinstance(part, Grid):
            count += _write_grid(part, write, colour)
        else:
            _write_line(part, write, colour)
    return count


def _rich(parts: list[Part]) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    drawn: list[RenderableType] = []
    for part in parts:
        if isinstance(part, Grid):
            table = Table(box=None, pad_edge=False, header_style="bold", show_header=part.headed)
            for column in part.columns:
                # A known width holds here too: the screen and the pipe draw the same columns.
                table.add_column(column.header, no_wrap=not column.wrap, min_width=column.width)
            for row in part.rows:
                # Text, never a str: rich would read a title's "[...]" as markup.
                table.add_row(*(Text(text, style=style) for text, style in row))
            drawn.append(table)
        else:
            line = Text()
            for text, style in part:
                line.append(text, style=style)
            drawn.append(line)
    return Group(*drawn)


def _head(parts: Iterable[Part], budget: int) -> tuple[list[Part], bool]:
    """The parts that fit in `budget` lines, each grid's rows in hand; and whether all did."""
    held: list[Part] = []
    used = 0
    source = iter(parts)
    for part in source:
        if isinstance(part, Grid):
            rows = iter(part.rows)
            taken = list(islice(rows, budget - used + 1))
            if not taken:
                continue  # an empty grid draws nothing, not even its header
            used += len(taken) + part.headed
            if used > budget:
                held.append(Grid(part.columns, chain(taken, rows), part.headed))
                held.extend(source)  # the rest stays lazy
                return held, False
            held.append(Grid(part.columns, taken, part.headed))
        else:
            used += 1
            held.append(part)
            if used > budget:
                held.extend(source)
                return held, False
    return held, True


def plain(parts: Iterable[Part]) -> str:
    """A listing as it goes down a pipe, as one string (a file that `--out` writes)."""
    pieces: list[str] = []
    _write(parts, pieces.append, colour=False)
    return "".join(pieces)


def show(parts: Iterable[Part], *, no_pager: bool = False) -> int:
    """Draw a listing on stdout (see the module docstring). Returns the grid rows drawn."""
    try:
        terminal = sys.stdout.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        return _write(parts, sys.stdout.write, colour=False)
    screen = pager.screen_lines()
    paging = pager.wanted(no_pager)
    held, whole = _head(parts, screen - 1)
    if whole:
        count = sum(len(list(p.rows)) for p in held if isinstance(p, Grid))
        if not held:
            return 0
        drawn = _rich(held)
        out = console()
        if not paging:
            out.print(drawn)
            return count
        with out.capture() as captured:
            out.print(drawn)
        text = captured.get()
        if text.count("\n") < screen:
            sys.stdout.write(text)
            return count
        with pager.paged() as stream:
            stream.write(text)
        return count
    colour = _colour()
    if not paging:
        return _write(held, sys.stdout.write, colour)
    written = [0]

    def counted(parts: list[Part]) -> Iterator[Part]:
        for part in parts:
            if isinstance(part, Grid):
                yield Grid(part.columns, _tally(part.rows, written), part.headed)
            else:
                yield part

    with pager.paged() as stream:
        _write(counted(held), stream.write, colour)
    return written[0]


def _tally(rows: Iterable[Row], seen: list[int]) -> Iterator[Row]:
    for row in rows:
        seen[0] += 1
        yield row


class Limit(Generic[T]):
    """`--limit N`: the first N rows of a listing, and a note on stderr when some were left out
    (docs/design.md §4). `total`: the number of rows there are, when the source knows it."""

    def __init__(self, rows: Iterable[T], limit: int | None, total: int | None = None) -> None:
        self._rows = iter(rows)
        self._limit = limit
        self._shown = 0
        if total is None and isinstance(rows, Sequence):
            total = len(rows)
        self._total = total

    def __iter__(self) -> Iterator[T]:
        chosen = self._rows if self._limit is None else islice(self._rows, self._limit)
        for row in chosen:
            self._shown += 1
            yield row

    def note(self, noun: str) -> None:
        """After the listing: say how many rows `--limit` left out, if any. A listing that
        stopped early (its reader quit the pager) says nothing."""
        if self._limit is None or self._shown < self._limit:
            return
        # Counting what is left reads those rows without drawing them: cheap beside drawing.
        total = self._total if self._total is not None else self._shown + sum(1 for _ in self._rows)
        if total > self._shown:
            note(f"note: showing {self._shown} of {total} {noun} (--limit {self._limit})")
