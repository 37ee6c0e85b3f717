"""The repositories the bench measures on (docs/design.md §8), each built once per run and
shared by every figure that needs it.

- `realistic-N`: an organisation's records as they stand after five years (records.py): N
  escalations and 100 mechanisms (200 from 100,000 escalations), with one commit per
  mechanism command (new, activate, retire, with mechctl's subjects and trailers, so that
  what reads them finds them) and one that adds every escalation and the mechanisms' latest
  inspections and changes. `lint` measures on `realistic-10000`.
- `history-C`: such an organisation replayed as C commits, one per mechctl command (raise,
  ack, comment, level raise, resolve, close; mechanism new, activate, inspect, set, retire),
  each with mechctl's subject and trailers and the file as that command left it.

Everything goes into the repository in one `git fast-import` stream, then one checkout writes
the work tree and the index, and `git gc` packs it as git's automatic maintenance would. The
same seed gives the same repository. A built repository carries a marker with its name and
FORMAT, so `--work DIR` reuses it until the builders change.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from records import (
    LEVELS,
    NOW,
    PEOPLE,
    START,
    TEAMS,
    Escalation,
    Mechanism,
    mechanisms_for,
    organisation,
)

from mechctl.models.defaults import DEFAULT_ACK_WITHIN, DEFAULT_RESOLVE_WITHIN
from mechctl.services.doctor import ATTRIBUTES, local_driver
from mechctl.services.schema import schema_texts
from mechctl.store import layout

# Bump when a builder, or the records it writes, changes: a repository kept with --work is
# then built again.
FORMAT = 1
BASE_TAG = "bench-base"  # the built commit; every use starts from it

CONFIG = (
    "# yaml-language-server: $schema=schemas/config.schema.json\n"
    f"# An organisation of {len(TEAMS)} teams (bench/builders.py).\n\n"
    "escalation:\n"
    f"  levels: [{', '.join(LEVELS)}]\n"
    "  default_level: director\n"
    "  ack_within: {"
    + ", ".join(f"{k}: {v}" for k, v in DEFAULT_ACK_WITHIN.items())
    + "}\n  resolve_within: {"
    + ", ".join(f"{k}: {v}" for k, v in DEFAULT_RESOLVE_WITHIN.items())
    + "}\n\nteams:\n"
    + "".join(f'  {t}: {{codeowners: ["@example-org/{t}"]}}\n' for t in TEAMS)
    + "\nlint:\n  rules: {}\n"
)


# --- repositories -------------------------------------------------------------------------------


class FastImport:
    """One `git fast-import` stream onto `main`: commits of whole files, dated and signed."""

    def __init__(self, repo: Path) -> None:
        subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
        self.repo = repo
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE
        )
        assert self.process.stdin is not None
        self.out = self.process.stdin
        self.commits = 0

    def _data(self, text: str) -> None:
        raw = text.encode("utf-8")
        self.out.write(b"data %d\n" % len(raw))
        self.out.write(raw)
        self.out.write(b"\n")

    def commit(
        self, when: datetime, who: str, message: str, files: Iterable[tuple[str, str]]
    ) -> None:
        stamp = f"{int(when.timestamp())} +0000"
        self.out.write(f"commit refs/heads/main\nauthor {who} {stamp}\n".encode())
        self.out.write(f"committer {who} {stamp}\n".encode())
        self._data(message)
        for rel, text in files:
            self.out.write(f"M 100644 inline {rel}\n".encode())
            self._data(text)
        self.out.write(b"\n")
        self.commits += 1

    def finish(self) -> None:
        """Close the stream; check out `main` (the work tree and an index with stat data)."""
        self.out.write(b"done\n")
        self.out.close()
        if self.process.wait() != 0:
            raise RuntimeError("git fast-import failed")
        git(self.repo, "checkout", "-q", "-f", "main")
        # What `mechctl init` configures in each clone: the record merge driver.
        git(self.repo, "config", "merge.mechctl.name", "mechctl field-level record merge")
        git(self.repo, "config", "merge.mechctl.driver", local_driver())


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def message(subject: str, action: str | None, record: str, body: str | None = None) -> str:
    """A commit message as mechctl writes it (services/core/txn.py); no action: a hand edit."""
    parts = [subject] + ([body] if body else [])
    if action:
        parts.append(f"Mechctl-Action: {action}\nMechctl-Record: {record}")
    return "\n\n".join(parts) + "\n"


def _init_files() -> list[tuple[str, str]]:
    """What `mechctl init` commits, with the organisation's teams in the configuration."""
    return [(layout.CONFIG_FILE, CONFIG), *schema_texts().items(), (".gitattributes", ATTRIBUTES)]


