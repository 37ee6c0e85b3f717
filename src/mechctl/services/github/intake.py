"""`mechctl intake github-issue`: an issue opened from the escalation form becomes an
escalation, in one commit, and the issue hears back (docs/design.md §4, "GitHub").

The same issue is never escalated twice. Its escalation's id comes from the issue itself
(`esc-<day it was opened>-<hash of its URL>`), so a re-run, an edit or a re-open finds the
record by its path, and two runs at once write the same file: the one that pushes second
meets the other's commit when it rebases, drops its own and says so. An escalation raised
another way that links the issue counts too (found through the index).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mechctl.errors import MechctlError, UsageError
from mechctl.models.enums import FailureMode
from mechctl.services.core.context import Workspace
from mechctl.services.github import form
from mechctl.services.github.api import GitHub
from mechctl.services.github.setup import LABEL
from mechctl.store import layout

ACTIONS = ("opened", "edited", "reopened")
DONE = "<!-- mechctl:intake {id} -->"
PROBLEM = "<!-- mechctl:intake-problem -->"
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
ATTEMPTS = 8


class IntakeRejected(MechctlError):
    """The issue or event cannot be escalated as it is; the issue was told what to fix."""


@dataclass
class Issue:
    repo: str
    number: int
    url: str
    title: str | None
    body: str | None
    login: str
    user_id: int
    created: datetime
    labels: list[str] = field(default_factory=list)

    @property
    def raiser(self) -> str:
        return f"{self.login} <{self.user_id}+{self.login}@users.noreply.github.com>"


@dataclass
class IntakeResult:
    outcome: str  # raised | already | skipped
    issue: Issue | None
    escalation_id: str | None = None
    rel: str | None = None
    warnings: list[str] = field(default_factory=list)


def escalation_id_for(issue: Issue) -> str:
    digest = hashlib.sha256(issue.url.encode("utf-8")).digest()
    suffix = base64.b32encode(digest[:5]).decode("ascii").lower()
    return f"esc-{issue.created:%Y%m%d}-{suffix}"


def _issue(event: dict[str, Any], environ: dict[str, str] | os._Environ[str]) -> Issue | None:
    raw = event.get("issue")
    if not isinstance(raw, dict):
        return None
    repository = event.get("repository")
    repo = repository.get("full_name") if isinstance(repository, dict) else None
    repo = repo or environ.get("GITHUB_REPOSITORY")
    found_user = raw.get("user")
    user: dict[str, Any] = found_user if isinstance(found_user, dict) else {}
    try:
        created = datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00"))
        return Issue(
            repo=str(repo),
            number=int(raw["number"]),
            url=str(raw["html_url"]),
            title=raw.get("title"),
            body=raw.get("body"),
            login=str(user["login"]),
            user_id=int(user["id"]),
            created=created,
            labels=[str(label.get("name")) for label in raw.get("labels") or []],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise MechctlError(f"the event's issue lacks a usable field: {exc}") from None


def read_event(event: Any) -> tuple[str | None, Issue | None]:
    if not isinstance(event, dict):
        raise MechctlError("the event is not a JSON object: not a GitHub `issues` event")
    action = event.get("action")
    issue = _issue(event, os.environ)
    if issue is not None and issue.repo in ("", "None"):
        raise MechctlError("the event names no repository (and GITHUB_REPOSITORY is not set)")
    return (action if isinstance(action, str) else None), issue


# -- the issue hears back ------------------------------------------------------------------


def _ours(comments: list[dict[str, Any]], marker: str) -> dict[str, Any] | None:
    for comment in comments:
        if str(comment.get("body") or "").startswith(marker):
            return comment
    return None


def tell_problem(gh: GitHub, issue: Issue, lines: list[str], footer: str) -> None:
    """One comment says what to fix; a later problem updates it instead of adding another."""
    body = "\n".join(
        [PROBLEM, "**This issue cannot be escalated as it is.** Please edit it and fix:", ""]
        + [f"- {line}" for line in lines]
        + ["", footer]
    )
    found = _ours(gh.issue_comments(issue.repo, issue.number), PROBLEM)
    if found is None:
        gh.create_comment(issue.repo, issue.number, body)
    elif found.get("body") != body:
        gh.update_comment(issue.repo, int(found["id"]), body)


def announce(gh: GitHub, issue: Issue, record: dict[str, Any], rel: str) -> None:
    """The id on the issue, once, and its labels; the comment about a problem goes."""
    escalation_id = str(record["id"])
    comments = gh.issue_comments(issue.repo, issue.number)
    marker = DONE.format(id=escalation_id)
    if _ours(comments, marker) is None:
        body = "\n".join(
            [
                marker,
                f"Escalated as **{escalation_id}** (severity {record.get('severity')},"
                f" level {record.get('level')}), recorded in `{rel}`.",
                "",
                "Nobody needs to approve it. This issue hears when it is acknowledged,"
                " resolved and closed.",
            ]
        )
        gh.create_comment(issue.repo, issue.number, body)
    problem = _ours(comments, PROBLEM)
    if problem is not None:
        gh.delete_comment(issue.repo, int(problem["id"]))
    wanted = [label for label in (LABEL, escalation_id) if label not in issue.labels]
    if wanted:
        gh.add_labels(issue.repo, issue.number, wanted)


# -- finding and raising -------------------------------------------------------------------


def existing(ws: Workspace, issue: Issue) -> dict[str, Any] | None:
    """The escalation already raised for this issue: at its derived path, else any that
    links the issue's URL."""
    from mechctl.services.core import index

    rel = layout.escalation_rel(escalation_id_for(issue))
    with index.open_index(ws) as found:
        record = found.record_at(rel)
        if record is not None:
            return record
        linking = found.escalations_linking(issue.url)
    if linking:
        return linking[0]
    if (ws.root / rel).is_file():  # there, but not valid: still this issue's
        return {"id": escalation_id_for(issue)}
    return None


