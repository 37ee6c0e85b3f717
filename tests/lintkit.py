"""Helpers for the lint tests: records written as text with a fixed layout, so tests can
assert exact lines and columns, and a runner that parses `lint --format json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Runner, git

NOW = "2026-11-21T12:00:00Z"

TEAMS = """\
teams:
  finance: {codeowners: ["@acme/finance"]}
  business-operations: {codeowners: ["@acme/bizops"]}
  recruiting: {codeowners: []}
"""


def line(text: str, start: str) -> int:
    """1-based number of the first line of `text` that starts with `start`."""
    return next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith(start))


def esc_rel(esc_id: str) -> str:
    day = esc_id[4:12]
    return f"escalations/{day[:4]}/{day[4:6]}/{esc_id}.yaml"


def esc_text(
    esc_id: str = "esc-20261120-aaaaaaaa",
    *,
    mechanism: str | None = "wbr",
    failure_mode: str = "new-input",
    severity: str = "sev3",
    level: str = "director",
    status: str = "acknowledged",
    raised_at: str = "2026-11-20T10:00:00Z",
    owner: str | None = "finance",
    timeline: str | None = None,
    resolution: str | None = None,
) -> str:
    """An escalation; line 3 is `mechanism`, 7 `status`, 11 `owner`, then timeline and
    resolution. Resolved and closed ones get a resolution by default."""
    if timeline is None:
        timeline = f"  - at: {raised_at}\n    by: Test User\n    action: raised\n"
        if status != "open":
            timeline += (
                "  - at: 2026-11-20T11:00:00Z\n    by: Test User\n    action: acknowledged\n"
            )
        if status in ("resolved", "closed"):
            timeline += "  - at: 2026-11-20T12:00:00Z\n    by: Test User\n    action: resolved\n"
        if status == "closed":
            timeline += "  - at: 2026-11-20T13:00:00Z\n    by: Test User\n    action: closed\n"
    if resolution is None and status in ("resolved", "closed"):
        resolution = "  summary: Added the metric\n  no_change_reason: A one-off\n"
    lines = [
        f"id: {esc_id}",
        "title: Weekly deck missed the churn metric",
        f"mechanism: {mechanism if mechanism else 'null'}",
        f"failure_mode: {failure_mode}",
        f"severity: {severity}",
        f"level: {level}",
        f"status: {status}",
        "customer_impact: Churn went unnoticed for a month",
        "raised_by: Test User <test@example.com>",
        f"raised_at: {raised_at}",
        f"owner: {owner}" if owner else "tags: []",
        "timeline:",
    ]
    text = "\n".join(lines) + "\n" + timeline
    if resolution:
        text += "resolution:\n" + resolution
    return text


def write(repo: Path, rel: str, text: str | bytes) -> Path:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_esc(repo: Path, esc_id: str = "esc-20261120-aaaaaaaa", **fields: Any) -> str:
    rel = esc_rel(esc_id)
    write(repo, rel, esc_text(esc_id, **fields))
    return rel


def commit(repo: Path, message: str = "records") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def findings(
    cli: Runner,
    *args: str,
    now: str = NOW,
    env: dict[str, str] | None = None,
    code: int | None = None,
    cwd: Path | None = None,
) -> list[dict[str, Any]]:
    """`lint --format json`'s findings (asserting the exit code, when given)."""
    result = cli(
        "lint", "--format", "json", *args, env={"MECHCTL_NOW": now, **(env or {})}, cwd=cwd
    )
    assert result.exit_code in ((0, 1) if code is None else (code,)), result
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def rules(cli: Runner, *args: str, **kwargs: Any) -> list[tuple[str, int, int, str, str]]:
    """(path, line, column, rule, severity) of each finding."""
    return [
        (f["path"], f["line"], f["column"], f["rule"], f["severity"])
        for f in findings(cli, *args, **kwargs)
    ]


def fired(cli: Runner, rule: str, *args: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [f for f in findings(cli, *args, **kwargs) if f["rule"] == rule]
