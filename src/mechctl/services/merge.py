"""`mechctl merge-driver BASE OURS THEIRS`: merge two versions of a record field by field.

git calls it (via `.gitattributes` and `merge.mechctl.driver`) when both sides changed a
record. Logs (`timeline`, `inspections`, `iterations`) take the entries both sides appended,
in time order; independent field edits combine; a field changed two different ways is a true
conflict, left in the file between clear markers for a person to settle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mechctl.store import yamlio

# The append-only logs, and the key that orders their entries.
LOGS = {"timeline": "at", "inspections": "date", "iterations": "date"}
_MISSING = object()


@dataclass
class Conflict:
    path: tuple[str, ...]
    ours: Any
    theirs: Any


@dataclass
class MergeResult:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)


def _plain(value: Any) -> Any:
    return yamlio.to_plain(value) if value is not _MISSING else _MISSING


def _merge_log(base: list[Any], ours: list[Any], theirs: list[Any], order: str) -> list[Any] | None:
    """Entries appended on either side, in order; None if either side rewrote history."""
    base_plain = [_plain(e) for e in base]
    ours_plain = [_plain(e) for e in ours]
    theirs_plain = [_plain(e) for e in theirs]
    if ours_plain[: len(base_plain)] != base_plain or theirs_plain[: len(base_plain)] != base_plain:
        return None
    merged = list(ours)
    seen = list(ours_plain)
    for entry, plain in zip(theirs[len(base) :], theirs_plain[len(base) :], strict=True):
        if plain not in seen:
            merged.append(entry)
            seen.append(plain)
    head, tail = merged[: len(base)], merged[len(base) :]

    def when(entry: Any) -> tuple[str, Any]:
        value = _plain(entry).get(order) if isinstance(entry, dict) else None
        return (type(value).__name__, value if value is not None else "")

    tail.sort(key=when)  # stable: entries at the same moment keep ours-then-theirs order
    return head + tail


def _renumber_iterations(doc: Any, base_version: int) -> None:
    """Two sides that each changed the definition each appended version base+1: number the
    new iterations base+1, base+2, … and set `version` to the last, so both reasons stay."""
    iterations = doc.get("iterations")
    if not isinstance(iterations, list):
        return
    number = base_version
    for entry in iterations:
        if isinstance(entry, dict) and isinstance(entry.get("version"), int) and entry["version"] > base_version:
            number += 1
            entry["version"] = number
    if number > base_version:
        doc["version"] = number


def _merge_map(base: Any, ours: Any, theirs: Any, path: tuple[str, ...],
               conflicts: list[Conflict]) -> Any:
    """Merge `theirs` into `ours` (a round-trip mapping, edited in place)."""
    keys = list(ours.keys()) + [k for k in theirs.keys() if k not in ours]
    for key in keys:
        b = base.get(key, _MISSING) if isinstance(base, dict) else _MISSING
        o = ours.get(key, _MISSING)
        t = theirs.get(key, _MISSING)
        pb, po, pt = _plain(b), _plain(o), _plain(t)
        if po == pt or pt == pb:
            continue  # same on both sides, or only we changed it
        if po == pb:  # only they changed it
            if t is _MISSING:
                del ours[key]
            else:
                ours[key] = t
            continue
        where = (*path, str(key))
        if key == "version" and not path:
            continue  # settled from the merged iterations below
        if key in LOGS and not path and isinstance(o, list) and isinstance(t, list):
            merged = _merge_log(b if isinstance(b, list) else [], o, t, LOGS[key])
            if merged is not None:
                ours[key] = yamlio.to_yaml([_plain(e) for e in merged])
                continue
        if isinstance(o, dict) and isinstance(t, dict):
            _merge_map(b if isinstance(b, dict) else {}, o, t, where, conflicts)
            continue
        conflicts.append(Conflict(where, po, pt))
    return ours


def merge_texts(base: str, ours: str, theirs: str, name: str = "record") -> MergeResult:
    """Merge three texts of one record. Raises yamlio.YamlProblem if one does not parse."""
    base_doc = yamlio.load_roundtrip(base, f"{name} (base)") if base.strip() else {}
    ours_doc = yamlio.load_roundtrip(ours, f"{name} (ours)")
    theirs_doc = yamlio.load_roundtrip(theirs, f"{name} (theirs)")
    conflicts: list[Conflict] = []
    _merge_map(base_doc, ours_doc, theirs_doc, (), conflicts)
    base_version = _plain(base_doc.get("version", _MISSING)) if base_doc else _MISSING
    if isinstance(base_version, int) and "iterations" in ours_doc:
        _renumber_iterations(ours_doc, base_version)
    elif "version" in theirs_doc and _plain(ours_doc.get("version")) != _plain(theirs_doc["version"]):
        ours_doc["version"] = max(_plain(ours_doc.get("version", 1)), _plain(theirs_doc["version"]))
    text = yamlio.dump(ours_doc)
    if conflicts:
        text = _mark(text, conflicts)
    return MergeResult(text, conflicts)


def _mark(text: str, conflicts: list[Conflict]) -> str:
    """Put each conflicting field's two versions between git-style markers, at its place."""
    lines = text.splitlines(keepends=True)
    for conflict in conflicts:
        key = conflict.path[-1]
        indent = "  " * (len(conflict.path) - 1)
        start = next(
            (i for i, line in enumerate(lines) if line.startswith(f"{indent}{key}:")), None
        )
        if start is None:
            continue
        end = start + 1
        while end < len(lines) and (
            lines[end].startswith(indent + " ") or lines[end].startswith(indent + "-")
        ) and not lines[end].startswith(indent + key):
            end += 1

        def block(value: Any) -> str:
            if value is _MISSING:
                return f"{indent}# ({key} removed)\n"
            dumped = yamlio.dump(yamlio.to_yaml({key: value}))
            return "".join(indent + line for line in dumped.splitlines(keepends=True))

        marked = (
            f"<<<<<<< ours ({'.'.join(conflict.path)} changed on both sides)\n"
            + block(conflict.ours)
            + "=======\n"
            + block(conflict.theirs)
            + ">>>>>>> theirs\n"
        )
        lines[start:end] = [marked]
    return "".join(lines)


def run_driver(base: Path, ours: Path, theirs: Path, name: str) -> list[Conflict]:
    """What git's merge driver protocol asks: write the result over OURS; conflicts listed."""
    from mechctl.store.files import atomic_write

    result = merge_texts(
        base.read_text(encoding="utf-8") if base.exists() else "",
        ours.read_text(encoding="utf-8"),
        theirs.read_text(encoding="utf-8"),
        name,
    )
    atomic_write(ours, result.text)
    return result.conflicts
