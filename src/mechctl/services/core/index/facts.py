"""escalate's facts from the index (docs/design.md §7): the levels, a mechanism's owner and
status, read without pydantic, ruamel or GitPython (tests/test_escalate_fastpath.py)."""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from mechctl import derived
from mechctl.models.defaults import FACTS_VERSION
from mechctl.services.core.index.store import RACY_NS, SCHEMA, file_stat, store_file, trusted
from mechctl.store import layout

if TYPE_CHECKING:
    import sqlite3

    from mechctl.models import Config
    from mechctl.services.core.context import Workspace


def _facts_db(ws: Workspace) -> sqlite3.Connection | None:
    return derived.connect(store_file(ws), SCHEMA)


def _stored(db: sqlite3.Connection, name: str) -> Any:
    found = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return orjson.loads(found[0]) if found else None


def _keep(db: sqlite3.Connection, name: str, stat: list[int] | None, facts: Any) -> None:
    value = {"stat": stat, "seen": time.time_ns(), "facts": facts}
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, orjson.dumps(value)))


def facts_of(config: Config, levels: list[str] | None = None) -> dict[str, Any]:
    """What `config_facts` keeps of a validated configuration."""
    if levels is None:
        levels = list(config.escalation.levels)
    return {
        "version": FACTS_VERSION,
        "levels": levels,
        "default_level": config.escalation.default_level,
        "auto_push": config.sync.auto_push,
        "ack_within": {
            sev.value: int(t.total_seconds()) for sev, t in config.escalation.ack_within.items()
        },
        "resolve_within": {
            sev.value: int(t.total_seconds()) for sev, t in config.escalation.resolve_within.items()
        },
        # Each configured team's codeowners (`status` finds my teams), None when none are.
        "teams": None
        if config.teams is None
        else {name: list(team.codeowners) for name, team in config.teams.items()},
    }


def remember_config(db: sqlite3.Connection, ws: Workspace, levels: list[str]) -> None:
    facts = facts_of(ws.config, levels)
    stat = file_stat(ws.root / layout.CONFIG_FILE)
    old = _stored(db, "config")
    if _vouches(old, stat) and old.get("facts") == facts:
        return  # nothing new to say
    _keep(db, "config", stat, facts)


def _vouches(value: Any, stat: list[int] | None) -> bool:
    if not isinstance(value, dict) or value.get("stat") != stat:
        return False
    return stat is None or stat[1] + RACY_NS < int(value.get("seen", 0))


def config_facts(ws: Workspace, db: sqlite3.Connection | None = None) -> dict[str, Any]:
    """What reads and escalate need of the validated configuration (`facts_of`: the levels,
    lowest first, the default level, auto_push, the acknowledge and resolve targets in
    seconds by severity, and the teams with their codeowners): from the index when
    `.mechctl.yaml` is as it was when they were stored, so that a warm read imports
    neither pydantic nor ruamel. `db`: the index, when the caller has it open (it stays
    open)."""
    import sqlite3

    from mechctl.models import defaults

    stat = file_stat(ws.root / layout.CONFIG_FILE)
    if stat is None:
        return defaults.facts()
    own = db is None
    if own:
        db = _facts_db(ws)
    try:
        if db is not None:
            try:
                value = _stored(db, "config")
                if _vouches(value, stat) and value["facts"].get("version") == FACTS_VERSION:
                    return dict(value["facts"])
            except (sqlite3.Error, orjson.JSONDecodeError, TypeError, AttributeError) as exc:
                if not own:
                    raise
                derived.failed(db, store_file(ws), exc)
                db = None
        config = ws.config  # full validation; raises ConfigError with its place
        levels = list(config.escalation.levels)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                remember_config(db, ws, levels)
        return facts_of(config, levels)
    finally:
        if own and db is not None:
            db.close()


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
    """Owner and status of a mechanism: from its index row when the file is as it was when
    checked and valid; otherwise read without validating the whole file. Raising an
    escalation must never be blocked by a form: even when the failed mechanism's file is
    itself broken, the escalation goes through (lint reports the broken file)."""
    import sqlite3

    rel = layout.mechanism_rel(mechanism_id)
    file = ws.root / rel
    try:
        stat = os.lstat(file)
    except OSError:
        stat = None
    if stat is None or not stat_module.S_ISREG(stat.st_mode):
        from mechctl.services.mechanism.read import not_found

        raise not_found(ws, mechanism_id)
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    db = _facts_db(ws)
    if db is None:
        return _read_mechanism_facts(file.read_bytes(), rel)
    try:
        row = db.execute(
            "SELECT size, mtime_ns, ctime_ns, ino, seen_ns, record FROM files"
            " WHERE path = ? AND valid = 1",
            (rel,),
        ).fetchone()
        if row is not None and trusted(row[:5], stat):
            record = orjson.loads(row[5])
            retired = record.get("retired")
            return MechanismFacts(
                record.get("owner"),
                record.get("status"),
                retired.get("superseded_by") if isinstance(retired, dict) else None,
            )
        # What escalate itself learnt of this file, when no read has checked it yet.
        kept = _stored(db, f"facts:{rel}")
        if _vouches(kept, key):
            return MechanismFacts(*kept["facts"])
        found = _read_mechanism_facts(file.read_bytes(), rel)
        _keep(db, f"facts:{rel}", key, [found.owner, found.status, found.superseded_by])
        return found
    except (sqlite3.Error, orjson.JSONDecodeError, TypeError) as exc:
        derived.failed(db, store_file(ws), exc)
        db = None
        return _read_mechanism_facts(file.read_bytes(), rel)
    finally:
        if db is not None:
            db.close()


def _read_mechanism_facts(data: bytes, rel: str) -> MechanismFacts:
    from mechctl.models.ids import valid_team
    from mechctl.store import yamlio

    try:
        parsed: dict[str, Any] = yamlio.load_fast(yamlio.decode(data, rel), rel)
    except yamlio.YamlProblem:
        parsed = {}

    def text(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    retired = parsed.get("retired")
    owner = text(parsed.get("owner"))
    return MechanismFacts(
        owner if owner and valid_team(owner) else None,
        text(parsed.get("status")),
        text(retired.get("superseded_by")) if isinstance(retired, dict) else None,
    )
