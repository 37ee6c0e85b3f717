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


def _identity(entry: Any, key: str) -> Any:
    """What makes two log entries the same entry. An iteration's number is not part of it:
    a merge or a rebase may renumber it, and it is still the same change with the same why."""
    plain = _plain(entry)
    if key == "iterations" and isinstance(plain, dict):
        return {k: v for k, v in plain.items() if k != "version"}
    return plain


def _added_only(base: list[Any], side: list[Any], key: str) -> list[Any] | None:
    """The items `side` added to `base`, if adding is all it did (order kept); else None."""
    wanted = [_identity(e, key) for e in base]
    added: list[Any] = []
    position = 0
    for item in side:
        if position < len(wanted) and _identity(item, key) == wanted[position]:
            position += 1
        else:
            added.append(item)
    return added if position == len(wanted) else None


def _merge_list(base: list[Any], ours: list[Any], theirs: list[Any], key: str) -> list[Any] | None:
    """Both sides' additions to a list, without doubles; None if either side also removed or
    rewrote items while the other changed the list too (a true conflict)."""
    theirs_added = _added_only(base, theirs, key)
    if theirs_added is not None:
        kept, extra = list(ours), theirs_added
    else:
        ours_added = _added_only(base, ours, key)
        if ours_added is None:
            return None
        kept, extra = list(theirs), ours_added
    present = [_identity(item, key) for item in kept]
    for item in extra:
        if _identity(item, key) not in present:
            kept.append(item)
            present.append(_identity(item, key))
    return kept


def _merge_log(base: list[Any], ours: list[Any], theirs: list[Any], key: str) -> list[Any] | None:
    """A log takes what either side appended; the new entries go in time order."""
    merged = _merge_list(base, ours, theirs, key)
    if merged is None:
        return None
    order = LOGS[key]
    common = 0
    while common < min(len(merged), len(base)) and _identity(merged[common], key) == _identity(
        base[common], key
    ):
        common += 1
    head, tail = merged[:common], merged[common:]

    def when(entry: Any) -> tuple[str, Any]:
        value = _plain(entry).get(order) if isinstance(entry, dict) else None
        return (type(value).__name__, value if value is not None else "")

    tail.sort(key=when)  # stable: entries at the same moment keep their order
    return head + tail


def _renumber_iterations(doc: Any) -> None:
    """Number iterations 1, 2, 3… in order, and set `version` to the last: two changes made
    on two clones (each "version N+1") become N+1 and N+2, and both reasons stay."""
    iterations = doc.get("iterations")
    if not isinstance(iterations, list) or not iterations:
        return
    first = iterations[0].get("version") if isinstance(iterations[0], dict) else None
    number = (first if isinstance(first, int) else 1) - 1
    for entry in iterations:
        if isinstance(entry, dict):
            number += 1
            if entry.get("version") != number:
                entry["version"] = number
    if number >= 1:
        doc["version"] = number


def _merge_map(
    base: Any, ours: Any, theirs: Any, path: tuple[str, ...], conflicts: list[Conflict]
) -> Any:
    """Merge `theirs` into `ours` (a round-trip mapping, edited in place)."""
    keys = list(ours) + [k for k in theirs if k not in ours]
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
            merged = _merge_log(b if isinstance(b, list) else [], o, t, str(key))
            if merged is not None:
                ours[key] = yamlio.to_yaml([_plain(e) for e in merged])
                continue
        if isinstance(o, dict) and isinstance(t, dict):
            _merge_map(b if isinstance(b, dict) else {}, o, t, where, conflicts)
            continue
        if isinstance(o, list) and isinstance(t, list):
            # One side only added items (a new tool input), the other changed the list too:
            # keep both changes.
            merged = _merge_list(b if isinstance(b, list) else [], o, t, str(key))
            if merged is not None:
                ours[key] = yamlio.to_yaml([_plain(e) for e in merged])
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
    if "iterations" in ours_doc:
        _renumber_iterations(ours_doc)
    elif "version" in theirs_doc and _plain(ours_doc.get("version")) != _plain(
        theirs_doc["version"]
    ):
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
        while (
            end < len(lines)
            and (lines[end].startswith(indent + " ") or lines[end].startswith(indent + "-"))
            and not lines[end].startswith(indent + key)
        ):
            end += 1

        def block(value: Any, key: str = key, indent: str = indent) -> str:
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
