"""Map pydantic error `loc` paths back to the line and column of the YAML that caused them."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from mechctl.errors import Location, Problem

Loc = tuple[int | str, ...]


def dotted(path: Iterable[int | str]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _walk(doc: Any, loc: Loc, error_type: str) -> tuple[Loc, tuple[int, int]]:
    """Follow `loc` through the round-trip document.

    Returns the part of `loc` that exists in the data (pydantic adds union branch names such as
    'float' or 'str' that are not keys) and the 0-based (line, column) to report.
    """
    node = doc
    kept: list[int | str] = []
    pos = (getattr(getattr(doc, "lc", None), "line", 0) or 0, 0)
    parent_pos = pos
    last = len(loc) - 1
    for index, part in enumerate(loc):
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            kept.append(part)
            parent_pos = pos
            key_pos = lc.key(part) if lc is not None else pos
            if index == last and error_type == "extra_forbidden":
                pos = key_pos
            else:
                value = node[part]
                if isinstance(value, dict | list) and value:
                    # A block collection: point at its key, which is where people look.
                    pos = key_pos
                else:
                    pos = lc.value(part) if lc is not None else key_pos
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            kept.append(part)
            parent_pos = pos
            pos = lc.item(part) if lc is not None else pos
            node = node[part]
        elif index == last and error_type == "missing" and isinstance(part, str):
            kept.append(part)
            # A missing field points at its parent mapping.
            return tuple(kept), pos
        else:
            continue
    del parent_pos
    return tuple(kept), pos


def _unwrap(annotation: Any) -> Any:
    """The model class inside Optional[...], list[...], Annotated[...]."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if _is_model(a) or typing.get_origin(a) in (list, dict)]
            annotation = models[0] if models else args[0]
        elif origin in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        else:
            return annotation


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def fields_at(model: type[BaseModel], path: Loc) -> list[str]:
    """The field names a mapping at `path` may hold, for 'did you mean' suggestions."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not _is_model(current) or part not in current.model_fields:
            return []
        current = _unwrap(current.model_fields[part].annotation)
        if not _is_model(current) and typing.get_origin(current) is None:
            current = _unwrap(current)
    return list(current.model_fields) if _is_model(current) else []


def suggest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _message(error: Any, kept: Loc, model: type[BaseModel]) -> str:
    kind = error["type"]
    where = dotted(kept)
    if kind == "extra_forbidden":
        key = str(kept[-1]) if kept else "?"
        hint = suggest(key, fields_at(model, kept[:-1]))
        return f"unknown key '{where}'" + (f" (did you mean '{hint}'?)" if hint else "")
    if kind == "missing":
        return f"missing required field '{where}'"
    if kind == "enum":
        allowed = error.get("ctx", {}).get("expected", "").replace("'", "")
        allowed = allowed.replace(" or ", ", ")
        return f"{where}: invalid value {error.get('input')!r}; allowed: {allowed}"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return f"{where}: {message}" if where else message


def problems_from(
    exc: ValidationError, doc: Any, path: str, model: type[BaseModel]
) -> list[Problem]:
    """One problem per distinct place, in file order."""
    problems: dict[tuple[int, int, str], Problem] = {}
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        if error["type"] == "incomplete_mechanism":
            for missing in error.get("ctx", {}).get("paths", []):
                kept, (line, col) = _walk(doc, tuple(missing.split(".")), "missing")
                text = f"active mechanism is incomplete: '{missing}' is missing or empty"
                problems.setdefault(
                    (line, col, missing),
                    Problem(Location(path, line + 1, col + 1), text, "incomplete-mechanism"),
                )
            continue
        kept, (line, col) = _walk(doc, loc, error["type"])
        key = (line, col, dotted(kept))
        if key not in problems:
            problems[key] = Problem(
                Location(path, line + 1, col + 1), _message(error, kept, model), "schema"
            )
    return sorted(problems.values(), key=lambda p: (p.location.line, p.location.column))


def position_of(doc: Any, path: Loc) -> tuple[int, int]:
    """1-based (line, column) of the value at `path`, or of its nearest existing parent."""
    _, (line, column) = _walk(doc, path, "value")
    return line + 1, column + 1
