"""The review comment: `mechctl diff BASE...HEAD --format markdown` as one comment on a pull
request, found again by a hidden marker on its first line (docs/design.md §4).

One run makes the pull request show exactly one such comment: created the first time,
edited in place after that (left alone when its text is already right), and deleted when no
record changed. Extra comments that carry the marker (two runs that raced) are deleted, the
first one kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mechctl.errors import UsageError
from mechctl.services.github.api import GitHub

MARKER = "<!-- mechctl:review -->"


@dataclass(frozen=True)
class PullRequest:
    repo: str  # owner/name
    number: int
    base: str  # commit (or ref) the pull request is merged into
    head: str  # its head commit (or ref)


@dataclass
class Outcome:
    action: str  # created | updated | unchanged | deleted | none
    comment_id: int | None = None
    url: str | None = None
    deleted: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "comment_id": self.comment_id,
            "url": self.url,
            "deleted": self.deleted,
        }


def read_event(path: str) -> dict[str, Any]:
    """The `pull_request` event GitHub gives a workflow at $GITHUB_EVENT_PATH."""
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the event ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise UsageError(f"{path}: the event is not JSON ({exc})") from None
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: the event is not a JSON object")
    return loaded


def pull_request(
    event: dict[str, Any] | None,
    *,
    where: str = "the event",
    repo: str | None = None,
    number: int | None = None,
    base: str | None = None,
    head: str | None = None,
) -> PullRequest:
    """What to review: each value given wins over the event's."""
    pr = (event or {}).get("pull_request")
    if event is not None and not isinstance(pr, dict):
        if None in (number, base, head):
            raise UsageError(
                f"{where}: not a pull_request event (no `pull_request` object)",
                hint="run on `on: pull_request`, or pass --pr, --base and --head",
            )
        pr = None
    pr = pr or {}

    def sha(side: str) -> str | None:
        found = pr.get(side)
        return found.get("sha") if isinstance(found, dict) else None

    repo = repo or _nested(event, "repository", "full_name")
    number = number if number is not None else pr.get("number")
    base = base or sha("base")
    head = head or sha("head")
    missing = [
        name
        for name, value in (("--repo", repo), ("--pr", number), ("--base", base), ("--head", head))
        if not value
    ]
    if missing:
        raise UsageError(
            f"no pull request to review: {', '.join(missing)} not given and not in {where}",
            hint="run on a pull_request event (GITHUB_EVENT_PATH) or pass them",
        )
    assert repo and base and head and isinstance(number, int)
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise UsageError(f"--repo {repo!r}: expected OWNER/NAME")
    return PullRequest(repo, number, base, head)


def _nested(data: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def body(markdown: str) -> str:
    return f"{MARKER}\n{markdown}"


def is_ours(comment: dict[str, Any]) -> bool:
    text = comment.get("body") or ""
    return isinstance(text, str) and text.split("\n", 1)[0].strip() == MARKER


def publish(gh: GitHub, pr: PullRequest, markdown: str, *, changed: bool) -> Outcome:
    """Make the pull request show this review once (or none, when no record changed)."""
    ours = [c for c in gh.issue_comments(pr.repo, pr.number) if is_ours(c)]
    keep, extra = (ours[0], ours[1:]) if ours else (None, [])
    deleted = []
    for comment in extra if changed else ours:
        gh.delete_comment(pr.repo, int(comment["id"]))
        deleted.append(int(comment["id"]))
    if not changed:
        return Outcome("deleted" if deleted else "none", deleted=deleted)
    text = body(markdown)
    if keep is None:
        made = gh.create_comment(pr.repo, pr.number, text)
        return Outcome("created", int(made["id"]), made.get("html_url"), deleted)
    if keep.get("body") == text:
        return Outcome("unchanged", int(keep["id"]), keep.get("html_url"), deleted)
    done = gh.update_comment(pr.repo, int(keep["id"]), text)
    return Outcome("updated", int(done["id"]), done.get("html_url"), deleted)
