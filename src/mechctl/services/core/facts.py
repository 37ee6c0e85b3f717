"""Small facts from validated files, cached by git blob id, for the fast path of `escalate`.

A fact is stored only after the very same bytes were read and checked by the same code: the
files live in `.git/mechctl/facts/KEY/`, KEY being `derived.key()` (docs/design.md §7), so a
cache hit needs neither YAML nor pydantic, and a new mechctl (or, in a source checkout, a
changed module) starts a new folder and removes the old ones. Deleting `.git/mechctl/facts/`
changes nothing but speed.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mechctl import derived
from mechctl.models.defaults import DEFAULT_LEVEL, DEFAULT_LEVELS
from mechctl.models.ids import valid_team
from mechctl.services.core.context import Workspace
from mechctl.store import layout
from mechctl.store.files import atomic_write, blob_id


def _path(ws: Workspace, kind: str, data: bytes) -> Path:
    key = blob_id(data + f"\0{kind}".encode())
    return derived.path(ws.git.common_dir, "facts") / derived.key() / f"{kind}-{key}.json"


def _cached(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _remember(path: Path, facts: dict[str, Any]) -> None:
    # A cache that cannot be written only costs speed.
    with contextlib.suppress(OSError):
        fresh = not path.parent.is_dir()
        atomic_write(path, json.dumps(facts))
        if fresh:
            _prune(path.parent)


def _prune(current: Path) -> None:
    """Remove what other keys left in facts/ (their folders; flat files of older versions)."""
    import shutil

    for entry in os.scandir(current.parent):
        if entry.name == current.name:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def config_facts(ws: Workspace) -> dict[str, Any]:
    """levels (lowest first), default_level and auto_push, from the validated configuration."""
    config_path = ws.root / layout.CONFIG_FILE
    if not config_path.is_file():
        return {"levels": list(DEFAULT_LEVELS), "default_level": DEFAULT_LEVEL, "auto_push": False}
    data = config_path.read_bytes()
    path = _path(ws, "config", data)
    facts = _cached(path)
    if facts is None:
        config = ws.config  # full validation; raises ConfigError with its place
        facts = {
            "levels": list(config.escalation.levels),
            "default_level": config.escalation.default_level,
            "auto_push": config.sync.auto_push,
        }
        _remember(path, facts)
    return facts


def escalation_levels(ws: Workspace) -> tuple[list[str], str]:
    """The configured levels (lowest first) and the default level."""
    facts = config_facts(ws)
    return list(facts["levels"]), str(facts["default_level"])


@dataclass(frozen=True)
class MechanismFacts:
    owner: str | None
    status: str | None
    superseded_by: str | None


def mechanism_facts(ws: Workspace, mechanism_id: str) -> MechanismFacts:
    """Owner and status of a mechanism, read without validating the whole file.

    Raising an escalation must never be blocked by a form: even when the failed mechanism's
    file is itself broken, the escalation goes through (lint reports the broken file).
    """
    rel = layout.mechanism_rel(mechanism_id)
    file = ws.root / rel
    if not file.is_file():
        from mechctl.services.mechanism.read import not_found

        raise not_found(ws, mechanism_id)
    data = file.read_bytes()
    path = _path(ws, "mechanism", data)
    facts = _cached(path)
    if facts is None:
        from mechctl.store import yamlio

        try:
            parsed: dict[str, Any] = yamlio.load_fast(yamlio.decode(data, rel), rel)
        except yamlio.YamlProblem:
            parsed = {}

        def text(value: object) -> str | None:
            return value if isinstance(value, str) and value else None

        retired = parsed.get("retired")
        owner = text(parsed.get("owner"))
        facts = {
            "owner": owner if owner and valid_team(owner) else None,
            "status": text(parsed.get("status")),
            "superseded_by": text(retired.get("superseded_by"))
            if isinstance(retired, dict)
            else None,
        }
        _remember(path, facts)
    return MechanismFacts(facts["owner"], facts["status"], facts["superseded_by"])