def _init(stream: FastImport) -> None:
    stream.commit(
        START - timedelta(days=1),
        PEOPLE[0],
        message(
            "mechctl init",
            "repo.init",
            ".",
            "Configuration, record folders and JSON Schemas for mechanisms and escalations.",
        ),
        _init_files(),
    )


@dataclass(frozen=True, slots=True)
class Command:
    """One mechctl command in a record's life: its commit, and the record's state after it
    (the arguments of `record.text`)."""

    when: datetime
    who: str
    action: str
    message: str
    record: Mechanism | Escalation
    state: tuple[Any, ...]

    def file(self) -> tuple[str, str]:
        return self.record.rel, self.record.text(*self.state)


def _mechanism_commands(mech: Mechanism) -> list[Command]:
    """new, activate, inspect, set (a new version) and retire, in order; the state is
    (inspections, iterations, status)."""
    who = PEOPLE[len(mech.id) % len(PEOPLE)]

    def command(when: datetime, action: str, subject: str, body: str | None) -> Command:
        text = message(subject, action, mech.id, body)
        return Command(when, who, action, text, mech, (inspections, iterations, status))

    inspections, iterations, status = 0, 1, "draft"
    title = mech.body["title"]
    found = [
        command(
            mech.created,
            "mechanism.create",
            f"mechanism new: {mech.id} ({title})",
            f"Created from the {mech.template} template.",
        )
    ]
    moments: list[tuple[datetime, int, str]] = []  # the int orders commands of one moment
    if mech.activated:
        moments.append((mech.activated, 0, "activate"))
    moments += [(at, 1, "set") for at, _ in mech.iterations[1:]]
    moments += [(at, 2, "inspect") for at, _ in mech.inspections]
    if mech.retired:
        moments.append((mech.retired, 3, "retire"))
    for when, _, what in sorted(moments):
        body = None
        if what == "activate":
            status = "active"
            subject = f"mechanism activate: {mech.id}"
        elif what == "set":
            iterations += 1
            entry = mech.iterations[iterations - 1][1]
            subject, body = f"mechanism set: {mech.id} v{entry['version']}", entry["why"]
        elif what == "inspect":
            inspections += 1
            subject = f"inspect: {mech.id} ({mech.inspections[inspections - 1][1]['outcome']})"
        else:
            status = "retired"
            subject, body = f"mechanism retire: {mech.id}", mech.retire_reason
        found.append(command(when, f"mechanism.{what}", subject, body))
    return found


VERBS = {"acknowledged": "ack", "commented": "comment", "resolved": "resolve", "closed": "close"}


def _escalation_commands(esc: Escalation) -> list[Command]:
    """One per timeline entry (escalate, ack, comment, raise, resolve, close); the state is
    the number of entries."""
    found = []
    for index, (when, by, action, note, level) in enumerate(esc.timeline):
        body = None
        if action == "raised":
            name, subject = "escalation.raise", f"escalate: {esc.title}"
        elif action == "level-raised":
            name, subject = "escalation.level-raise", f"escalation raise to {level}: {esc.title}"
        else:
            name, subject = (
                f"escalation.{VERBS[action]}",
                f"escalation {VERBS[action]}: {esc.title}",
            )
            body = None if action == "resolved" else note
        text = message(subject, name, esc.id, body)
        found.append(Command(when, by, name, text, esc, (index + 1,)))
    return found