@contextlib.contextmanager
def _author(issue: Issue, root: Path) -> Iterator[None]:
    """The issue's author writes the commit; the committer is git's identity, else the
    Actions bot."""
    from mechctl.errors import RepositoryStateError
    from mechctl.git.repo import identity_at

    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ["GIT_AUTHOR_NAME"] = issue.login
    os.environ["GIT_AUTHOR_EMAIL"] = f"{issue.user_id}+{issue.login}@users.noreply.github.com"
    try:
        try:
            identity_at(root)
        except RepositoryStateError:
            os.environ["GIT_COMMITTER_NAME"], os.environ["GIT_COMMITTER_EMAIL"] = BOT
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_ENV = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")


def _remote(ws: Workspace) -> tuple[str, str]:
    remote = ws.config.sync.remote
    if ws.git.remote_url(remote) is None:
        raise UsageError(
            f"--push: no remote {remote!r} in this repository",
            hint=f"add one with `git remote add {remote} URL`, or set sync.remote",
        )
    ws.git.check_can_commit()
    return remote, (ws.git.head_ref() or "").removeprefix("refs/heads/")


def _pull(ws: Workspace, remote: str, branch: str) -> None:
    with ws.git.lock():
        if ws.git.remote_has_branch(remote, branch):
            conflicted = ws.git.pull_rebase(remote, branch)
            if conflicted is not None:
                raise MechctlError(
                    f"cannot bring this clone up to date with {remote}/{branch}:"
                    f" {', '.join(conflicted)} conflict; nothing was changed"
                )


def _publish(ws: Workspace, remote: str, branch: str, rel: str, text: str) -> bool:
    """Push the commit; False when another run's escalation of the issue got there first
    (ours is dropped, the clone is left at the remote's)."""
    git = ws.git
    with git.lock():
        for attempt in range(1, ATTEMPTS + 1):
            if git.remote_has_branch(remote, branch):
                conflicted = git.pull_rebase(remote, branch)
                if conflicted == [rel]:
                    git.run(["reset", "--quiet", "--keep", "HEAD~1"])
                    if git.pull_rebase(remote, branch) is not None:
                        raise MechctlError(f"cannot bring this clone up to date with {remote}")
                    return False
                if conflicted is not None:
                    raise MechctlError(
                        f"the escalation is committed, but {', '.join(conflicted)} conflict"
                        f" with {remote}/{branch}; it was not pushed",
                        hint="run `mechctl sync` after resolving",
                    )
                if git.show("HEAD", rel) != text.encode("utf-8") or not _ahead(ws):
                    return False  # the other run's record (or the same bytes) is there
            if git.push(remote, branch) is None:
                return True
            time.sleep(random.uniform(0.05, 0.2) * attempt)
    raise MechctlError(
        f"the escalation is committed, but {remote}/{branch} kept moving; it was not pushed",
        hint="run `mechctl sync`",
    )


