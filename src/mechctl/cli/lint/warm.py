"""The warm path of `mechctl lint`: answer from the index before loading the rest.

Starting the full command line costs about 0.3 s (typer, pydantic, the models): more than a
warm lint takes. When the command line is a plain `mechctl [-C PATH] lint [--format
text|json|github|sarif] [--fail-level L] [PATH]...`, this opens the index (which brings it up
to date, services/core/index/), takes the state of the run (services/lint/state.py) and, when
the run kept in the index is of that state and its findings still hold (services/lint/kept.py),
writes it with the same renderers (a whole run: its format's kept pieces with the timed
findings merged in, cli/lint/merge.py), and returns the exit code. Anything else (another
option, a changed file, colour on a terminal, any error at all) returns None, and the full
command runs, on the index and state opened here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mechctl.services.core.context import Workspace
    from mechctl.services.lint.finding import LintReport

_FORMATS = ("text", "json", "github", "sarif")
_LEVELS = ("error", "warning")


def run(argv: list[str]) -> int | None:
    try:
        return _run(argv)
    except Exception:
        return None


def _parse(argv: list[str]) -> tuple[str | None, str, str, list[str]] | None:
    """(repo, format, fail level, paths) of a plain lint command line, or None."""
    args = list(argv)
    repo = None
    while args and args[0] != "lint":
        option = args.pop(0)
        if option in ("-C", "--repo") and args:
            repo = args.pop(0)
        elif option.startswith("--repo="):
            repo = option.split("=", 1)[1]
        else:
            return None
    if not args:
        return None
    args.pop(0)
    values = {"--format": "text", "--fail-level": "error"}
    paths: list[str] = []
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name in values:
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            values[name] = value
        elif arg == "--":
            paths += args
            break
        elif arg.startswith("-"):
            return None
        else:
            paths.append(arg)
    if values["--format"] not in _FORMATS or values["--fail-level"] not in _LEVELS:
        return None
    return repo, values["--format"], values["--fail-level"], paths


def _run(argv: list[str]) -> int | None:
    parsed = _parse(argv)
    if parsed is None:
        return None
    repo, output, fail_level, paths = parsed
    colour = sys.stdout.isatty() or os.environ.get("FORCE_COLOR")
    if output == "text" and colour and not os.environ.get("NO_COLOR"):
        return None  # colour is rich's job
    start = Path(repo).expanduser().resolve() if repo else Path.cwd()
    found = _recall(start, paths)
    if found is None:
        return None
    report, ws = found
    from mechctl.cli.lint.output import render

    body = render(report, output, ws)
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
    return 1 if report.fails(fail_level) else 0


def _recall(start: Path, paths: list[str]) -> tuple[LintReport, Workspace] | None:
    """The report of the run kept in the index, when it is of this state and still holds,
    and its workspace; else None, and the index and state are handed on to the full
    command. A whole run comes as its two parts (cli/lint/merge.py writes it)."""
    from mechctl import clock
    from mechctl.git.repo import Git
    from mechctl.services.core.context import Workspace
    from mechctl.services.core.index.store import store_file
    from mechctl.services.lint import kept, state
    from mechctl.services.lint.files import selected, selection
    from mechctl.services.lint.finding import Finding, LintReport, Split

    ws = Workspace(git=Git.discover(start))
    if not store_file(ws).is_file():
        return None  # cold: the full command builds the index
    chosen = selection(ws.root, start, paths)
    index, taken, now = state.opened(ws, clock.now)
    try:
        if chosen is None and index.store is not None:
            parts = kept.recall_parts(index.db, taken.key, now)
            if parts is not None:
                run, static = parts
                state.keep(index.db, taken)
                index.close()
                split = Split(static, [Finding(*item) for item in run.findings])
                report = LintReport(None, run.files, run.files, ws.root, split=split)
                report.kept = (index.store, taken.key)
                return report, ws
        recalled = kept.recall(index.db, taken.key, now) if chosen is not None else None
        if recalled is None:
            state.hand_on(ws.root, index, taken)
            return None
    except BaseException:
        index.close()
        raise
    state.keep(index.db, taken)
    index.close()
    findings = [Finding(*item) for item in recalled.findings]
    report = LintReport(
        [f for f in findings if selected(f.path, chosen)], recalled.files, recalled.files, ws.root
    )
    return report, ws
