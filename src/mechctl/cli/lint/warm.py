"""The warm path of `mechctl lint`: answer from the run memo before loading the rest.

Starting the full command line costs about 0.3 s (typer, pydantic, the models): more than a
whole warm lint of 10,000 records may take (a twentieth of a cold one, docs/design.md §8). When the
command line is a plain `mechctl [-C PATH] lint [--format text|json|github] [--fail-level
L] [PATH]...` and the repository is in the state of the last run, within the span its
findings hold (see services/lint/cache.py), this prints them with the same renderers and
returns the exit code. Anything else (another option, a changed file, colour on a terminal,
any error at all) returns None, and the full command runs; it reads the same memo.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

_FORMATS = ("text", "json", "github")
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
    from mechctl.services.lint.memo import recall

    start = Path(repo).expanduser().resolve() if repo else Path.cwd()
    report = recall(start, paths)
    if report is None:
        return None
    from mechctl.cli.lint.output import github, text_parts

    if output == "json":
        out = json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False)
        sys.stdout.write(out + "\n")
    elif output == "github":
        sys.stdout.write("".join(line + "\n" for line in github(report)))
    else:
        sys.stdout.write("".join(piece for piece, _ in text_parts(report)))
    sys.stdout.flush()
    return 1 if report.fails(fail_level) else 0
