"""A fast path for the safe loader: plain records built straight from libyaml's events.

ruamel's C loader parses in C but resolves and constructs every node in Python, through
version-aware resolvers and Tag objects; for a record that is about 1.5 ms, 90% of a lint run.
Records are plain block mappings, so this module builds them directly from the C parser's
events, resolving plain scalars with ruamel's own YAML 1.2 patterns. Anything unusual (a
tag, an anchor or alias, a directive, a merge key, a duplicate or non-string key, a second
document, a syntax error, a scalar form without a fast constructor) returns None, and the
caller loads the text with ruamel's loader, which gives the exact value or error it always
did. tests/test_lint_fastyaml.py checks that both paths agree.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ruamel.yaml import events
from ruamel.yaml.resolver import implicit_resolvers

try:  # the C extension; without it there is no fast path
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    CParser = None

_STR = "tag:yaml.org,2002:str"
_MAX_DEPTH = 100  # ruamel recurses per level; deeper input takes its path and its error

# first character -> [(tag, regexp)], exactly the YAML 1.2 rules ruamel's resolver applies
_RESOLVERS: dict[str, list[tuple[str, Any]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        for _char in _first:
            # ruamel wraps each pattern in a lazy proxy; keep the compiled pattern itself
            _RESOLVERS.setdefault(_char, []).append((_tag, _regexp.lazy_self()))

_UTC_Z = timezone(timedelta(0), "Z")  # what ruamel's constructor gives for a trailing Z
_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
_STAMP_Z = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z\Z")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class _Unsupported(Exception):
    """Leave this text to ruamel's loader."""


def _scalar(value: str) -> Any:
    """A plain scalar's value, as ruamel's safe constructor would build it."""
    tag = _STR
    for candidate, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            tag = candidate
            break
    if tag == _STR:
        return value
    kind = tag.rsplit(":", 1)[1]
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLS[value]
    if kind == "int" and _DECIMAL.match(value):
        return int(value)
    if kind == "float" and _FLOAT.match(value):
        return float(value)
    if kind == "timestamp":
        if _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise _Unsupported from None
        stamp = _STAMP_Z.match(value)
        if stamp:
            year, month, day, hour, minute, second = (int(part) for part in stamp.groups())
            try:
                return datetime(year, month, day, hour, minute, second, tzinfo=_UTC_Z)
            except ValueError:
                raise _Unsupported from None
    raise _Unsupported


def load(text: str) -> Any:
    """The document's value, or None when the text needs ruamel's full loader."""
    if CParser is None:
        return None
    parser = CParser(text)
    try:
        return _build(parser)
    except Exception:
        return None
    finally:
        parser.dispose()


def _build(parser: Any) -> Any:
    get = parser.get_event
    scalar_event = events.ScalarEvent
    map_start, seq_start = events.MappingStartEvent, events.SequenceStartEvent
    map_end, seq_end = events.MappingEndEvent, events.SequenceEndEvent
    if type(get()) is not events.StreamStartEvent:
        raise _Unsupported
    start = get()
    if type(start) is not events.DocumentStartEvent or start.version or start.tags:
        raise _Unsupported
    # Each open collection: [container, pending key or _NO_KEY]
    stack: list[list[Any]] = []
    root: Any = None
    no_key = _NO_KEY
    while True:
        event = get()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                raise _Unsupported
            value = _scalar(event.value) if event.implicit[0] else event.value
        elif kind is map_start or kind is seq_start:
            if event.anchor is not None or event.tag is not None or len(stack) >= _MAX_DEPTH:
                raise _Unsupported
            value = {} if kind is map_start else []
        elif kind is map_end or kind is seq_end:
            value = stack.pop()[0]  # already in its parent since it started
            if not stack:
                root = value
                break
            continue
        else:  # an alias, or anything this fast path does not know
            raise _Unsupported
        if not stack:
            if kind is scalar_event:
                root = value
                break
            stack.append([value, no_key])
            continue
        _add(stack[-1], value)
        if kind is not scalar_event:
            stack.append([value, no_key])
    if type(get()) is not events.DocumentEndEvent or type(get()) is not events.StreamEndEvent:
        raise _Unsupported  # a second document: ruamel reports it
    return root


_NO_KEY = object()


def _add(frame: list[Any], value: Any) -> None:
    container = frame[0]
    if type(container) is list:
        container.append(value)
        return
    key = frame[1]
    if key is _NO_KEY:
        if type(value) is not str or value == "<<" or value in container:
            raise _Unsupported  # non-string, merge or duplicate key
        frame[1] = value
        return
    container[key] = value
    frame[1] = _NO_KEY


def locate(text: str, path: tuple[int | str, ...], *, key: bool = False) -> tuple[int, int] | None:
    """1-based (line, column) of the value at `path`, as `locate.position_of` reports it.

    A scalar points at its value, a non-empty collection at its key, a missing part at the
    deepest parent found; `key=True` points at the last key itself. About 30x cheaper than
    a round-trip parse. None when the text does not parse (the caller falls back). Plain
    text is walked by its lines (plainyaml.locate), about 10x cheaper again.
    """
    from mechctl.store import plainyaml  # it reads this module's resolvers

    found = plainyaml.locate(text, path, key)
    if found is not None:
        return found
    if CParser is None:
        return None
    parser = CParser(text)
    try:
        return _locate(parser, path, key)
    except Exception:
        return None
    finally:
        parser.dispose()


def _skip(parser: Any, start: Any) -> None:
    """Consume the rest of the node that `start` began."""
    if type(start) not in (events.MappingStartEvent, events.SequenceStartEvent):
        return
    depth = 1
    while depth:
        kind = type(parser.get_event())
        if kind in (events.MappingStartEvent, events.SequenceStartEvent):
            depth += 1
        elif kind in (events.MappingEndEvent, events.SequenceEndEvent):
            depth -= 1


def _locate(parser: Any, path: tuple[int | str, ...], key_wanted: bool) -> tuple[int, int]:
    get = parser.get_event
    collections = (events.MappingStartEvent, events.SequenceStartEvent)
    ends = (events.MappingEndEvent, events.SequenceEndEvent)
    get()  # stream start
    get()  # document start
    node = get()
    line, column = node.start_mark.line, 0
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if type(node) is events.MappingStartEvent and isinstance(part, str):
            while True:
                key = get()
                if type(key) in ends:
                    return line + 1, column + 1
                value = get()
                if type(key) is events.ScalarEvent and key.value == part:
                    break
                _skip(parser, key)
                _skip(parser, value)
            filled = type(value) in collections and type(parser.peek_event()) not in ends
            mark = key.start_mark if filled or (last and key_wanted) else value.start_mark
        elif type(node) is events.SequenceStartEvent and isinstance(part, int) and part >= 0:
            for _ in range(part):
                item = get()
                if type(item) in ends:
                    return line + 1, column + 1
                _skip(parser, item)
            value = get()
            if type(value) in ends:
                return line + 1, column + 1
            mark = value.start_mark
        else:
            return line + 1, column + 1
        line, column = mark.line, mark.column
        node = value
    return line + 1, column + 1
