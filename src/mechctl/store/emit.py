"""Write a new, flat record as YAML text without loading ruamel.

`escalate` is the one command that must be fast, and its record is simple: scalars, lists of
strings and a list of flat mappings. The text matches the round-trip dumper's layout (mapping
indent 2, sequences indented 4 with the dash at 2), so later edits do not reformat it. Any
string that YAML could read as something else is written as a JSON string, which YAML reads
back exactly (YAML is a superset of JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_(][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*$")
_RESERVED = {
    "null",
    "nul",
    "~",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    ".inf",
    ".nan",
}


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if (
        _PLAIN.match(text)
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and text.lower() not in _RESERVED
    ):
        return text
    return _NOT_PRINTABLE.sub(_escape, json.dumps(text, ensure_ascii=False))


# Characters JSON leaves raw that YAML refuses in a stream, or reads as line breaks.
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def _mapping_lines(data: Mapping[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            raise TypeError("nested mappings are not emitted here")
        if isinstance(value, Sequence) and not isinstance(value, str):
            if not value:
                lines.append(f"{indent}{key}: []")
                continue
            lines.append(f"{indent}{key}:")
            for item in value:
                if isinstance(item, Mapping):
                    inner = _mapping_lines(item, indent + "    ")
                    inner[0] = f"{indent}  - " + inner[0].lstrip()
                    lines.extend(inner)
                else:
                    lines.append(f"{indent}  - {scalar(item)}")
            continue
        lines.append(f"{indent}{key}: {scalar(value)}")
    return lines


def emit(data: Mapping[str, Any], header: str | None = None) -> str:
    lines = [header] if header else []
    lines += _mapping_lines(data, "")
    return "\n".join(lines) + "\n"
