"""How lint findings look: text for people, workflow commands for GitHub Actions."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

    from mechctl.services.core.context import Workspace
    from mechctl.services.lint.finding import Finding, LintReport

_STYLE = {"error": "bold red", "warning": "yellow", "off": "dim"}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def summary(report: LintReport) -> str:
    with_findings = len({f.path for f in report.findings})
    return summary_of(report.files, report.count("error"), report.count("warning"), with_findings)


def summary_of(files: int, errors: int, warnings: int, with_findings: int) -> str:
    """The summary line of `files` record files checked, `with_findings` of them with
    `errors` errors and `warnings` warnings."""
    checked = _plural(files, "record file")
    if not with_findings:
        return f"no problems in {checked}"
    return (
        f"{_plural(errors, 'error')} and {_plural(warnings, 'warning')} in"
        f" {_plural(with_findings, 'file')} ({checked} checked)"
    )


def text_parts(report: LintReport) -> Iterator[tuple[str, str]]:
    """Grouped by file: `path:line:col  severity  rule  message`, then a summary line; as
    (text, style) pieces, so a terminal gets colour and a pipe gets plain lines fast."""
    for _, group in groupby(report.findings, key=lambda f: f.path):
        items = list(group)
        width = max(len(f.rule) for f in items)
        places = [f"{f.path}:{f.line}:{f.column}" for f in items]
        at = max(len(place) for place in places)
        for f, place in zip(items, places, strict=True):
            yield f"{place:<{at}}", "bold"
            yield "  ", ""
            yield f"{f.severity:<7}", _STYLE[f.severity]
            yield "  ", ""
            yield f"{f.rule:<{width}}", "cyan"
            yield f"  {f.message}\n", ""
        yield "\n", ""
    style = "bold red" if report.count("error") else "yellow" if report.findings else "green"
    yield summary(report) + "\n", style


def text_plain(report: LintReport) -> str:
    """`text_parts` joined, without styles: what a pipe gets (built line by line, several
    times faster over tens of thousands of findings)."""
    out = [
        text_plain_group(list(group)) for _, group in groupby(report.findings, key=lambda f: f.path)
    ]
    out.append(summary(report) + "\n")
    return "".join(out)


def text_plain_group(items: list[Finding]) -> str:
    """One file's block of `text_plain`: its findings' lines, aligned, and a blank line."""
    width = max(len(f.rule) for f in items)
    places = [f"{f.path}:{f.line}:{f.column}" for f in items]
    at = max(len(place) for place in places)
    lines = [
        f"{place:<{at}}  {f.severity:<7}  {f.rule:<{width}}  {f.message}\n"
        for f, place in zip(items, places, strict=True)
    ]
    lines.append("\n")
    return "".join(lines)


def render(report: LintReport, output: str, ws: Workspace) -> bytes:
    """What a format writes on stdout (text: without colour), in full, as UTF-8."""
    if report.split is not None and report.kept is not None:
        from mechctl.cli.lint import merge

        return merge.render(report, output, ws)
    if output == "sarif":
        from mechctl.services.lint.rules import levels
        from mechctl.services.lint.sarif import sarif_json

        return sarif_json(report, levels(ws.config))
    if output == "json":
        import orjson

        data = [finding.as_dict() for finding in report.findings]
        return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    if output == "github":
        text = "".join(line + "\n" for line in github(report))
    else:
        text = text_plain(report)
    return text.encode("utf-8", "surrogateescape")


def _data(value: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    """GitHub's escaping of a workflow command's property values: also ':' and ','."""
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def github(report: LintReport) -> Iterator[str]:
    """`::error file=…,line=…,col=…,title=…::message` per finding, then a summary line."""
    for f in report.findings:
        yield github_line(f)
    yield f"mechctl lint: {summary(report)}"


def github_line(f: Finding) -> str:
    props = ",".join(
        f"{key}={_property(value)}"
        for key, value in (
            ("file", f.path),
            ("line", str(f.line)),
            ("col", str(f.column)),
            ("title", f"{f.rule} (mechctl)"),
        )
    )
    return f"::{f.severity} {props}::{_data(f.message)}"


def rules_text(rules: list[dict[str, Any]], width: int) -> RenderableType:
    import textwrap

    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    for rule in rules:
        head = Text()
        head.append(rule["id"], style="bold cyan")
        head.append("  ")
        head.append(rule["level"], style=_STYLE[rule["level"]])
        if rule["level"] != rule["default"]:
            head.append(f" (configured; default {rule['default']})", style="dim")
        elif rule["note"]:
            head.append(f" ({rule['note']})", style="dim")
        if rule["needs_base"]:
            head.append("  with --base", style="dim")
        parts.append(head)
        body = textwrap.fill(
            rule["summary"] + " " + rule["explanation"],
            width=min(width, 100),
            initial_indent="    ",
            subsequent_indent="    ",
        )
        parts.append(Text(body + "\n"))
    return Group(*parts)
