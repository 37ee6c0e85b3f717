"""Id and name patterns, free of pydantic, shared by the models, paths and the fast paths."""

from __future__ import annotations

import re

MECHANISM_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
ESCALATION_ID_RE = re.compile(r"^esc-(\d{8})-([a-z2-7]{8})$")
TEAM_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")


def valid_mechanism_id(value: str) -> bool:
    return 2 <= len(value) <= 63 and bool(MECHANISM_ID_RE.match(value))


def valid_team(value: str) -> bool:
    return 2 <= len(value) <= 63 and bool(TEAM_RE.match(value))
