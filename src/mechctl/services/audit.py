"""`mechctl audit`: every commit that touched a record or the configuration: who, when, which
action, and whether it is signed (`%G?`), from one `git log`.

What counts as signed: a good signature (`G`), including one whose key git cannot vouch for
(`U`: good signature, unknown trust; shown as untrusted) and good signatures whose key or
signature has since expired (`X`, `Y`). Not signed: no signature (`N`), a bad one (`B`), one
made with a revoked key (`R`), or one git cannot check (`E`, e.g. the key is missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mechctl.errors import MechctlError, UsageError
from mechctl.services.core.action import CommitAction
from mechctl.services.core.context import Workspace
from mechctl.store import layout

SIGNED = frozenset("GUXY")
SIGNATURE_TEXT = {
    "G": "good",
    "U": "good, untrusted key",
    "X": "good, signature expired",
    "Y": "good, key expired",
    "R": "revoked key",
    "B": "bad signature",
    "E": "cannot be checked",
    "N": "unsigned",
}
PATHS = (layout.MECHANISMS, layout.ESCALATIONS, layout.CONFIG_FILE)


@dataclass
class AuditEntry(CommitAction):
    commit: str
    date: datetime
    author: str
    action: str | None  # None: a hand edit (no Mechctl-Action trailer)
    subject: str
    records: list[str]
    signature: str  # git's %G? letter
    signer: str = ""
    merge: bool = False

    @property
    def signed(self) -> bool:
        return self.signature in SIGNED

    @property
    def signature_text(self) -> str:
        return SIGNATURE_TEXT.get(self.signature, f"unknown ({self.signature})")

    def as_json(self) -> dict[str, Any]:
        return {
            **self.commit_json(),
            "records": self.records,
            "signature": self.signature,
            "signature_status": self.signature_text,
            "signed": self.signed,
            "signer": self.signer or None,
        }


@dataclass
class AuditReport:
    since: date | None
    entries: list[AuditEntry]
    notes: list[str] = field(default_factory=list)  # what git said, e.g. keys not configured

    @property
    def unsigned(self) -> list[AuditEntry]:
        return [entry for entry in self.entries if not entry.signed]

    @property
    def hand_edits(self) -> list[AuditEntry]:
        return [entry for entry in self.entries if entry.hand_edit]

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "commits": len(self.entries),
            "hand_edits": len(self.hand_edits),
            "unsigned": len(self.unsigned),
            "entries": [entry.as_json() for entry in self.entries],
        }


def parse_since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"invalid --since {text!r}: expected a date, YYYY-MM-DD") from None


def record_name(rel: str) -> str:
    """The record a path holds: its id, or `config` for .mechctl.yaml."""
    if rel == layout.CONFIG_FILE:
        return "config"
    name = rel.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if name.endswith((".yaml", ".yml")) else rel


def audit(ws: Workspace, since: date | None = None) -> AuditReport:
    if not ws.git.has_commits():
        raise MechctlError("the repository has no commits yet, so there is no audit trail")
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    # git filters on the committer date; a day's margin, then the exact cut on the author date.
    coarse = int((start - timedelta(days=1)).timestamp()) if start else None
    found, notes = ws.git.signed_log(PATHS, coarse)
    entries = []
    for commit, files in found:
        when = datetime.fromtimestamp(commit.time, UTC)
        if start is not None and when < start:
            continue
        records = list(
            dict.fromkeys(record_name(rel) for rel in files if not rel.endswith(".gitkeep"))
        )
        entries.append(
            AuditEntry(
                commit=commit.sha,
                date=when,
                author=commit.author,
                action=commit.action,
                subject=commit.subject,
                records=records,
                signature=commit.signature,
                signer=commit.signer,
                merge=len(commit.parents) > 1,
            )
        )
    cleaned = [note.removeprefix("error: ").removeprefix("warning: ") for note in notes]
    return AuditReport(since=since, entries=entries, notes=list(dict.fromkeys(cleaned)))
