"""The lint rules: one registry that `--list-rules`, SARIF rule metadata and the check of
`lint.rules` in `.mechctl.yaml` all read (docs/design.md §6). Rule ids are stable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mechctl.errors import ConfigError, Location, Problem
from mechctl.models import Config

ERROR = "error"
WARNING = "warning"
OFF = "off"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # the default: error or warning
    summary: str  # when it fires, in one line
    explanation: str  # why it matters and how to fix it
    needs_base: bool = False  # only with `--base REV`
    note: str = ""  # an exception to the default severity, for --list-rules


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "yaml-syntax",
            ERROR,
            "A file is not a readable YAML record.",
            "Syntax errors, text that is not UTF-8, an empty file, unresolved merge-conflict"
            " markers, duplicate keys, more than one document, anchors and aliases, files over"
            " 2 MB, and symbolic links to files outside the repository (never followed).",
        ),
        Rule(
            "schema",
            ERROR,
            "A record does not match its schema.",
            "Unknown keys (with a 'did you mean'), missing required fields, wrong types,"
            " values outside an enumeration, and escalation levels that are not among the"
            " configured `escalation.levels`. The place is the offending key or value; a"
            " missing field points at its parent mapping.",
        ),
        Rule(
            "id-mismatch",
            ERROR,
            "A record's id differs from its file name, or the file is in the wrong place.",
            "A record's file name is its id: mechanisms/<id>.yaml and"
            " escalations/<yyyy>/<mm>/<id>.yaml, sharded by the date in the escalation id."
            " mechctl finds records by these paths, so a record elsewhere is invisible to it.",
        ),
        Rule(
            "duplicate-id",
            ERROR,
            "Two files hold a record with the same id.",
            "Ids must be unique; a copied file or a record left in the wrong folder makes two."
            " Keep one of them.",
        ),
        Rule(
            "unknown-mechanism",
            ERROR,
            "A reference names a mechanism that does not exist.",
            "Checked: an escalation's `mechanism`, its `resolution.mechanism_change.mechanism`,"
            " and a retired mechanism's `retired.superseded_by`.",
        ),
        Rule(
            "unknown-team",
            ERROR,
            "A team is not one of the teams in `.mechctl.yaml`.",
            "When `.mechctl.yaml` lists `teams`, every mechanism owner, adoption stakeholder"
            " team, inspector and escalation owner must be one of them. Owners are teams, never"
            " people, and `mechctl codeowners` maps each team to its reviewers.",
        ),
        Rule(
            "incomplete-mechanism",
            ERROR,
            "An active mechanism lacks part of its definition.",
            "An active mechanism needs tool inputs, desired outputs and steps, adoption"
            " stakeholders and an approach, and an inspection cadence and signals. Drafts may"
            " be incomplete.",
        ),
        Rule(
            "inspection-overdue",
            WARNING,
            "An active mechanism was not inspected on cadence.",
            "Due = the last inspection plus the cadence (weekly 7, biweekly 14, monthly 30,"
            " quarterly 91, yearly 365 days). A mechanism never inspected counts from its"
            " activation: the latest commit with the trailer `Mechctl-Action:"
            " mechanism.activate` for it, or else its latest iterations date. It depends on"
            " today's date, so it is a warning by default. Record one with `mechctl inspect`.",
        ),
        Rule(
            "inspection-without-anecdote",
            WARNING,
            "An inspection has metrics but no customer anecdote, or anecdotes but no metrics.",
            "Data alone misleads, and anecdotes alone do not measure: an inspection looks at"
            " both the signals' values and what customers said.",
        ),
        Rule(
            "ack-overdue",
            WARNING,
            "An open escalation was not acknowledged in time.",
            "`escalation.ack_within` in `.mechctl.yaml` sets the time by severity (defaults:"
            " sev1 1h, sev2 4h, sev3 1d, sev4 3d). It depends on the current time, so it is a"
            " warning by default. Acknowledge with `mechctl escalation ack ID`.",
        ),
        Rule(
            "resolve-overdue",
            WARNING,
            "An escalation was not resolved in time.",
            "`escalation.resolve_within` in `.mechctl.yaml` sets the time by severity"
            " (defaults: sev1 1d, sev2 3d, sev3 14d, sev4 30d). It depends on the current time,"
            " so it is a warning by default.",
        ),
        Rule(
            "resolution-without-change",
            WARNING,
            "A resolution changed no mechanism, or names a change that is not on record.",
            "An escalation closes the loop when a mechanism changes so the problem does not"
            " come back. A resolution with `no_change_reason` is a warning (make it an error"
            " to require a change). A `mechanism_change` whose version does not exist, or whose"
            " `iterations` entry does not list the escalation, is an error: the change it"
            " claims is not recorded (`mechctl mechanism set ... --escalation ID`).",
            note="error for a change that is not on record",
        ),
        Rule(
            "recurring-failure",
            WARNING,
            "3 or more escalations on one mechanism with the same failure mode in 90 days.",
            "Counted over the escalations raised in the last 90 days, so it depends on today's"
            " date and is a warning by default. The mechanism keeps failing the same way:"
            " change it.",
        ),
        Rule(
            "unversioned-change",
            ERROR,
            "A mechanism's definition changed without a version"
            " bump and an iterations entry (with --base).",
            "Compared with the base revision: when title, kind, owner, problem, tool, levers,"
            " adoption or inspection change, `version` must go up by one per change, each new"
            " version needs an `iterations` entry saying why, and earlier iterations entries"
            " must stay as they were. `mechctl mechanism set` and `edit` do all of this.",
            needs_base=True,
        ),
        Rule(
            "invalid-transition",
            ERROR,
            "A status changed in a way the state machine forbids (with --base).",
            "Compared with the base revision. Escalations: open -> acknowledged -> resolved ->"
            " closed, reopen from resolved or closed; each step is a timeline entry, and the"
            " timeline is append-only. Mechanisms: draft -> active -> retired.",
            needs_base=True,
        ),
        Rule(
            "deleted-record",
            ERROR,
            "A record that exists at the base revision was deleted (with --base).",
            "Records are history: an escalation is closed, never deleted, and a mechanism is"
            " retired (`mechctl mechanism retire ID --reason R`).",
            needs_base=True,
        ),
        Rule(
            "route-missing",
            ERROR,
            "A level of a team reaches no channel, given `notify.routes`.",
            "Checked when `.mechctl.yaml` has `notify`: for each team (the configured `teams`,"
            " else the mechanism owners) and each escalation level, some route must name a"
            " configured channel, or an escalation there would be told to nobody and the chain"
            " would fail silently. A route for a level that is not configured is reported too.",
        ),
        Rule(
            "unknown-channel",
            ERROR,
            "A route names a channel that `notify.channels` does not define.",
            "`mechctl notify` refuses to run while a route names an unknown channel; fix the"
            " name or add the channel.",
        ),
        Rule(
            "secret-in-config",
            ERROR,
            "`.mechctl.yaml` holds a secret (a URL or password) instead of a variable's name.",
            "`url_env`, `secret_env` and `smtp_url_env` name environment variables (set from CI"
            " secrets); a webhook URL or SMTP password in the file is readable by everyone"
            " with the repository. Keys such as `url` or `password` are refused outright.",
        ),
        Rule(
            "policy-event-off",
            WARNING,
            "`notify.policy` asks for reminders or raises whose event `notify.events` leaves out.",
            "`remind_every` is sent as `ack-overdue`, `remind_acknowledged_every` as"
            " `ack-reminder`, and the new level of an `auto_raise` hears of it as"
            " `level-raised`. Without the event in `notify.events` the policy is silently"
            " never heard; add the event, or remove the policy.",
        ),
        Rule(
            "schema-stale",
            ERROR,
            "schemas/*.schema.json differ from what this mechctl generates.",
            "Editors validate records with these files as you type. Run `mechctl schema` and"
            " commit the result.",
        ),
        Rule(
            "codeowners-stale",
            ERROR,
            "CODEOWNERS does not match mechanism owners and `teams.*.codeowners`.",
            "Checked only when a CODEOWNERS file exists (at the root, in .github/ or in"
            " docs/). Run `mechctl codeowners` and commit the result.",
        ),
        Rule(
            "issue-form-stale",
            ERROR,
            "The escalation issue form does not offer exactly the active mechanisms.",
            "Checked only when .github/ISSUE_TEMPLATE/escalate.yml exists. Its dropdown lists"
            " the active mechanisms (and 'No mechanism exists for this'), so that people"
            " without git escalate against the right one. Run `mechctl github setup` and"
            " commit the result.",
        ),
    )
}


def levels(config: Config) -> dict[str, str]:
    """rule id -> the configured level: error, warning or off; absent: the rule's default."""
    return {rule: level.value for rule, level in config.lint.rules.items()}


