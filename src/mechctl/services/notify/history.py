"""Who was told of what about a record, and when: this clone's `refs/mechctl/notify`
(read without the network; `mechctl notify` brings it up to date)."""

from __future__ import annotations

from typing import Any

from mechctl.git.ledger import delivered_for
from mechctl.services.core.context import Workspace


def notifications(ws: Workspace, record: str) -> list[dict[str, Any]]:
    """Delivered notifications about `record`, oldest first: event, channel, level, when the
    event happened (`at`) and when it was delivered (`delivered_at`), and the key."""
    rows = [
        {
            "event": entry.get("event"),
            "channel": entry.get("channel"),
            "level": entry.get("level"),
            "at": entry.get("at"),
            "delivered_at": entry.get("recorded_at"),
            "key": entry.get("key"),
        }
        for entry in delivered_for(ws.git, record)
    ]
    rows.sort(key=lambda r: (str(r["delivered_at"]), str(r["at"]), str(r["channel"])))
    return rows
