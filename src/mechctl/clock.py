"""The one source of "now". `MECHCTL_NOW` (ISO-8601) pins it, for tests and reproducible reports."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime


def now() -> datetime:
    pinned = os.environ.get("MECHCTL_NOW")
    if pinned:
        value = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    return now().date()
