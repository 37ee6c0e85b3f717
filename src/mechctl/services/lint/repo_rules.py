"""Repository-wide rules: generated files that must match what mechctl would generate."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

from mechctl.models import Config
from mechctl.services import codeowners
from mechctl.services.lint.filecheck import Summary
from mechctl.services.lint.files import MECHANISM
from mechctl.store import layout

Raw = tuple[str, int, int, str, str, str]


class Facts(Protocol):
    """Repository-wide facts kept between runs, each with what it depends on (kept.py)."""

    def fact(self, name: str, depends: object) -> Any: ...

    def put_fact(self, name: str, depends: object, value: object) -> None: ...


def run(
    root: Path, config: Config, summaries: dict[str, Summary], facts: Facts, mechanism_files: int
) -> list[Raw]:
    return (
        _schemas(root, facts)
        + _codeowners(root, config, summaries, mechanism_files)
        + _notify(root, config, summaries)
        + _issue_form(root, summaries, mechanism_files)
    )


def _notify(root: Path, config: Config, summaries: dict[str, Summary]) -> list[Raw]:
    """route-missing, unknown-channel, secret-in-config, policy-event-off: the pure checks
    of models/notify.py over `.mechctl.yaml`'s `notify`, placed at their lines."""
    notify = config.notify
    if notify is None:
        return []
    from mechctl.models import notify as checks
    from mechctl.store.fastyaml import locate

    rel = layout.CONFIG_FILE
    try:
        text: str | None = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None

    def at(*path: int | str, key: bool = False) -> tuple[int, int]:
        found = locate(text, ("notify", *path), key=key) if text is not None else None
        return found or (1, 1)

    found: list[Raw] = []
    for route, index, name in checks.unknown_channels(notify):
        line, column = at("routes", route, "channels", index)
        message = f"route {route + 1} (level {notify.routes[route].level}) names channel"
        message += f" '{name}', which is not in notify.channels"
        found.append((rel, line, column, "unknown-channel", message, ""))
    for name, key, what in checks.secrets_in_config(notify):
        line, column = at("channels", name, key)
        found.append(
            (
                rel,
                line,
                column,
                "secret-in-config",
                f"notify.channels.{name}.{key} holds {what}; put the secret in an environment"
                " variable (a CI secret) and write that variable's name here",
                "",
            )
        )
    for route, level in checks.unknown_levels(notify, config.escalation.levels):
        line, column = at("routes", route, "level")
        found.append(
            (
                rel,
                line,
                column,
                "route-missing",
                f"route {route + 1} is for level '{level}', which is not one of the levels:"
                f" {', '.join(config.escalation.levels)}",
                "",
            )
        )
    for key, event in checks.policy_events_off(notify):
        line, column = at("policy", key, key=True)
        found.append(
            (
                rel,
                line,
                column,
                "policy-event-off",
                f"notify.policy.{key} is set, but notify.events leaves out '{event.value}':"
                " nobody hears of it; add the event or remove the policy",
                "",
            )
        )
    if config.teams is not None:
        teams: list[str] = list(config.teams)
    else:
        teams = sorted({s[4] for s in summaries.values() if s[0] == MECHANISM and s[4]})
    missing = checks.unresolved_levels(notify, config.escalation.levels, teams)
    by_level: dict[str, list[str]] = {}
    for level, team in missing:
        by_level.setdefault(level, []).append(team)
    for level, names in by_level.items():
        line, column = at("routes", key=True)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        found.append(
            (
                rel,
                line,
                column,
                "route-missing",
                f"an escalation at level '{level}' reaches nobody for team(s) {shown}: add a route"
                f" for level '{level}' (without `team` for every team)",
                "",
            )
        )
    return found


def _schemas(root: Path, facts: Facts) -> list[Raw]:
    """schema-stale; generating the schemas costs tens of milliseconds, so the answer is
    kept by the files' contents (the store's key covers mechctl's own code)."""
    state = []
    for rel in layout.SCHEMA_FILES.values():
        path = root / rel
        digest = hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else None
        state.append([rel, digest])
    stored = facts.fact("schemas", state)
    if isinstance(stored, list):
        stale = [str(rel) for rel in stored]
    else:
        from mechctl.services.schema import stale_schemas

        stale = list(stale_schemas(root))
        facts.put_fact("schemas", state, stale)
    found = []
    for rel in stale:
        what = "is missing" if not (root / rel).is_file() else "is out of date"
        found.append(
            (rel, 1, 1, "schema-stale", f"{rel} {what}; run `mechctl schema` and commit it", "")
        )
    return found


def _codeowners(
    root: Path, config: Config, summaries: dict[str, Summary], mechanism_files: int
) -> list[Raw]:
    rel = codeowners.existing(root)
    if rel is None or config.teams is None:
        return []
    owners = {
        f"{layout.MECHANISMS}/{s[1]}.yaml": s[4] for s in summaries.values() if s[0] == MECHANISM
    }
    if len(owners) != mechanism_files:
        return []  # a broken mechanism file: its owner is unknown until it is fixed
    lines, _ = codeowners.block(owners, config)
    text = (root / rel).read_text(encoding="utf-8", errors="replace")
    if codeowners.merge(text, lines) == text:
        return []
    return [
        (
            rel,
            codeowners.block_line(text),
            1,
            "codeowners-stale",
            f"{rel} does not match mechanism owners and teams; run `mechctl codeowners`"
            " and commit it",
            "",
        )
    ]


def _issue_form(root: Path, summaries: dict[str, Summary], mechanism_files: int) -> list[Raw]:
    """issue-form-stale: checked only when the form exists (`mechctl github setup`)."""
    from mechctl.services.github import form

    rel = form.FORM_REL
    path = root / rel
    if not path.is_file():
        return []
    mechanisms = [s for s in summaries.values() if s[0] == MECHANISM]
    if len(mechanisms) != mechanism_files:
        return []  # a broken mechanism file: whether it is active is unknown until it is fixed
    active = sorted((s[1], s[10]) for s in mechanisms if s[2] == "active")
    text = path.read_text(encoding="utf-8", errors="replace")
    if form.render(active) == text:
        return []
    offered = form.form_mechanisms(text)
    wanted = [mechanism_id for mechanism_id, _ in active]
    if offered is None:
        what = "was not written by `mechctl github setup`"
    elif offered != wanted:
        missing = [m for m in wanted if m not in offered]
        extra = [m for m in offered if m not in wanted]
        parts = []
        if missing:
            parts.append(f"lacks active mechanism(s) {', '.join(missing)}")
        if extra:
            parts.append(f"offers {', '.join(extra)}, not active")
        what = "is stale: its dropdown " + "; ".join(parts) if parts else "is stale"
    else:
        what = "is stale"
    return [
        (
            rel,
            1,
            1,
            "issue-form-stale",
            f"{rel} {what}; run `mechctl github setup` and commit it",
            "",
        )
    ]
