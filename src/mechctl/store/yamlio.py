"""Reading and writing YAML. The only place (with its siblings in store/) that imports ruamel.

Two loaders, as docs/design.md §6 asks: the C-backed safe loader for speed, and the round-trip
loader when a file is edited (comments, key order and quoting survive) or when an error
needs a line and column.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import LiteralScalarString

from mechctl.errors import InvalidRecordError, Location, Problem
from mechctl.store import fastyaml, plainyaml
from mechctl.store.files import atomic_write as atomic_write  # re-exported

# Records are small; a file this large is a mistake or an attack, and is refused unread.
MAX_RECORD_BYTES = 2 * 1024 * 1024

_CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.MULTILINE)


class YamlProblem(InvalidRecordError):
    """A file that is not readable YAML, with the place and the reason.

    An InvalidRecordError, so wherever it surfaces it is one `error:` line with its place.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__([problem])
        self.problem = problem


def _problem(
    path: str, line: int, column: int, message: str, rule: str = "yaml-syntax"
) -> YamlProblem:
    return YamlProblem(Problem(Location(path, line, column), message, rule))


_SAFE: YAML | None = None


class _Yaml12Resolver(VersionedResolver):
    """Records are YAML 1.2. ruamel's resolver asks which version applies for every scalar,
    through attribute lookups that fail under the C parser; fixing the answer makes the fast
    loader about 1.6x faster on record files (measured: 1033 -> 626 us per file)."""

    @property
    def processing_version(self) -> Any:
        return (1, 2)


def _safe() -> YAML:
    global _SAFE
    if _SAFE is None:
        _SAFE = YAML(typ="safe", pure=False)
        _SAFE.Resolver = _Yaml12Resolver
    return _SAFE


def _represent_datetime(representer: Any, value: datetime) -> Any:
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", text)


