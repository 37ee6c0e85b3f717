"""The words the report is described in, the same for every view (docs/design.md §4).

A `Document` is sections of blocks (tables of cells, lists, notes, headings, a chart slot),
where text may carry a mark (late, a severity, an outcome, code, stress) and a line or cell a
tone (good, bad, muted, warn). `sections.py` describes the report in these words, once per
rendering; the views (`text.py`, `markdown.py`, `html.py`) only know how to draw each kind of
block, and none decides what the report says.

Two registers: the documents (markdown, HTML) write whole sentences; the terminal writes
fragments (`Note.terminal`, and `fragment` below), because its lines are read at a glance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar, overload

from mechctl.services.report.data import Report

# A mark on a piece of text: "strong", "code" (an id), "command" (one to type), "late" (past
# its target), "alarm" (stressed and bad), "muted", "spark" (a sparkline), a severity ("sev1")
# or an outcome ("on-track"). A tone is a whole line's or cell's, or a note's.
Tone = Literal["", "good", "bad", "muted", "warn"]


@dataclass(slots=True)  # not frozen: tens of thousands are made, and frozen is slower
class Span:
    text: str
    mark: str = ""


Piece = str | Span
Pieces = tuple[Piece, ...]


@dataclass(slots=True)
class Line:
    """Pieces of text; a tone colours the whole where a view has colours."""

    pieces: Pieces
    tone: Tone = ""


@dataclass(slots=True)
class Parts:
    """One cell of several figures: folded into one in the documents, apart in the terminal."""

    values: tuple[str, ...]


Cell = str | Span | Line | Parts


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    short: str = ""  # the terminal's header, where it is shorter than the name
    wrap: bool = False  # free text: the terminal may wrap it
    split: tuple[str, ...] = ()  # the names of a `Parts` column's figures

    @property
    def header(self) -> str:
        """The documents' header; a `Parts` column names its figures: "before (n: median / p90)"."""
        return f"{self.name} ({fold(self.split)})" if self.split else self.name


Row = tuple[Cell, ...]
R = TypeVar("R")


class Rows(Sequence[Row], Generic[R]):
    """A table's rows, each made from its record as a view draws it. Over 20,000 open
    escalations, holding every cell at once costs more in garbage collection than making it."""

    def __init__(self, records: Sequence[R], row: Callable[[R], Row]) -> None:
        self._records, self._row = records, row

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        if isinstance(index, slice):
            return [self._row(record) for record in self._records[index]]
        return self._row(self._records[index])

    def __iter__(self) -> Iterator[Row]:
        return map(self._row, self._records)


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: Sequence[Row]
    title: str = ""  # a heading above it
    empty: str = ""  # with a title: why there are no rows, said after the title


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str
    change: str
    compared: str


@dataclass(frozen=True, slots=True)
class Figures:
    """The headline counts against the periods before (cards on the page)."""

    subject: str
    items: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    line: Pieces
    aside: str = ""  # said after it, in a lighter voice
    terminal: bool = True  # False: only the documents show it (the terminal's section says it)


@dataclass(frozen=True, slots=True)
class Items:
    """A list, under an optional title; `empty` stands in for no items."""

    lines: list[Line]
    title: str = ""
    empty: str = ""


@dataclass(frozen=True, slots=True)
class Para:
    """Prose: sentences, one a line."""

    lines: tuple[Pieces, ...]


@dataclass(frozen=True, slots=True)
class Note:
    """A remark in place of content ("None: every escalation is resolved.")."""

    text: str
    tone: Tone = "muted"
    terminal: str = ""  # the terminal's words, where a fragment of `text` would not do


@dataclass(frozen=True, slots=True)
class Quotes:
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Charts:
    """Where the HTML page draws its charts; the other views have none."""

    report: Report
    unit: str


@dataclass(frozen=True, slots=True)
class Topic:
    """One thing (a mechanism) with its facts, and blocks that belong to it."""

    name: str
    title: str
    facts: Pieces  # said in one line, " · " between
    blocks: list[Block] = field(default_factory=list)


Block = Table | Figures | Heading | Items | Para | Note | Quotes | Charts | Topic


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    name: str
    count: int | None  # shown after the name
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class Alert:
    """Invalid files, said before everything else: a line, and each file."""

    line: Pieces
    items: list[str]


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    alert: Alert | None
    sections: list[Section]


T_co = TypeVar("T_co", covariant=True)


class View(Protocol[T_co]):
    """How one format draws each kind of block."""

    def table(self, block: Table) -> T_co: ...
    def figures(self, block: Figures) -> T_co: ...
    def heading(self, block: Heading) -> T_co: ...
    def items(self, block: Items) -> T_co: ...
    def para(self, block: Para) -> T_co: ...
    def note(self, block: Note) -> T_co: ...
    def quotes(self, block: Quotes) -> T_co: ...
    def charts(self, block: Charts) -> T_co: ...
    def topic(self, block: Topic) -> T_co: ...


T = TypeVar("T")


def draw(block: Block, view: View[T]) -> T:
    """The one place that maps a kind of block to the view's way of drawing it."""
    match block:
        case Table():
            return view.table(block)
        case Figures():
            return view.figures(block)
        case Heading():
            return view.heading(block)
        case Items():
            return view.items(block)
        case Para():
            return view.para(block)
        case Note():
            return view.note(block)
        case Quotes():
            return view.quotes(block)
        case Charts():
            return view.charts(block)
        case Topic():
            return view.topic(block)


def plain(pieces: Iterable[Piece]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in pieces)


def fold(values: Sequence[str]) -> str:
    """A `Parts` cell, or its column's header, as one: "2: 5h / 8h"."""
    return f"{values[0]}: {' / '.join(values[1:])}"


def fragment(text: str) -> str:
    """A sentence as the terminal says it: lower case first, no full stop."""
    text = text.removesuffix(".")
    return text[:1].lower() + text[1:]
