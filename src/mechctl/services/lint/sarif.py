"""Findings as SARIF 2.1.0, the format GitHub code scanning accepts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mechctl import HOMEPAGE, __version__
from mechctl.services.lint.finding import Finding, LintReport
from mechctl.services.lint.rules import OFF, RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT = "%SRCROOT%"  # artifact URIs are relative to the repository root
# Each rule's explanation, one heading per rule id (generated from RULES; tests/test_sarif.py).
RULES_DOC = f"{HOMEPAGE}/blob/main/docs/lint-rules.md"


def _name(rule_id: str) -> str:
    """The rule's PascalCase name, which SARIF wants different from its id even ignoring case:
    a one-word id gets a suffix (`schema` -> `SchemaViolation`)."""
    name = "".join(part.capitalize() for part in rule_id.split("-"))
    return name + "Violation" if "-" not in rule_id else name


def help_uri(rule_id: str) -> str:
    """The rule's explanation: its heading in docs/lint-rules.md on the project's home."""
    return f"{RULES_DOC}#{rule_id}"


def sarif(report: LintReport, configured: dict[str, str], results: Any = None) -> dict[str, Any]:
    """One run: every rule's metadata (with its configured level), and one result per
    finding, its location relative to the repository root (`results`: in their place)."""
    ids = list(RULES)
    rules = []
    for rule in RULES.values():
        level = configured.get(rule.id, rule.severity)
        config: dict[str, Any] = {"level": "none" if level == OFF else level}
        if level == OFF:
            config["enabled"] = False
        text = rule.explanation + (
            f" Default level: {rule.severity} ({rule.note})."
            if rule.note
            else f" Default level: {rule.severity}."
        )
        rules.append(
            {
                "id": rule.id,
                "name": _name(rule.id),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.explanation},
                "help": {"text": text},
                "helpUri": help_uri(rule.id),
                "defaultConfiguration": config,
                "properties": {"tags": ["mechctl"] + (["pull-request"] if rule.needs_base else [])},
            }
        )
    if results is None:
        results = [result(f, ids) for f in report.findings]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mechctl",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {ROOT: {"uri": report.root.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def result(f: Finding, ids: list[str]) -> dict[str, Any]:
    return {
        "ruleId": f.rule,
        "ruleIndex": ids.index(f.rule),
        "level": f.severity,
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(f.path), "uriBaseId": ROOT},
                    "region": {"startLine": f.line, "startColumn": f.column},
                }
            }
        ],
    }


_PLACE = "\0results\0"  # stands for the results until they are written in
INDENT = b"      "  # of an item of `results` in the document (three levels deep)


def envelope(report: LintReport, configured: dict[str, str]) -> tuple[bytes, bytes]:
    """The document as `sarif_json` writes it, before and after its `results` value."""
    import orjson

    document = orjson.dumps(sarif(report, configured, _PLACE), option=orjson.OPT_INDENT_2)
    before, _, after = (document + b"\n").partition(orjson.dumps(_PLACE))
    return before, after


def sarif_json(report: LintReport, configured: dict[str, str], batch: int = 2000) -> bytes:
    """`sarif()` as orjson writes it indented, plus a line break, byte for byte, without
    holding every result as a dict at once: the results are written in batches."""
    import orjson

    option = orjson.OPT_INDENT_2
    before, after = envelope(report, configured)
    if not report.findings:
        return before + b"[]" + after
    ids = list(RULES)
    parts = []
    findings = report.findings
    for start in range(0, len(findings), batch):
        items = [result(f, ids) for f in findings[start : start + batch]]
        body = orjson.dumps(items, option=option)[2:-2]  # without "[\n" and "\n]"
        parts.append(INDENT + body.replace(b"\n", b"\n" + INDENT))
    return b"".join((before, b"[\n", b",\n".join(parts), b"\n", INDENT, b"]", after))
