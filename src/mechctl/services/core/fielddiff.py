"""Field-level differences between two versions of a record, shared by `history` and `diff`.

Pure functions over plain data (what the fast loader returns): no I/O, no git. Lists are
matched with difflib, so inserting a step reports one added item rather than every later
item as changed.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from mechctl.models.mechanism import DEFINITION_FIELDS, LOG_FIELDS
from mechctl.store.locate import dotted

Kind = Literal["added", "removed", "changed"]
SHORT = 40  # values longer than this are summarised as "changed", never printed inline


@dataclass(frozen=True)
class Change:
    path: str  # dotted, as `mechanism set` takes it: tool.steps[2]
    kind: Kind
    old: Any = None
    new: Any = None

    def summary(self) -> str:
        if self.kind == "changed":
            if is_short(self.old) and is_short(self.new):
                return f"{self.path}: {show(self.old)} → {show(self.new)}"
            return f"{self.path} changed"
        value = self.new if self.kind == "added" else self.old
        if isinstance(value, dict) and brief(value):
            return f"{self.path} {self.kind} ({brief(value)})"
        if is_short(value) and not isinstance(value, dict | list):
            return f"{self.path} {self.kind}: {show(value)}"
        return f"{self.path} {self.kind}"

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "old": jsonable(self.old),
            "new": jsonable(self.new),
            "summary": self.summary(),
        }


def jsonable(value: Any) -> Any:
    """Plain data with dates as ISO text, for JSON output."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        # Records hold UTC; a naive timestamp from the loader is UTC too.
        utc = value.astimezone(UTC) if value.tzinfo else value
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def show(value: Any) -> str:
    """A value as a person reads it in a one-line summary."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return str(jsonable(value))
    if isinstance(value, dict | list):
        return json.dumps(jsonable(value), ensure_ascii=False)
    return str(value)


def is_short(value: Any) -> bool:
    if isinstance(value, dict | list):
        return not value
    text = show(value)
    return len(text) <= SHORT and "\n" not in text


def brief(item: dict[str, Any]) -> str:
    """A few words naming a log entry or list item: `v4: why`, `2026-11-28, on-track`."""
    if "version" in item and "why" in item:
        text = f"v{item['version']}: {show(item['why'])}"
    elif "date" in item and "outcome" in item:
        text = f"{show(item['date'])}, {show(item['outcome'])}"
    elif "action" in item and "by" in item:
        text = f"{show(item['action'])} by {show(item['by'])}"
    elif "name" in item:
        text = show(item["name"])
    elif "team" in item:
        text = show(item["team"])
    else:
        return ""
    return text if len(text) <= 60 else text[:59] + "…"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _key(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False)


def diff(old: Any, new: Any, path: Sequence[int | str] = ()) -> list[Change]:
    """Every difference from `old` to `new`, as changes at dotted paths, in document order."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in [*new, *(k for k in old if k not in new)]:
            where = (*path, key)
            if key not in old:
                changes.append(Change(dotted(where), "added", None, new[key]))
            elif key not in new:
                changes.append(Change(dotted(where), "removed", old[key], None))
            else:
                changes.extend(diff(old[key], new[key], where))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if _same(old, new):
        return []
    return [Change(dotted(path) or "(record)", "changed", old, new)]


def _diff_lists(old: list[Any], new: list[Any], path: Sequence[int | str]) -> list[Change]:
    if old == new:
        return []
    # Logs grow at the end: skip the common ends cheaply, match only what lies between.
    head = 0
    while head < min(len(old), len(new)) and _same(old[head], new[head]):
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and _same(old[-1 - tail], new[-1 - tail]):
        tail += 1
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    matcher = difflib.SequenceMatcher(
        None, [_key(v) for v in middle_old], [_key(v) for v in middle_new], autojunk=False
    )
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            changes.extend(diff(old[i1 + offset], new[j1 + offset], (*path, j1 + offset)))
        for i in range(i1 + paired, i2):
            changes.append(Change(dotted((*path, i)), "removed", old[i], None))
        for j in range(j1 + paired, j2):
            changes.append(Change(dotted((*path, j)), "added", None, new[j]))
    return changes


# -- what a change means for each kind of record ------------------------------------------

LOGS = {"mechanism": LOG_FIELDS, "escalation": ("timeline",)}
STATE = {"mechanism": ("status", "retired"), "escalation": ("status", "level", "resolution")}


@dataclass
class RecordDelta:
    """A record's change, sorted the way a reviewer reads it."""

    kind: str  # mechanism | escalation
    version: tuple[Any, Any] | None = None  # (old, new) when the version changed
    definition: list[Change] = field(default_factory=list)  # escalations: descriptive fields
    state: list[Change] = field(default_factory=list)
    appended: dict[str, list[Any]] = field(default_factory=dict)  # log -> new entries
    log_edits: list[Change] = field(default_factory=list)  # existing log entries rewritten

    def empty(self) -> bool:
        return not (
            self.version or self.definition or self.state or self.appended or self.log_edits
        )

    def why(self) -> list[str]:
        """The reasons of the iterations this change added."""
        return [
            str(it.get("why", ""))
            for it in self.appended.get("iterations", [])
            if isinstance(it, dict)
        ]


def record_delta(kind: str, old: dict[str, Any], new: dict[str, Any]) -> RecordDelta:
    """Definition apart from state, and log appends apart from rewrites of the log."""
    delta = RecordDelta(kind)
    logs, state = LOGS.get(kind, ()), STATE.get(kind, ())
    for key in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(key), new.get(key)
        if key == "version" and kind == "mechanism":
            if not _same(before, after):
                delta.version = (before, after)
        elif key in logs and isinstance(before or [], list) and isinstance(after or [], list):
            before, after = before or [], after or []
            if after[: len(before)] == before:
                if after[len(before) :]:
                    delta.appended[key] = after[len(before) :]
            else:
                delta.log_edits.extend(diff(before, after, (key,)))
        else:
            found = diff({key: before} if key in old else {}, {key: after} if key in new else {})
            definitional = kind != "mechanism" or key in DEFINITION_FIELDS
            if key in state:
                delta.state.extend(found)
            elif definitional:
                delta.definition.extend(found)
            else:
                delta.state.extend(found)  # id and unknown keys: shown with the state
    return delta