def _ahead(ws: Workspace) -> bool:
    proc = ws.git.run(["rev-list", "--count", "FETCH_HEAD..HEAD"], check=False)
    return proc.returncode != 0 or proc.stdout.strip() != "0"


def intake(ws: Workspace, event: Any, gh: GitHub, *, push: bool = False) -> IntakeResult:
    from mechctl.services.core import index
    from mechctl.services.escalation.escalate import raise_escalation

    action, issue = read_event(event)
    if issue is None:
        raise MechctlError(
            "not a GitHub `issues` event (it has no `issue`); run intake from a workflow"
            " `on: issues: types: [opened, edited, reopened]`"
        )
    if action not in ACTIONS or "pull_request" in (event.get("issue") or {}):
        what = f"`{action}`" if action else "without an action"
        tell_problem(
            gh,
            issue,
            [
                f"mechctl intake handles issues that are opened, edited or reopened; this event"
                f" is {what}"
            ],
            "Nothing was recorded. The workflow should run on"
            " `issues: types: [opened, edited, reopened]`.",
        )
        raise IntakeRejected(
            f"issue #{issue.number}: the event is {what}, not opened, edited or reopened;"
            " nothing was recorded"
        )
    if not form.is_form(issue.body) and LABEL not in issue.labels:
        return IntakeResult("skipped", issue)
    remote_branch = _remote(ws) if push else None
    if remote_branch is not None:
        _pull(ws, *remote_branch)
    with index.open_index(ws) as found:
        known = {str(row["id"]) for row in found.mechanisms()}
    answers = form.parse(issue.title, issue.body, known)
    lines = [f"**{label}**: {what}" for label, what in answers.problems]
    found_record = existing(ws, issue)
    if found_record is not None:
        escalation_id = str(found_record["id"])
        if action == "edited" and answers.problems:
            tell_problem(
                gh,
                issue,
                lines,
                f"The escalation **{escalation_id}** stands as it was raised; this edit is"
                " not recorded.",
            )
            raise IntakeRejected(
                f"issue #{issue.number}: the edited body no longer parses: "
                + "; ".join(f"{label}: {what}" for label, what in answers.problems)
            )
        rel = layout.escalation_rel(escalation_id)
        announce(gh, issue, found_record, rel)
        return IntakeResult("already", issue, escalation_id, rel)
    if answers.problems:
        tell_problem(
            gh,
            issue,
            lines,
            "Nothing was recorded. Save the fixed issue and it is escalated then.",
        )
        raise IntakeRejected(
            f"issue #{issue.number} cannot be escalated: "
            + "; ".join(f"{label}: {what}" for label, what in answers.problems)
        )
    ws._identity = issue.raiser
    ws.push = False  # pushed below, with the race against another run of this issue handled
    assert answers.title is not None and answers.impact is not None
    assert answers.severity is not None
    mode = answers.failure_mode
    if answers.mechanism is None:
        mode = FailureMode.NO_MECHANISM
    with _author(issue, ws.root):
        raised = raise_escalation(
            ws,
            title=answers.title,
            impact=answers.impact,
            mechanism_id=answers.mechanism,
            severity=answers.severity,
            failure_mode=mode,
            ask=answers.ask,
            links=[issue.url],
            escalation_id=escalation_id_for(issue),
        )
    if remote_branch is not None:
        text = (ws.root / raised.rel).read_text(encoding="utf-8")
        if not _publish(ws, *remote_branch, raised.rel, text):
            return IntakeResult("already", issue, raised.id, raised.rel)
    announce(gh, issue, raised.record, raised.rel)
    return IntakeResult("raised", issue, raised.id, raised.rel, raised.warnings)
