"""The fastest path of the safe loader: records in plain block style, read line by line.

Most record files are written by mechctl or by hand in one plain style: block mappings and
sequences, keys that are simple words, single-line plain scalars, comments. For that style
alone, a line tells everything about itself (its indentation, a `- `, a key, a value), and
this module builds the record from the lines in one pass, about 3-6x faster than building it
from libyaml's events (store/fastyaml.py): a cold index build reads every record
file once (docs/design.md §7).

It is trusted only where it gives exactly what ruamel's safe loader gives (YAML 1.2), so it
accepts only text it can prove it reads the same way: every character printable, no tab,
no carriage return, no byte-order mark; every line blank, a comment, `key:`, `key: value`,
`- value` or `- key: value`, at an indentation that fits the structure around it; keys that
are plain words (spaces within) resolving to strings, never twice in one mapping; values
that are `[]`, `{}`, single-quoted strings on one line, or plain single-line scalars which
cannot start an indicator (double quotes, flow collections, block scalars, anchors,
aliases, tags, directives, merge keys) and that `fastyaml._scalar` resolves with ruamel's
own YAML 1.2 rules. Anything else, valid or not, returns None, and the caller
takes the loaders it always took, which give the exact value or problem they always did.
tests/test_plainyaml.py compares the two, value and type, over generated and tricky text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from mechctl.store.fastyaml import _UTC_Z, _scalar, _Unsupported

# A character outside this set (a tab, a carriage return, a control character, NEL, the
# Unicode line separators, a byte-order mark, a non-character) sends the text elsewhere.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# `key:` or `key: rest`; a key is a plain word (libyaml's limit for a simple key is far off).
_KEY = re.compile(r"([A-Za-z_](?:[A-Za-z0-9_ -]{0,200}[A-Za-z0-9_])?):(?: +(.*))?\Z")
# A single-quoted scalar on one line (`''` is a quote), then nothing or a comment.
_QUOTED = re.compile(r"'((?:[^']|'')*)'(?: +(?:#.*)?)?\Z")
_DASH = re.compile(r"- +")
# A plain scalar's first character may not be an indicator, nor a space.
_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_MAX_DEPTH = 40
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")  # ASCII digits

_EMPTY = object()  # `key:` with nothing after it on its line
_ITEM = object()  # the key slot of a `- ` line
_NESTED = object()  # the value slot of a `- key: ...` line: a mapping starts on it


def _value(rest: str | None) -> Any:
    """The value a line gives after `key: ` or `- `: _EMPTY, or a resolved plain scalar."""
    if not rest or rest[0] == "#":
        return _EMPTY
    if rest[:1] == "'":
        quoted = _QUOTED.match(rest)
        if quoted is None:
            raise _Unsupported
        return quoted[1].replace("''", "'")
    cut = rest.find(" #")
    if cut >= 0:
        rest = rest[:cut]
    rest = rest.rstrip(" ")
    if rest == "[]":
        return []
    if rest == "{}":
        return {}
    if rest[:1] in _FIRST or ": " in rest or rest.endswith(":"):
        raise _Unsupported
    if len(rest) == 20 and rest[10] == "T" and _STAMP.match(rest):
        # What _scalar gives, sooner: ruamel's float and int patterns have no `T` or `:`,
        # so the first of its resolvers to match is the timestamp's.
        try:
            return datetime.fromisoformat(rest[:19]).replace(tzinfo=_UTC_Z)
        except ValueError:
            raise _Unsupported from None
    return _scalar(rest)


_KEYS: set[str] = set()  # the keys met so far that resolve to strings


def _key(word: str) -> str:
    if word in _KEYS:
        return word
    if type(_scalar(word)) is not str:  # `null:`, `true:`: ruamel would make a non-str key
        raise _Unsupported
    if len(_KEYS) < 10_000:
        _KEYS.add(word)
    return word


def _line(line: str) -> tuple[tuple[int, Any, Any], ...]:
    """The tokens of one line: (indent, key or _ITEM, value); none for a blank line or a
    comment; two for `- key: v`: the item (its value _NESTED), then `key: v` at the column
    of `key`."""
    body = line.lstrip(" ")
    if not body or body[0] == "#":
        return ()
    indent = len(line) - len(body)
    if body[0] != "-":
        pair = _KEY.match(body)
        if pair is None:
            raise _Unsupported
        return ((indent, _key(pair[1]), _value(pair[2])),)
    dash = _DASH.match(body)
    if dash is None:
        raise _Unsupported
    start = dash.end()
    item = body[start:]
    pair = _KEY.match(item)
    if pair is None:
        value = _value(item)
        if value is _EMPTY:
            raise _Unsupported  # `-` and nothing: a null item, or a nested block
        return ((indent, _ITEM, value),)
    return ((indent, _ITEM, _NESTED), (indent + start, _key(pair[1]), _value(pair[2])))


# Lines repeat across records (`    action: raised`): each line's tokens are kept, unless
# they hold a collection (`[]`, `{}`), which every record must have its own of.
_SEEN: dict[str, tuple[tuple[int, Any, Any], ...]] = {}
_SEEN_MAX = 50_000


def _tokens(text: str) -> list[tuple[int, Any, Any]]:
    tokens: list[tuple[int, Any, Any]] = []
    seen = _SEEN
    for line in text.split("\n"):
        found = seen.get(line)
        if found is None:
            found = _line(line)
            # Only a line's last token can hold a collection.
            if not found or type(found[-1][2]) not in (list, dict):
                if len(seen) >= _SEEN_MAX:
                    seen.clear()
                seen[line] = found
        tokens.extend(found)
    return tokens


def _mapping(tokens: list[Any], pos: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
    if depth > _MAX_DEPTH:
        raise _Unsupported
    out: dict[str, Any] = {}
    total = len(tokens)
    while pos < total:
        at, key, value = tokens[pos]
        if at != indent or key is _ITEM:
            break
        if key in out:
            raise _Unsupported  # a duplicate key: ruamel reports it
        pos += 1
        below = tokens[pos][0] if pos < total else -1
        if value is _EMPTY:
            if below > indent:
                value, pos = _block(tokens, pos, below, depth + 1)
            elif below == indent and tokens[pos][1] is _ITEM:
                value, pos = _sequence(tokens, pos, indent, depth + 1)  # `key:` then `- x`
            else:
                value = None
        elif below > indent:
            raise _Unsupported  # a continuation line, or a misplaced one
        out[key] = value
    return out, pos


def _sequence(tokens: list[Any], pos: int, indent: int, depth: int) -> tuple[list[Any], int]:
    if depth > _MAX_DEPTH:
        raise _Unsupported
    out: list[Any] = []
    total = len(tokens)
    while pos < total:
        at, key, value = tokens[pos]
        if at != indent or key is not _ITEM:
            break
        pos += 1
        if value is _NESTED:
            value, pos = _mapping(tokens, pos, tokens[pos][0], depth + 1)
        elif pos < total and tokens[pos][0] > indent:
            raise _Unsupported
        out.append(value)
    return out, pos


def _block(tokens: list[Any], pos: int, indent: int, depth: int) -> tuple[Any, int]:
    if tokens[pos][1] is _ITEM:
        return _sequence(tokens, pos, indent, depth)
    return _mapping(tokens, pos, indent, depth)


def _safe(text: str) -> bool:
    if text.isascii():  # the common case, in C: ASCII's printable characters are YAML's
        return text.replace("\n", " ").isprintable()
    return _UNSAFE.search(text) is None


def load(text: str) -> dict[str, Any] | None:
    """The record in `text`, a non-empty mapping, or None when this path cannot vouch for
    what ruamel would make of it."""
    if not _safe(text):
        return None
    try:
        tokens = _tokens(text)
        if not tokens or tokens[0][0] != 0 or tokens[0][1] is _ITEM:
            return None
        record, end = _mapping(tokens, 0, 0, 0)
    except _Unsupported:
        return None
    if end != len(tokens):
        return None
    _LOADED[0] = text
    return record


_LOADED = [""]  # the text `load` read last, which `locate` then need not read again


# -- where a path is, in text this module reads (fastyaml.locate asks here first) ------------
Token = tuple[int, Any, Any, int]  # indent, key or _ITEM, value, 0-based line number


def _numbered_tokens(text: str) -> tuple[list[Token], list[str]]:
    """The tokens of `_tokens`, each with its line number; and the lines."""
    out: list[Token] = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        for indent, key, value in _SEEN.get(line) or _line(line):
            out.append((indent, key, value, number))
    return out, lines


def _marked_mapping(tokens: list[Token], pos: int, indent: int) -> tuple[dict[str, Any], int]:
    """key -> (its token, child, whether the child is a non-empty collection)."""
    out: dict[str, Any] = {}
    total = len(tokens)
    while pos < total and tokens[pos][0] == indent and tokens[pos][1] is not _ITEM:
        token = tokens[pos]
        value = token[2]
        pos += 1
        below = tokens[pos][0] if pos < total else -1
        child: Any = value if type(value) in (list, dict) else None
        filled = False
        if value is _EMPTY and below > indent:
            child, pos = _marked_block(tokens, pos, below)
            filled = True
        elif value is _EMPTY and below == indent and tokens[pos][1] is _ITEM:
            child, pos = _marked_sequence(tokens, pos, indent)
            filled = True
        out[token[1]] = (token, child, filled)
    return out, pos


def _marked_sequence(tokens: list[Token], pos: int, indent: int) -> tuple[list[Any], int]:
    """[(the item's token, or the first key's token of a mapping item; child), ...]"""
    out: list[Any] = []
    total = len(tokens)
    while pos < total and tokens[pos][0] == indent and tokens[pos][1] is _ITEM:
        token = tokens[pos]
        pos += 1
        child: Any
        if token[2] is _NESTED:
            token = tokens[pos]
            child, pos = _marked_mapping(tokens, pos, token[0])
        else:
            child = token[2] if type(token[2]) in (list, dict) else None
        out.append((token, child))
    return out, pos


def _marked_block(tokens: list[Token], pos: int, indent: int) -> tuple[Any, int]:
    if tokens[pos][1] is _ITEM:
        return _marked_sequence(tokens, pos, indent)
    return _marked_mapping(tokens, pos, indent)


def _value_mark(token: Token, lines: list[str]) -> tuple[int, int]:
    """libyaml's mark of a token's value: where a scalar, `[]` or `{}` starts; just after
    the colon of `key:` alone."""
    indent, key, value, number = token
    start = indent + 1 if key is _ITEM else indent + len(key) + 1
    if value is _EMPTY:
        return number, start
    rest = lines[number][start:]
    return number, start + len(rest) - len(rest.lstrip(" "))


_LAST: dict[str, Any] = {}  # the text walked last, with its tree: lint asks several places


def locate(text: str, path: tuple[int | str, ...], key: bool) -> tuple[int, int] | None:
    """What `fastyaml.locate` gives, 1-based, without libyaml: None unless `load` reads
    the text (so its structure is sound, and the walk below need not check it)."""
    walked = _LAST.get(text)
    if walked is None:
        if text != _LOADED[0] and load(text) is None:
            return None
        tokens, lines = _numbered_tokens(text)
        walked = (_marked_mapping(tokens, 0, 0)[0], lines, tokens[0][3])
        _LAST.clear()
        _LAST[text] = walked
    node, lines, line = walked
    column = 0
    for index, part in enumerate(path):
        if type(node) is dict and isinstance(part, str):
            entry = node.get(part)
            if entry is None:
                break
            token, node, filled = entry
            if filled or (key and index == len(path) - 1):
                line, column = token[3], token[0]
            else:
                line, column = _value_mark(token, lines)
        elif type(node) is list and isinstance(part, int) and 0 <= part < len(node):
            token, node = node[part]
            if token[1] is _ITEM:
                line, column = _value_mark(token, lines)
            else:  # a mapping item: its first key
                line, column = token[3], token[0]
        else:
            break
    return line + 1, column + 1
