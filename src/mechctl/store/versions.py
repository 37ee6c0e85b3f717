"""Many versions of one record, parsed fast: what `history` reads from git.

Consecutive versions of a record share most of their text: a commit changes one or two
top-level keys, and logs (`inspections`, `iterations`, `timeline`) grow at the end. So a
version is split at its top-level keys, each distinct block is parsed once, and a block that
only grew is parsed for its new tail alone. Whenever the split is not certain to mean what the
whole file means (directives, flow or quoted top-level keys, duplicate keys, anchors, a
block that does not parse on its own), the whole text is parsed instead, so results and
errors are exactly those of `yamlio.load_fast`.
"""

from __future__ import annotations

import re
from typing import Any

from mechctl.store.yamlio import YamlProblem, load_fast, precheck

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")
_ITEM = re.compile(r"([ ]*)-(?:[ \t]|$)")
_FLUSH = re.compile(r"^[^ \t#\r\n].*$", re.MULTILINE)
_INDENTED = re.compile(r"^[ \t]+[^ \t#\r\n]", re.MULTILINE)
# Anchors, aliases and tags tie parts of a document together (a duplicate anchor is an error
# only in the whole); where one may appear, the whole text is parsed. "R&D" and "*why*" in
# prose only cost the shortcut.
_PROPERTY = re.compile(r"[&*!](?=[^\s\[\]{},])")
_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def _has_property(text: str) -> bool:
    """An anchor, alias or tag may start here: `&`, `*` or `!` after a space, a bracket or a
    comma, or at the start of a line. (A search for the character first: it is rare.)"""
    for match in _PROPERTY.finditer(text):
        before = text[match.start() - 1] if match.start() else "\n"
        if before in " \t\r\n[{,":
            return True
    return False


class _Unsafe(Exception):
    """The block split cannot be trusted for this text; parse it whole."""


def split(text: str) -> list[tuple[str, str]] | None:
    """[(key, block text)] at the top-level keys, or None when the text is not that simple."""
    starts: list[tuple[int, str]] = []
    # Only lines that start in column 0 with content matter; the rest belong to a block.
    for match in _FLUSH.finditer(text):
        line = match.group(0)
        if line.startswith("-") and _ITEM.match(line):
            if not starts:
                return None  # a document that is a list
            continue  # a sequence written flush with its key
        key = _KEY_LINE.match(line)
        if key is None:
            return None  # directives, document markers, flow or quoted keys: parse whole
        starts.append((match.start(), key.group(1)))
    if not starts or _INDENTED.search(text, 0, starts[0][0]):
        return None  # nothing, or indented content before the first key
    bounds = [position for position, _ in starts[1:]] + [len(text)]
    return [(key, text[position:end]) for (position, key), end in zip(starts, bounds, strict=True)]


def _first_content(text: str, position: int) -> str:
    """The first line from `position` on that is neither blank nor a comment."""
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return line
        position = end + 1
    return ""


def _first_item_indent(block: str) -> str | None:
    match = _ITEM.match(_first_content(block, block.find("\n") + 1))
    return match.group(1) if match else None


class VersionLoader:
    """Parses versions of one record; keep one instance for one record's history."""

    def __init__(self) -> None:
        self._parsed: dict[str, Any] = {}  # block text -> the value under its key
        self._latest: dict[str, str] = {}  # key -> the last block text parsed for it

    def load(self, text: str, path: str) -> dict[str, Any]:
        """The plain data of `text`, as `load_fast` returns it. Raises YamlProblem."""
        blocks = split(text)
        if blocks is None or len({key for key, _ in blocks}) != len(blocks) or _has_property(text):
            return load_fast(text, path)
        if any(marker in text for marker in _MARKERS):
            precheck(text, path)  # a merge-conflict marker, reported as load_fast would
        try:
            return self._assemble(blocks, path)
        except (_Unsafe, YamlProblem):
            return load_fast(text, path)

    def _assemble(self, blocks: list[tuple[str, str]], path: str) -> dict[str, Any]:
        # Every block not seen before goes into one text, parsed at once: the blocks have
        # distinct top-level keys, so together they are one mapping. A block that only grew
        # contributes its new items alone, under its key.
        fresh: list[str] = []
        earlier: dict[str, list[Any]] = {}
        for key, block in blocks:
            if block in self._parsed:
                continue
            tail = self._tail(key, block)
            if tail is not None:
                earlier[key] = self._parsed[self._latest[key]]
                fresh.append(f"{key}:\n{tail}")
            else:
                fresh.append(block if block.endswith("\n") else block + "\n")
        if fresh:
            parsed = load_fast("".join(fresh), path)
            keys = [key for key, block in blocks if block not in self._parsed]
            if list(parsed) != keys:  # `true:` or `1:` is not the text key it looks like
                raise _Unsafe
            for key, block in blocks:
                if key not in parsed:
                    continue
                value = parsed[key]
                if key in earlier:
                    if not isinstance(value, list):
                        raise _Unsafe
                    value = earlier[key] + value
                self._parsed[block] = value
                self._latest[key] = block
        return {key: self._parsed[block] for key, block in blocks}

    def _tail(self, key: str, block: str) -> str | None:
        """The new items of a list block that is an earlier block of the same key plus items."""
        before = self._latest.get(key)
        if before is None or not before.endswith("\n") or not block.startswith(before):
            return None
        indent = _first_item_indent(before)
        if not isinstance(self._parsed.get(before), list) or indent is None:
            return None
        tail = block[len(before) :]
        match = _ITEM.match(_first_content(tail, 0))
        if match is None or match.group(1) != indent:
            return None
        return tail
