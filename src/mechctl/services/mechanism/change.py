"""Changing a mechanism's definition: `set`, `edit`. Every change bumps `version` and appends
an `iterations` entry with the reason, and the escalations that led to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mechctl.errors import InvalidRecordError, Location, MechctlError, Problem, UsageError
from mechctl.models import Mechanism
from mechctl.models.mechanism import DEFINITION_FIELDS
from mechctl.services.core.context import Workspace
from mechctl.services.core.txn import Transaction, transaction
from mechctl.services.escalation import read as escalation_read
from mechctl.services.mechanism import read as mechanisms
from mechctl.store import layout, yamlio
from mechctl.store.locate import dotted, fields_at, position_of, suggest
from mechctl.store.records import check_text, id_problem, validate_doc
from mechctl.store.yamlio import Document

# Fields `set` and `edit` leave to their own commands, with the command to use instead.
MANAGED = {
    "id": "a mechanism's id is its file name and does not change",
    "version": "`version` is bumped by mechctl on every definition change",
    "iterations": "`iterations` is appended by mechctl on every definition change",
    "inspections": "record inspections with `mechctl inspect`",
    "status": "use `mechctl mechanism activate` or `mechctl mechanism retire`",
    "retired": "use `mechctl mechanism retire`",
}


@dataclass
class ChangeResult:
    mechanism: Mechanism
    changed: bool


def _escalation_ids(ws: Workspace, given: list[str]) -> list[str]:
    return [escalation_read.resolve_id(ws, text) for text in given]


def _bump(ws: Workspace, doc: Document, old: Mechanism, why: str, escalations: list[str]) -> None:
    version = old.version + 1
    doc["version"] = version
    entry: dict[str, Any] = {"version": version, "date": ws.now().date(), "why": why}
    if escalations:
        entry["escalations"] = escalations
    if isinstance(doc.get("iterations"), list):
        doc["iterations"].append(yamlio.to_yaml(entry))
    else:
        doc["iterations"] = yamlio.to_yaml([entry])


def _commit_definition(
    ws: Workspace,
    txn: Transaction,
    current: mechanisms.MechanismFile,
    doc: Document,
    why: str,
    escalations: list[str],
    how: str,
) -> ChangeResult:
    old = current.mechanism
    candidate = validate_doc(doc, current.rel, Mechanism)
    if candidate.definition() == old.definition():
        return ChangeResult(old, changed=False)
    _bump(ws, doc, old, why, escalations)
    mechanism = validate_doc(doc, current.rel, Mechanism)
    body = why + ("\n\nEscalations: " + ", ".join(escalations) if escalations else "")
    txn.write(current.rel, yamlio.dump(doc), before=current.text)
    txn.commit(
        f"mechanism {how}: {mechanism.id} v{mechanism.version}",
        f"mechanism.{how}",
        mechanism.id,
        body=body,
    )
    return ChangeResult(mechanism, changed=True)


# -- set ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d*)\]")
APPEND = object()


def parse_path(text: str) -> list[Any]:
    """`tool.steps[2]`, `adoption.stakeholders[].team`, `levers` -> path parts."""
    parts: list[Any] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or (position == 0 and text.startswith(".")):
            raise UsageError(f"cannot read the field path {text!r} (expected e.g. tool.steps[0])")
        if match.group(1) is not None:
            parts.append(match.group(1))
        else:
            index = match.group(2)
            parts.append(APPEND if index == "" else int(index))
        position = match.end()
    if not parts or not isinstance(parts[0], str):
        raise UsageError(f"cannot read the field path {text!r} (expected e.g. tool.steps[0])")
    return parts


def parse_assignment(text: str) -> tuple[list[Any], Any, str]:
    if "=" not in text:
        raise UsageError(f"expected FIELD.PATH=VALUE, got {text!r}")
    path_text, raw = text.split("=", 1)
    path = parse_path(path_text.strip())
    if path[0] in MANAGED:
        raise UsageError(f"cannot set {path_text.strip()!r}: {MANAGED[path[0]]}")
    if path[0] not in DEFINITION_FIELDS:
        known = fields_at(Mechanism, ())
        hint = suggest(str(path[0]), [f for f in known if f not in MANAGED])
        raise UsageError(
            f"unknown field {path_text.strip()!r}" + (f" (did you mean {hint!r}?)" if hint else "")
        )
    checked: list[Any] = []
    for part in path:
        if isinstance(part, str):
            allowed = fields_at(
                Mechanism, tuple(p for p in checked if isinstance(p, str | int) and p is not APPEND)
            )
            if allowed and part not in allowed:
                hint = suggest(part, allowed)
                where = dotted([*[p for p in checked if p is not APPEND], part])
                raise UsageError(
                    f"unknown field {where!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                )
        checked.append(part if part is not APPEND else 0)
    try:
        value = yamlio.load_value(raw) if raw.strip() else None
    except Exception as exc:  # ruamel raises several error types for one bad value
        reason = str(exc).splitlines()[0]
        raise UsageError(f"invalid YAML value for {path_text.strip()!r}: {reason}") from None
    return path, value, path_text.strip()


def _put(node: Any, key: str, value: Any, prefix: list[Any]) -> None:
    """Set `key`; a new key goes where the model declares it, so files keep one order."""
    if key in node:
        node[key] = value
        return
    order = fields_at(Mechanism, tuple(0 if p is APPEND else p for p in prefix))
    rank = {name: i for i, name in enumerate(order)}
    position = len(node)
    if key in rank:
        for index, existing in enumerate(node):
            if rank.get(existing, -1) > rank[key]:
                position = index
                break
    node.insert(position, key, value)


def _assign(doc: Document, path: list[Any], value: Any, shown: str) -> None:
    node: Any = doc
    for depth, part in enumerate(path[:-1]):
        nxt = path[depth + 1]
        if isinstance(node, dict):
            if part not in node or node[part] is None:
                _put(
                    node, part, yamlio.to_yaml([] if not isinstance(nxt, str) else {}), path[:depth]
                )
            node = node[part]
        elif isinstance(node, list):
            if part is APPEND:
                node.append(yamlio.to_yaml({} if isinstance(nxt, str) else []))
                node = node[-1]
            elif -len(node) <= part < len(node):
                node = node[part]
            else:
                raise UsageError(
                    f"{shown}: index {part} is out of range (the list has {len(node)} items)"
                )
        else:
            where = dotted(p for p in path[: depth + 1] if p is not APPEND)
            raise UsageError(f"{shown}: {where} is not a mapping or list")
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        if value is None:
            node.pop(last, None)
        else:
            _put(node, last, yamlio.to_yaml(value), path[:-1])
    elif isinstance(node, list) and last is APPEND:
        if value is None:
            raise UsageError(f"{shown}: nothing to append")
        node.append(yamlio.to_yaml(value))
    elif isinstance(node, list) and isinstance(last, int):
        if not -len(node) <= last < len(node):
            raise UsageError(
                f"{shown}: index {last} is out of range (the list has {len(node)} items)"
            )
        if value is None:
            del node[last]
        else:
            node[last] = yamlio.to_yaml(value)
    else:
        raise UsageError(f"{shown}: cannot assign here (is the path right?)")


def set_fields(
    ws: Workspace, mechanism_id: str, assignments: list[str], why: str, escalations: list[str]
) -> ChangeResult:
    if not why.strip():
        raise UsageError("--why must say why the mechanism changes")
    parsed = [parse_assignment(text) for text in assignments]
    if not parsed:
        raise UsageError("give at least one FIELD.PATH=VALUE")
    esc_ids = _escalation_ids(ws, escalations)
    with transaction(ws) as txn:
        current = mechanisms.load(ws, mechanism_id)
        doc = yamlio.load_roundtrip(current.text, current.rel)
        for path, value, shown in parsed:
            _assign(doc, path, value, shown)
        try:
            return _commit_definition(ws, txn, current, doc, why, esc_ids, "set")
        except InvalidRecordError as exc:
            # Name the field as the user typed it, not a line in a file they did not edit.
            raise MechctlError(f"invalid value: {exc.problems[0].message}") from None


# -- edit --------------------------------------------------------------------------------


def edit_text(ws: Workspace, mechanism_id: str) -> str:
    return mechanisms.load(ws, mechanism_id).text


def apply_edit(
    ws: Workspace,
    mechanism_id: str,
    new_text: str,
    why: str,
    escalations: list[str],
) -> ChangeResult:
    """Apply a whole new text. Raises InvalidRecordError (with places) if it is not valid."""
    if not why.strip():
        raise UsageError("--why must say why the mechanism changes")
    esc_ids = _escalation_ids(ws, escalations)
    rel = layout.mechanism_rel(mechanism_id)
    with transaction(ws) as txn:
        current = mechanisms.load(ws, mechanism_id)
        checked = check_text(new_text, rel, Mechanism)
        if checked.model is None:
            raise InvalidRecordError(checked.problems)
        mismatch = id_problem(checked, mechanism_id)
        if mismatch is not None:
            raise InvalidRecordError([mismatch])
        new = checked.model
        for field, reason in MANAGED.items():
            if field in ("id", "retired", "status"):
                before, after = getattr(current.mechanism, field), getattr(new, field)
            else:
                before, after = (
                    current.mechanism.model_dump(mode="json")[field],
                    new.model_dump(mode="json")[field],
                )
            if before != after:
                raise InvalidRecordError(
                    [
                        _problem_at(
                            new_text, rel, field, f"'{field}' cannot be changed here: {reason}"
                        )
                    ]
                )
        doc = yamlio.load_roundtrip(new_text, rel)
        return _commit_definition(ws, txn, current, doc, why, esc_ids, "edit")


def _problem_at(text: str, rel: str, field: str, message: str) -> Problem:
    line, column = position_of(yamlio.load_roundtrip(text, rel), (field,))
    return Problem(Location(rel, line, column), message, "schema")
