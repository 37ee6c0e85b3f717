"""`mechctl notify` answers on the GitHub issue an escalation came from (its `links` hold
the issue's URL): acknowledged, resolved, closed and re-opened are posted there, and the
issue is closed when the escalation is. Only when GITHUB_TOKEN is set.

Each post is a delivery like any other: claimed and recorded once in `refs/mechctl/notify`
(channel `github`), and its comment starts with a marker holding the delivery's key, so a run
that takes over a dead run's claim never posts twice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from mechctl.models import Escalation, TimelineAction
from mechctl.services.github.api import GitHub
from mechctl.services.notify.events import delivery_key

CHANNEL = "github"
MARKER = "<!-- mechctl:notify {key} -->"
_ISSUE_PATH = re.compile(r"^/([^/]+/[^/]+)/issues/(\d+)/?$")
ACTIONS = {
    TimelineAction.ACKNOWLEDGED: "acknowledged",
    TimelineAction.RESOLVED: "resolved",
    TimelineAction.CLOSED: "closed",
    TimelineAction.REOPENED: "re-opened",
}


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get("GITHUB_TOKEN", "").strip())


def issue_of(esc: Escalation, environ: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """(owner/name, number) of the first link to an issue on this GitHub (GITHUB_SERVER_URL)."""
    env = os.environ if environ is None else environ
    host = urlsplit(env.get("GITHUB_SERVER_URL") or "https://github.com").netloc
    for link in esc.links:
        parts = urlsplit(link)
        match = _ISSUE_PATH.match(parts.path)
        if parts.scheme in ("http", "https") and parts.netloc == host and match:
            return match.group(1), int(match.group(2))
    return None


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class IssuePost:
    escalation: Escalation
    action: TimelineAction
    at: datetime
    index: int  # the timeline entry's place
    repo: str
    number: int
    by: str
    note: str | None = None

    channel = CHANNEL

    @property
    def id(self) -> str:
        return f"{self.escalation.id}/github-{self.action.value}/{_stamp(self.at)}/{self.index}"

    @property
    def key(self) -> str:
        return delivery_key(self.id, CHANNEL)

    def describe(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "event": self.action.value,
            "record": self.escalation.id,
            "channel": CHANNEL,
            "level": self.escalation.level,
            "at": _stamp(self.at),
            "id": self.id,
            "issue": f"{self.repo}#{self.number}",
        }


def posts(escalations: list[Escalation], now: datetime, max_age: timedelta) -> list[IssuePost]:
    """The state changes younger than `max_age` of the escalations that came from issues."""
    found = []
    for esc in escalations:
        issue = issue_of(esc)
        if issue is None:
            continue
        for index, entry in enumerate(esc.timeline):
            if entry.action in ACTIONS and now - max_age <= entry.at <= now:
                found.append(
                    IssuePost(esc, entry.action, entry.at, index, *issue, entry.by, entry.note)
                )
    return found


def _who(person: str) -> str:
    """A name without its address: people read the issue, addresses stay in the record."""
    return person.split("<", 1)[0].strip() or person


def body(post: IssuePost) -> str:
    esc = post.escalation
    lines = [
        MARKER.format(key=post.key),
        f"**{esc.id}** was {ACTIONS[post.action]} by {_who(post.by)} ({_stamp(post.at)}).",
    ]
    summary = None
    if post.action in (TimelineAction.RESOLVED, TimelineAction.CLOSED) and esc.resolution:
        summary = " ".join(esc.resolution.summary.split())
    if post.note and " ".join(post.note.split()) != summary:
        lines += ["", f"> {' '.join(post.note.split())}"]
    if summary:
        lines += ["", f"Resolution: {summary}"]
    if post.action is TimelineAction.CLOSED:
        lines += ["", "Thank you for raising it. This issue is closed with the escalation."]
    return "\n".join(lines)


def send(gh: GitHub, post: IssuePost) -> None:
    marker = MARKER.format(key=post.key)
    comments = gh.issue_comments(post.repo, post.number)
    if not any(str(c.get("body") or "").startswith(marker) for c in comments):
        gh.create_comment(post.repo, post.number, body(post))
    if post.action is TimelineAction.CLOSED:
        gh.close_issue(post.repo, post.number)
