"""The everyday reads, before typer loads (docs/design.md §8).

Importing typer, rich's help and the command tree costs more than a whole warm `escalation
list` over 100,000 records. A command line of one of these plain forms is parsed here and run
by the same body the typer command calls (cli/reads.py), so both paths print the same bytes
and fail the same way (cli/errors.py):

    mechctl [-C PATH | --repo PATH | --no-pager]... escalation list [--status S]
            [--mechanism M] [--severity S] [--failure-mode F] [--limit N] [--no-pager] [--json]
    mechctl [...] escalation show ID [--json]
    mechctl [...] mechanism list [--status S] [--owner O] [--limit N] [--no-pager] [--json]
    mechctl [...] due [--within DAYS] [--fail-on-overdue] [--limit N] [--no-pager] [--json]
    mechctl [...] status [--team T | -t T]... [--no-pager] [--json]   (MECHCTL_TEAM unset)

Anything else, including a value typer would reject (an unknown severity, `--limit 0`), help,
completion, a value that looks like an option, or `--`, returns None: typer then parses the
whole line and gives its own answer or its own usage error. `MECHCTL_NO_FASTPATH=1` turns this
off (tests run both ways and compare).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mechctl.cli import flags

_DIGITS = re.compile(r"[0-9]+")


def _text(value: str) -> str:
    return value


def _count(least: int) -> Callable[[str], int | None]:
    def parse(value: str) -> int | None:
        if not _DIGITS.fullmatch(value) or int(value) < least:
            return None
        return int(value)

    return parse


def _choice(values: Callable[[], tuple[str, ...]]) -> Callable[[str], str | None]:
    return lambda value: value if value in values() else None


def _severities() -> tuple[str, ...]:
    from mechctl.models.enums import Severity

    return tuple(s.value for s in Severity)


def _failure_modes() -> tuple[str, ...]:
    from mechctl.models.enums import FailureMode

    return tuple(f.value for f in FailureMode)


def _mechanism_statuses() -> tuple[str, ...]:
    from mechctl.models.enums import MechanismStatus

    return tuple(s.value for s in MechanismStatus)


@dataclass(frozen=True)
class Form:
    """One command's plain form: its options with a value (the option, its keyword and its
    parser, which returns None for what typer would reject), its flags, its arguments."""

    run: str  # the function of cli/reads.py
    refreshes: bool  # it reads the index through a whole refresh (services/core/index/)
    values: Mapping[str, tuple[str, Callable[[str], Any]]] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)
    arguments: tuple[str, ...] = ()
    repeated: Mapping[str, str] = field(default_factory=dict)  # an option given many times
    unless: str | None = None  # an environment variable typer reads for this command


_LISTING = {flags.NO_PAGER: "no_pager", flags.JSON: "as_json"}
_LIMIT = ("limit", _count(1))

FORMS: dict[tuple[str, ...], Form] = {
    ("escalation", "list"): Form(
        "escalation_list",
        True,
        {
            "--status": ("status", _text),  # the body checks it, as it does under typer
            "--mechanism": ("mechanism", _text),
            "--severity": ("severity", _choice(_severities)),
            "--failure-mode": ("failure_mode", _choice(_failure_modes)),
            flags.LIMIT: _LIMIT,
        },
        _LISTING,
    ),
    ("escalation", "show"): Form(
        "escalation_show", False, flags={flags.JSON: "as_json"}, arguments=("escalation_id",)
    ),
    ("mechanism", "list"): Form(
        "mechanism_list",
        True,
        {
            "--status": ("status", _choice(_mechanism_statuses)),
            "--owner": ("owner", _text),
            flags.LIMIT: _LIMIT,
        },
        _LISTING,
    ),
    ("status",): Form(
        "status",
        True,
        flags=_LISTING,
        repeated={"--team": "team", "-t": "team"},
        unless="MECHCTL_TEAM",  # typer splits it into teams: its own rule, left to it
    ),
    ("due",): Form(
        "due",
        True,
        {"--within": ("within", _count(0)), flags.LIMIT: _LIMIT},
        {**_LISTING, "--fail-on-overdue": "fail_on_overdue"},
    ),
}


@dataclass
class Parsed:
    form: Form
    repo: Path | None
    no_pager: bool  # the global one
    arguments: dict[str, Any]


def parse(argv: list[str]) -> Parsed | None:
    """The plain command line `argv`, or None when typer must read it."""
    args = list(argv)
    repo: Path | None = None
    no_pager = False
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if option in ("-C", "--repo") and args and not args[0].startswith("-"):
            repo = Path(args.pop(0))
        elif option.startswith("--repo=") and len(option) > len("--repo="):
            repo = Path(option.split("=", 1)[1])
        elif option == flags.NO_PAGER:
            no_pager = True
        else:
            return None
    words = next((words for words in FORMS if tuple(args[: len(words)]) == words), None)
    if words is None:
        return None
    form = FORMS[words]
    rest = args[len(words) :]
    found: dict[str, Any] = {}
    positional: list[str] = []
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if name in form.values:
            if not eq:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            keyword, check = form.values[name]
            parsed = check(value)
            if parsed is None:
                return None
            found[keyword] = parsed
        elif name in form.repeated:
            if not eq:
                if not rest or rest[0].startswith("-"):
                    return None
                value = rest.pop(0)
            found.setdefault(form.repeated[name], []).append(value)
        elif token in form.flags:
            found[form.flags[token]] = True
        elif token.startswith("-"):
            return None  # --help, --, an unknown option: typer's to answer
        else:
            positional.append(token)
    if form.unless is not None and os.environ.get(form.unless) is not None:
        return None
    if len(positional) != len(form.arguments):
        return None
    found.update(zip(form.arguments, positional, strict=True))
    return Parsed(form, repo, no_pager, found)


def run(argv: list[str]) -> int | None:
    """The exit code of a plain read command, or None when typer must run it."""
    if os.environ.get("MECHCTL_NO_FASTPATH", "") not in ("", "0"):
        return None
    if os.environ.get("_MECHCTL_COMPLETE"):
        return None
    parsed = parse(argv)
    if parsed is None:
        return None
    if parsed.form.refreshes:
        _prestart(parsed.repo)
    from mechctl.cli import reads
    from mechctl.cli.errors import handle
    from mechctl.cli.output import STATE

    STATE.argv, STATE.replay, STATE.repo, STATE.opened = list(argv), None, parsed.repo, []
    STATE.no_pager = parsed.no_pager
    try:
        getattr(reads, parsed.form.run)(**parsed.arguments)
    except BaseException as exc:
        return handle(exc)
    finally:
        if parsed.form.refreshes:
            from mechctl.git.proc import stop_early

            stop_early()  # one that was not taken (an error came first) answers no later read
    return 0


def _prestart(repo: Path | None) -> None:
    """Start the refresh's `git diff-files` now, so git reads the work tree's stat data while
    Python imports the rest (git/proc.py `prestart`): at 100,000 files, each takes about as
    long as the other. When the folder found here is not the one the workspace finds, the
    process is simply not taken."""
    here = Path(os.path.realpath((repo or Path(".")).expanduser()))
    for folder in (here, *here.parents):
        if os.path.isdir(folder / ".git"):
            break
    else:
        return
    from mechctl.git.index import DIRTY
    from mechctl.git.proc import prestart
    from mechctl.store.layout import ESCALATIONS, MECHANISMS

    prestart([*DIRTY, ESCALATIONS, MECHANISMS], folder, str(folder / ".git" / "index"))
