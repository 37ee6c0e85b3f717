"""How `mechctl diff` looks: rich text for a terminal, markdown for a pull-request comment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.text import Text

from mechctl.services.core.fielddiff import Change, is_short, jsonable, show
from mechctl.services.diff import DiffResult, RecordDiff

FOLD = 80  # longer values are folded into <details> in markdown
_LOG_NAMES = {"inspections": "inspection", "iterations": "iteration", "timeline": "timeline entry"}


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def _state_word(record: RecordDiff, key: str) -> Change | None:
    if record.delta is None:
        return None
    return next((c for c in record.delta.state if c.path == key and c.kind == "changed"), None)


def summary(record: RecordDiff) -> str:
    """One line per record, for the summary table."""
    facts = record.facts()
    if record.change == "added":
        if record.kind == "mechanism":
            return f"new, {facts.get('status', '?')}, v{facts.get('version', '?')}"
        return (
            f"raised: {facts.get('severity', '?')} at {facts.get('level', '?')}, "
            f"{facts.get('status', '?')}"
        )
    if record.change == "removed":
        return "removed"
    parts = []
    if record.change == "renamed":
        parts.append(f"renamed from {record.old_path}")
    delta = record.delta
    if delta is not None:
        if delta.version:
            parts.append(f"v{delta.version[0]} → v{delta.version[1]}")
        status = _state_word(record, "status")
        if status is not None:
            parts.append(f"{show(status.old)} → {show(status.new)}")
        level = _state_word(record, "level")
        if level is not None:
            parts.append(f"level {show(level.old)} → {show(level.new)}")
        others = [c for c in delta.state if c.path not in ("status", "level")]
        if delta.definition:
            word = "definition change" if record.kind == "mechanism" else "field change"
            parts.append(_plural(len(delta.definition), word))
        if others:
            parts.append(_plural(len(others), "state change"))
        for log, entries in delta.appended.items():
            parts.append(f"+{_plural(len(entries), _LOG_NAMES.get(log, 'entry'))}")
        if delta.log_edits:
            parts.append(f"{_plural(len(delta.log_edits), 'log entry')} rewritten")
        if delta.empty() and record.change != "renamed":
            parts.append("formatting or comments only")
    if record.new.invalid:
        parts.append("INVALID after the change")
    elif record.old.invalid:
        parts.append("was invalid, now valid")
    return ", ".join(parts) or record.change


def _entry_lines(log: str, entry: Any) -> tuple[str, list[str]]:
    """A log entry as a head line and detail lines."""
    if not isinstance(entry, dict):
        return show(entry), []
    item = jsonable(entry)
    if log == "inspections":
        head = f"{item.get('date')} {item.get('outcome')} by {item.get('by')}"
        details = [f"metric {k}: {show(v)}" for k, v in (item.get("metrics") or {}).items()]
        details += [f"anecdote: {a}" for a in item.get("anecdotes") or []]
        details += [f"action: {a}" for a in item.get("actions") or []]
        return head, details
    if log == "iterations":
        refs = item.get("escalations") or []
        head = f"v{item.get('version')} ({item.get('date')}): {item.get('why')}"
        return head, [f"escalation: {ref}" for ref in refs]
    if log == "timeline":
        head = f"{item.get('at')} {item.get('action')} by {item.get('by')}"
        if item.get("level"):
            head += f" (level {item.get('level')})"
        return head, [f"note: {item['note']}"] if item.get("note") else []
    return show(item), []


def _sections(record: RecordDiff) -> Iterator[tuple[str, list[Change]]]:
    delta = record.delta
    if delta is None:
        return
    yield ("Definition" if record.kind == "mechanism" else "Fields"), delta.definition
    yield "State", delta.state
    yield "Log entries rewritten", delta.log_edits


# -- text ----------------------------------------------------------------------------------


def text_lines(result: DiffResult) -> list[Text]:
    lines: list[Text] = []
    for record in result.records:
        head = Text()
        head.append(f"{record.kind} {record.id}", style="bold")
        head.append(f": {summary(record)}")
        lines.append(head)
        for side, problem in (("before", record.old.invalid), ("after", record.new.invalid)):
            if problem:
                lines.append(Text(f"  invalid {side}: {problem}", style="red"))
        delta = record.delta
        if delta is None:
            continue
        for why in delta.why():
            lines.append(Text(f"  why: {why}"))
        for title, changes in _sections(record):
            if changes:
                lines.append(Text(f"  {title.lower()}:", style="italic"))
                lines += [Text(f"    {change.summary()}") for change in changes]
        for log, entries in delta.appended.items():
            lines.append(Text(f"  new {log}:", style="italic"))
            for entry in entries:
                head_line, details = _entry_lines(log, entry)
                lines.append(Text(f"    {head_line}"))
                lines += [Text(f"      {detail}") for detail in details]
    return lines


# -- markdown ------------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: str) -> str:
    """Inline text with markdown and HTML characters escaped, on one line."""
    return _ESCAPE.sub(r"\\\1", " ".join(str(text).split()))


def code(text: str) -> str:
    text = " ".join(str(text).split())
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (ticks + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(value: Any) -> list[str]:
    text = value if isinstance(value, str) else _yamlish(value)
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, ticks + 1)
    return [f"{fence}text", *text.rstrip("\n").splitlines(), fence]


def _yamlish(value: Any) -> str:
    import json

    return json.dumps(jsonable(value), indent=2, ensure_ascii=False)


def _foldable(value: Any) -> bool:
    return not is_short(value) and (
        len(show(value)) > FOLD or "\n" in show(value) or isinstance(value, dict | list)
    )


def _md_change(change: Change) -> list[str]:
    where = code(change.path)
    values = (
        [change.old, change.new]
        if change.kind == "changed"
        else [change.new if change.kind == "added" else change.old]
    )
    if not any(_foldable(v) for v in values):
        if change.kind == "changed":
            return [f"- {where}: {code(show(change.old))} → {code(show(change.new))}"]
        value = change.new if change.kind == "added" else change.old
        return [f"- {where} {change.kind}: {code(show(value))}"]
    lines = [f"- <details><summary>{where} {change.kind}</summary>", ""]
    if change.kind == "changed":
        lines += ["  Before:", "", *("  " + line for line in _block(change.old)), ""]
        lines += ["  After:", "", *("  " + line for line in _block(change.new)), ""]
    else:
        value = change.new if change.kind == "added" else change.old
        lines += [*("  " + line for line in _block(value)), ""]
    return [*lines, "  </details>"]


def markdown(result: DiffResult) -> str:
    out = ["## mechctl diff", ""]
    if result.target is None and result.spec == "HEAD":
        out.append(f"Uncommitted record changes against {code(result.spec)}.")
    elif result.target is None:
        out.append(f"Record changes from {code(result.spec)} to the working tree.")
    else:
        out.append(f"Record changes in {code(result.spec)}.")
    out.append("")
    if not result.records:
        return "\n".join([*out, "No record changed.", ""])
    out += ["| Record | Kind | Change | Summary |", "|---|---|---|---|"]
    for record in result.records:
        out.append(
            f"| {code(record.id)} | {record.kind} | {record.change} | {md(summary(record))} |"
        )
    for record in result.records:
        if out[-1]:
            out.append("")
        out += [f"### {code(record.id)} ({record.kind}, {record.change})", ""]
        title = record.facts().get("title")
        if title:
            out += [f"*{md(title)}*", ""]
        for side, problem in (("Before", record.old.invalid), ("After", record.new.invalid)):
            if problem:
                out += [f"**Invalid {side.lower()} the change:** {md(problem)}", ""]
        delta = record.delta
        if delta is None:
            line = md(summary(record))
            out.append(f"{line[:1].upper()}{line[1:]}.")
            continue
        if delta.version:
            out += [f"**Version:** {delta.version[0]} → {delta.version[1]}", ""]
        for why in delta.why():
            out += [f"**Why:** {md(why)}", ""]
        for title_text, changes in _sections(record):
            if changes:
                out += [f"**{title_text}**", ""]
                for change in changes:
                    out += _md_change(change)
                out.append("")
        for log, entries in delta.appended.items():
            out += [f"**New {log}**", ""]
            for entry in entries:
                head, details = _entry_lines(log, entry)
                out.append(f"- {md(head)}")
                out += [f"  - {md(detail)}" for detail in details]
            out.append("")
        if delta.empty():
            out += ["Formatting or comments only; no field changed.", ""]
    return "\n".join(out).rstrip("\n") + "\n"
