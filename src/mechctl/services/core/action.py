"""What a commit did, in the words `history` and `audit` both use (docs/design.md §5).

A commit made by mechctl names its action in the `Mechctl-Action` trailer. A commit without
one is a hand edit, unless it is a merge (where two lines of work met, and which git writes
without trailers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

HAND_EDIT = "edited by hand"
MERGE = "merge"


class CommitAction:
    """Mixed into the dataclasses of `history` and `audit` entries, which declare these fields."""

    commit: str
    date: datetime
    author: str
    action: str | None  # the Mechctl-Action trailer; None when the commit has none
    subject: str
    merge: bool

    @property
    def hand_edit(self) -> bool:
        return self.action is None and not self.merge

    @property
    def action_text(self) -> str:
        return self.action or (MERGE if self.merge else HAND_EDIT)

    def commit_json(self) -> dict[str, Any]:
        """The commit's part of an entry's JSON, the same keys in the same order in both."""
        return {
            "commit": self.commit,
            "date": self.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "author": self.author,
            "action": self.action_text,
            "hand_edit": self.hand_edit,
            "subject": self.subject,
        }
