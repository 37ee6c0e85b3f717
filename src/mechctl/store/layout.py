"""Where records live (docs/design.md §2). Ids are checked before they become paths."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from mechctl.errors import AmbiguousIdError, NotFoundError, UsageError
from mechctl.models.ids import ESCALATION_ID_RE, valid_mechanism_id

CONFIG_FILE = ".mechctl.yaml"
MECHANISMS = "mechanisms"
ESCALATIONS = "escalations"
SCHEMAS = "schemas"
SCHEMA_FILES = {
    "mechanism": f"{SCHEMAS}/mechanism.schema.json",
    "escalation": f"{SCHEMAS}/escalation.schema.json",
    "config": f"{SCHEMAS}/config.schema.json",
}
MIN_ABBREVIATION = 3


def check_mechanism_id(value: str) -> str:
    if not valid_mechanism_id(value):
        raise UsageError(
            f"invalid mechanism id {value!r}: use 2-63 lowercase letters, digits and '-',"
            " starting and ending with a letter or digit (e.g. 'weekly-business-review')"
        )
    return value


def mechanism_rel(mechanism_id: str) -> str:
    return f"{MECHANISMS}/{check_mechanism_id(mechanism_id)}.yaml"


def escalation_rel(escalation_id: str) -> str:
    match = ESCALATION_ID_RE.match(escalation_id)
    if not match:
        raise UsageError(f"invalid escalation id {escalation_id!r}")
    day = match.group(1)
    return f"{ESCALATIONS}/{day[:4]}/{day[4:6]}/{escalation_id}.yaml"


def schema_header(rel: str, kind: str) -> str:
    """The editor hint on the first line of each new file, relative to the file."""
    depth = rel.count("/")
    target = "../" * depth + SCHEMA_FILES[kind]
    return f"# yaml-language-server: $schema={target}"


def draw_escalation_id(day: date, taken: Callable[[str], bool]) -> str:
    """`esc-YYYYMMDD-xxxxxxxx`: 40 random bits in lowercase base32; drawn again on a clash."""
    while True:
        suffix = base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()
        candidate = f"esc-{day:%Y%m%d}-{suffix}"
        if not taken(candidate):
            return candidate


def mechanism_files(root: Path) -> list[Path]:
    folder = root / MECHANISMS
    if not folder.is_dir():
        return []
    return sorted(
        Path(entry.path)
        for entry in os.scandir(folder)
        if entry.name.endswith((".yaml", ".yml")) and entry.is_file(follow_symlinks=False)
    )


def escalation_rels(root: Path) -> list[str]:
    """Every escalation file as a path relative to root, sharded escalations/YYYY/MM/, in id
    (so date) order. Plain strings: this runs over tens of thousands of files."""
    top = os.path.join(root, ESCALATIONS)
    if not os.path.isdir(top):
        return []
    found: list[str] = []
    for year in sorted(e.name for e in os.scandir(top) if e.is_dir(follow_symlinks=False)):
        year_dir = os.path.join(top, year)
        for month in sorted(
            e.name for e in os.scandir(year_dir) if e.is_dir(follow_symlinks=False)
        ):
            names = sorted(
                e.name
                for e in os.scandir(os.path.join(year_dir, month))
                if e.name.endswith((".yaml", ".yml")) and e.is_file(follow_symlinks=False)
            )
            found.extend(f"{ESCALATIONS}/{year}/{month}/{name}" for name in names)
    return found


def escalation_files(root: Path) -> Iterator[Path]:
    for rel in escalation_rels(root):
        yield root / rel


def escalation_ids(root: Path) -> list[str]:
    stems = (rel.rsplit("/", 1)[1].rsplit(".", 1)[0] for rel in escalation_rels(root))
    return [stem for stem in stems if ESCALATION_ID_RE.match(stem)]


def resolve_escalation_id(root: Path, text: str) -> str:
    """A full id, or a unique abbreviation: a prefix of the id or of its random part."""
    wanted = text.strip().lower()
    if ESCALATION_ID_RE.match(wanted):
        if (root / escalation_rel(wanted)).is_file():
            return wanted
        raise NotFoundError(f"no escalation {wanted!r}")
    return pick_abbreviated(text, abbreviation(text), escalation_ids(root))


def abbreviation(text: str) -> str:
    """What an abbreviation stands for, lowercased; UsageError when it cannot be one."""
    wanted = text.strip().lower()
    if len(wanted) < MIN_ABBREVIATION or not all(c.isalnum() or c == "-" for c in wanted):
        raise UsageError(
            f"{text!r} is not an escalation id or an abbreviation of one "
            f"(give at least {MIN_ABBREVIATION} characters)"
        )
    return wanted


def abbreviates(wanted: str, escalation_id: str) -> bool:
    """Whether `wanted` starts the id or its random part (after `esc-YYYYMMDD-`)."""
    return escalation_id.startswith(wanted) or escalation_id[13:].startswith(wanted)


def pick_abbreviated(text: str, wanted: str, ids: list[str]) -> str:
    """The one id of `ids` (in path order) that `wanted` abbreviates; NotFoundError or
    AmbiguousIdError otherwise."""
    matches = [i for i in ids if abbreviates(wanted, i)]
    if not matches:
        raise NotFoundError(f"no escalation matches {text!r}")
    if len(matches) > 1:
        shown = ", ".join(matches[:10]) + (" …" if len(matches) > 10 else "")
        raise AmbiguousIdError(f"{text!r} is ambiguous; it matches {shown}")
    return matches[0]