def _round_trip() -> YAML:
    """Fixed dump settings, so an edit changes only the lines that really changed."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.representer.add_representer(datetime, _represent_datetime)
    # The same value written twice (a timestamp in two places) must not become an anchor and
    # an alias: records never use them, and the loader refuses them.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a record, or a problem naming the first byte that is not."""
    if len(data) > MAX_RECORD_BYTES:
        raise _problem(
            path,
            1,
            1,
            f"file is too large ({len(data) / 1e6:.1f} MB); a record may be at most "
            f"{MAX_RECORD_BYTES // (1024 * 1024)} MB",
            "yaml-syntax",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _problem(
            path, line, column, f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})"
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def precheck(text: str, path: str) -> None:
    """Problems that YAML would report confusingly, if at all."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _problem(path, 1, 1, "file is empty; a record is a YAML mapping")
    marker = _CONFLICT_RE.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise _problem(
            path,
            line,
            1,
            "unresolved merge-conflict marker; resolve the conflict (or run `git mergetool`)",
        )


def _from_yaml_error(exc: YAMLError, path: str, text: str = "") -> YamlProblem:
    position = getattr(exc, "position", None)
    if isinstance(exc, ReaderError) and isinstance(position, int) and text:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        char = getattr(exc, "character", None)
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        return _problem(path, line, column, f"YAML syntax error: character {what} is not allowed")
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = exc.problem or "invalid YAML"
        name = type(exc).__name__
        if name == "DuplicateKeyError":
            key = re.search(r'duplicate key "(.*?)"', problem)
            first = exc.context_mark.line + 1 if exc.context_mark else None
            problem = f"duplicate key '{key.group(1) if key else '?'}'" + (
                f" (the mapping starts at line {first})" if first else ""
            )
        elif exc.context and "single document" in exc.context:
            problem = "more than one YAML document; a record file holds exactly one"
        elif exc.context:
            problem = f"{problem} ({exc.context})"
        return _problem(path, mark.line + 1, mark.column + 1, f"YAML syntax error: {problem}")
    return _problem(path, 1, 1, f"YAML syntax error: {exc}")


def _check_shape(data: Any, path: str) -> None:
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise _problem(path, 1, 1, f"a record must be a YAML mapping, not {kind}", "schema")
    # Aliases make shared nodes; a "billion laughs" file is a tower of them. Records never
    # need anchors, so the first container met twice ends the walk: linear time, no blow-up.
    seen: set[int] = set()
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise _problem(
                path, 1, 1, "YAML anchors and aliases are not allowed in records", "yaml-syntax"
            )
        seen.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        stack.extend(child for child in children if isinstance(child, dict | list))


def _bad_scalar(text: str, path: str, exc: Exception) -> YamlProblem:
    """A scalar that parses but cannot be built (`2026-13-45` as a date): find which one."""
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    constructor = SafeConstructor()
    try:
        stack = [_safe().compose(text)]
    except Exception:
        stack = []
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode) and str(node.tag).endswith(":timestamp"):
            try:
                constructor.construct_yaml_timestamp(node)
            except (ValueError, TypeError, OverflowError) as err:
                mark = node.start_mark
                return _problem(
                    path,
                    mark.line + 1,
                    mark.column + 1,
                    f"invalid date or time {node.value!r}: {err}",
                )
        elif isinstance(node, MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
    return _problem(path, 1, 1, f"invalid value: {exc}")


def _parse(yaml: YAML, text: str, path: str) -> Any:
    """Load with `yaml`; every way YAML can fail becomes a YamlProblem with its place."""
    try:
        return yaml.load(text)
    except YAMLError as exc:
        raise _from_yaml_error(exc, path, text) from None
    except RecursionError:
        raise _problem(path, 1, 1, "YAML nesting is too deep") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise _bad_scalar(text, path, exc) from None


def load_fast(text: str, path: str) -> dict[str, Any]:
    """Parse with the C loader. Raises YamlProblem with a 1-based place.

    Plain block text is read line by line first (store/plainyaml.py): what it returns is
    what the lines below would, and it passes precheck and _check_shape by construction
    (a blank text, a conflict marker or a shared node never reads as plain)."""
    plain = plainyaml.load(text)
    if plain is not None:
        return plain
    precheck(text, path)
    data = fastyaml.load(text)
    if data is None:  # not a plain record (or not valid YAML): ruamel decides
        data = _parse(_safe(), text, path)
    _check_shape(data, path)
    return data  # type: ignore[no-any-return]


def load_roundtrip(text: str, path: str) -> CommentedMap:
    """Parse keeping comments, order, quoting and positions."""
    precheck(text, path)
    data = _parse(_round_trip(), text, path)
    _check_shape(data, path)
    return data  # type: ignore[no-any-return]


def load_value(text: str) -> Any:
    """One YAML value typed on a command line (`steps=[a, b]`, `version=3`)."""
    return _safe().load(text)


def dump(doc: Any, header: str | None = None) -> str:
    stream = io.StringIO()
    if header:
        stream.write(header.rstrip("\n") + "\n")
    _round_trip().dump(doc, stream)
    return stream.getvalue()


def to_yaml(value: Any) -> Any:
    """Plain Python data (from model_dump) as ruamel nodes that dump cleanly."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[str(key.value if isinstance(key, Enum) else key)] = to_yaml(item)
        return node
    if isinstance(value, list | tuple):
        return CommentedSeq(to_yaml(item) for item in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return LiteralScalarString(value) if "\n" in value.strip("\n") else str(value)
    if isinstance(value, timedelta):
        from mechctl.models.common import format_duration

        return format_duration(value)
    if isinstance(value, datetime | date | int | float | bool) or value is None:
        return value
    raise TypeError(f"cannot write {type(value).__name__} to YAML")


def to_plain(value: Any) -> Any:
    """ruamel nodes as plain dict/list/scalars, for validation and comparison."""
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime):
        return datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            tzinfo=value.tzinfo,
        )
    return value


# The type services hold while they edit a record; they never touch ruamel directly.
Document = CommentedMap