def check_config(config: Config, config_text: str | None, rel: str) -> None:
    """Unknown rule ids in `lint.rules` are a configuration error, at their line."""
    from mechctl.store.locate import suggest

    for rule in config.lint.rules:
        if rule in RULES:
            continue
        line, column = 1, 1
        if config_text is not None:
            from mechctl.store.fastyaml import locate

            line, column = locate(config_text, ("lint", "rules", rule), key=True) or (1, 1)
        hint = suggest(rule, RULES)
        message = f"unknown lint rule '{rule}'" + (
            f" (did you mean '{hint}'?)" if hint else "; `mechctl lint --list-rules` lists them"
        )
        raise ConfigError(f"invalid configuration: {Problem(Location(rel, line, column), message)}")


def rule_table(config: Config | None) -> list[dict[str, Any]]:
    """Every rule with its default and effective level, for --list-rules."""
    configured = levels(config) if config is not None else {}
    return [
        {
            "id": rule.id,
            "default": rule.severity,
            "level": configured.get(rule.id, rule.severity),
            "summary": rule.summary,
            "explanation": rule.explanation,
            "needs_base": rule.needs_base,
            "note": rule.note,
        }
        for rule in RULES.values()
    ]


def rules_markdown() -> str:
    """docs/lint-rules.md: one heading per rule id, the anchor each SARIF rule's `helpUri`
    points at (tests/test_sarif.py keeps the file current)."""
    parts = [
        "# mechctl lint rules\n\n"
        "<!-- Generated from src/mechctl/services/lint/rules.py by tests/test_sarif.py"
        " (MECHCTL_UPDATE_README=1); do not edit by hand. -->\n\n"
        "Each rule's id is stable. Its level can be changed in `.mechctl.yaml`"
        " (`lint: {rules: {RULE: error|warning|off}}`); `mechctl lint --list-rules` shows the"
        " levels in force. Code scanning links each SARIF result here.\n"
    ]
    for rule in RULES.values():
        level = f"Default level: **{rule.severity}**" + (f" ({rule.note})" if rule.note else "")
        base = " Checked only with `--base REV`." if rule.needs_base else ""
        parts.append(f"\n## {rule.id}\n\n{rule.summary}\n\n{rule.explanation}\n\n{level}.{base}\n")
    return "".join(parts)