def build_realistic(repo: Path, count: int) -> str:
    """`realistic-N`: the organisation's records as they stand now (see the module docstring)."""
    org = organisation(count, mechanisms_for(count))
    stream = FastImport(repo)
    _init(stream)
    # The mechanisms' own commits (new, activate, retire), so that what reads the trailers
    # (activation dates) finds them; their inspections and changes come with the last commit.
    kept = ("mechanism.create", "mechanism.activate", "mechanism.retire")
    commands = [c for m in org.mechanisms for c in _mechanism_commands(m) if c.action in kept]
    for command in sorted(commands, key=lambda c: c.when):
        stream.commit(command.when, command.who, command.message, [command.file()])
    files = [(m.rel, m.final_text()) for m in org.mechanisms]
    files += [(e.rel, e.text()) for e in org.escalations]
    stream.commit(NOW, PEOPLE[0], message(f"Import {count:,} escalations", None, ""), files)
    stream.finish()
    return f"{org.describe()}, {stream.commits} commits"


def build_history(repo: Path, commits: int) -> str:
    """`history-C`: an organisation replayed, one commit per mechctl command, cut at C."""
    mechanisms = max(10, min(100, commits // 500))
    escalations = max(100, commits // 4)
    # Size the organisation so that its commands just exceed C: the cut then drops only the
    # last few days, and the records at HEAD keep the mix of an organisation's present.
    for _ in range(4):
        org = organisation(escalations, mechanisms)
        commands = [c for m in org.mechanisms for c in _mechanism_commands(m)]
        commands += [c for e in org.escalations for c in _escalation_commands(e)]
        if commits - 1 <= len(commands) <= commits * 1.005:
            break
        per = sum(len(e.timeline) for e in org.escalations) / len(org.escalations)
        escalations += round((commits * 1.002 - len(commands)) / per) + 1
    commands.sort(key=lambda c: c.when)  # stable: a record's commands keep their order
    stream = FastImport(repo)
    _init(stream)
    for command in commands[: commits - 1]:
        stream.commit(command.when, command.who, command.message, [command.file()])
    stream.finish()
    last = commands[: commits - 1][-1].when
    return f"{stream.commits:,} commits up to {last:%Y-%m-%d}, replaying {org.describe()}"


BUILDERS: dict[str, Callable[[Path, int], str]] = {
    "realistic": build_realistic,
    "history": build_history,
}


class Repos:
    """Each repository built once per run in `work`, and shared by every figure that asks for
    it; one kept from an earlier run is reused when its marker matches."""

    def __init__(self, work: Path, say: Callable[[str], None]) -> None:
        self.work = work
        self.say = say
        self.built: dict[str, str] = {}  # name -> what it holds

    def get(self, kind: str, size: int) -> Path:
        """The repository, reset to its built commit with nothing else in the tree."""
        name = f"{kind}-{size}"
        repo = self.work / name
        marker = repo / ".git" / "bench-built"
        want = f"{name} format {FORMAT}"
        if name not in self.built:
            kept = marker.read_text(encoding="utf-8").splitlines() if marker.is_file() else []
            if kept[:1] == [want]:
                self.say(f"reusing {name} in {repo}")
                self.built[name] = kept[1]
            else:
                shutil.rmtree(repo, ignore_errors=True)
                self.say(f"building {name} in {repo} ...")
                began = time.perf_counter()
                what = BUILDERS[kind](repo, size)
                git(repo, "gc", "--quiet")
                git(repo, "tag", "-f", BASE_TAG)
                marker.write_text(f"{want}\n{what}\n", encoding="utf-8")
                self.built[name] = what
                self.say(f"built {name} in {time.perf_counter() - began:.1f} s: {what}")
        git(repo, "reset", "-q", "--hard", BASE_TAG)
        git(repo, "clean", "-q", "-fdx", "--", layout.ESCALATIONS, layout.MECHANISMS)
        return repo
