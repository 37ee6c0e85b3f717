"""`mechctl lint`: every record file's result from the index (services/core/index/: its rows
hold lint's per-file results, built with them, on all cores when cold), a check of the few
files it does not hold, the cross-file, repository and `--base` rules over summaries made from
its columns, the configured levels. A whole run is kept in the index's SQLite under the key
of the state it came from (services/lint/kept.py, state.py), and a run in the same state
answers from it. Returns data; the command layer renders it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mechctl.models import Config
from mechctl.services.core.context import Workspace
from mechctl.services.core.index.store import ESCALATION, MECHANISM
from mechctl.services.lint import base as base_rules
from mechctl.services.lint import crossfile, filecheck, files, kept, repo_rules
from mechctl.services.lint import state as state_module
from mechctl.services.lint.finding import Finding, LintReport, Split, order
from mechctl.services.lint.rules import OFF, RULES, check_config, levels
from mechctl.store.layout import CONFIG_FILE

if TYPE_CHECKING:
    from mechctl.services.core.index import Index

Raw = tuple[str, int, int, str, str, str]  # rel, line, column, rule, message, level


def lint(ws: Workspace, paths: list[str] | None = None, base: str | None = None) -> LintReport:
    from mechctl.services.core.index import Index

    root = ws.root
    handed = state_module.handed(root)
    if handed is not None:
        index, state = handed
        assert isinstance(index, Index)
        now = ws.now()
    else:
        index, state, now = state_module.opened(ws, ws.now)
    try:
        config = ws.config
        check_config(config, state.config.decode("utf-8", "replace") or None, CONFIG_FILE)
        commit = base_rules.resolve(ws.git, base) if base is not None else None
        parts = kept.recall_parts(index.db, state.key, now) if commit is None else None
        recalled = parts[0] if parts is not None else None
        split: Split | None = None
        if parts is not None:
            split = Split(parts[1], [Finding(*item) for item in parts[0].findings])
            files_count = reused = parts[0].files
        else:
            run = _Run(ws, index, state, config, now)
            static = kept.recall_static(index.db, state.key) if commit is None else None
            if static is not None:
                split, until = run.from_static(static)
            else:
                split, until = run.findings(commit)
            files_count, reused = run.files, run.reused
        with contextlib.suppress(Exception):
            index.db.execute("COMMIT")  # the reads are done; what follows writes
        for name, depends, value in state.writes:
            kept.keep_fact(index.db, name, depends, value)
        if recalled is None:
            assert split is not None
            run.keep()
            if commit is None:
                errors, warnings = split.count("error"), split.count("warning")
                counts = kept.Run(files_count, errors, warnings, _lists(split.timed))
                kept.remember(index.db, state.key, now, until, counts)
                if run.static is not None:
                    kept.remember_static(index.db, state.key, run.static)
    finally:
        index.close()
    if split is not None and paths is None:
        report = LintReport(None, files_count, reused, root, split=split)
    else:
        assert split is not None
        every = split.merged()
        chosen = [f for f in every if files.selected(f.path, paths)]
        report = LintReport(chosen, files_count, reused, root)
    if commit is None and paths is None and index.store is not None:
        report.kept = (index.store, state.key)
    return report


_KINDS = {ESCALATION: files.ESCALATION, MECHANISM: files.MECHANISM}
# Whether an escalation's lint column holds no per-file finding: `[[],` begins its JSON.
_NO_FINDINGS = b"[[],"


class _Run:
    """One whole run that the memo could not answer: per-file results from the index's rows
    (and a check of the loose files), the cross-file and repository rules over summaries made
    from the index's columns."""

    def __init__(
        self, ws: Workspace, index: Index, state: state_module.State, config: Config, now: datetime
    ) -> None:
        self.ws, self.index, self.state, self.config, self.now = ws, index, state, config, now
        self.root = ws.root
        self.teams = frozenset(config.teams) if config.teams is not None else None
        self.places: list[tuple[str, str, str, int, int]] = []
        self.facts: list[tuple[str, object, object]] = []
        self.files = 0
        self.reused = 0
        self.columned: set[str] = set()  # valid escalations: `timed` reads their columns
        self.static: kept.Static | None = None  # the untimed part of a whole run, to keep

    def findings(self, commit: str | None) -> tuple[Split, datetime | None]:
        found: list[Raw] = []
        summaries: dict[str, filecheck.Summary] = {}
        stems: set[str] = set()
        stems_files: list[str] = []
        blobs: dict[str, str] = {}
        current: list[base_rules.Current] = []
        for rel, kind, blob, result in self._results():
            self.files += 1
            summary = result[1]
            if summary is not None:
                summaries[rel] = summary
            if kind == files.MECHANISM:
                stems.add(rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
                stems_files.append(rel)
            if blob is not None:
                blobs[rel] = blob
                if commit is not None:
                    current.append(base_rules.Current(rel, kind, blob, None))
            found.extend((rel, *item) for item in result[0])
        pending = crossfile.untimed(summaries, stems)
        if commit is not None:
            pending += base_rules.check(self.ws.git, self.root, commit, current)
        found += self._place(pending, blobs)
        found += repo_rules.run(self.root, self.config, summaries, self, len(stems_files))
        static = _settle(found, levels(self.config))
        # What `timed` reads besides the valid escalations, whose columns it reads itself.
        extra = [
            [rel, blobs.get(rel), list(summary)]
            for rel, summary in sorted(summaries.items())
            if summary[0] == files.MECHANISM or rel not in self.columned
        ]
        self.static = kept.Static(self.files, self.reused, _lists(static), extra)
        dynamic, until = self.timed(extra)
        return Split(self.static.findings, dynamic), until

    def from_static(self, static: kept.Static) -> tuple[Split, datetime | None]:
        """A whole run from the untimed findings kept for this state, and `timed` now."""
        self.files, self.reused = static.files, static.reused
        dynamic, until = self.timed(static.extra)
        return Split(static.findings, dynamic), until

    def timed(self, extra: list[list[Any]]) -> tuple[list[Finding], datetime | None]:
        """The findings that depend on the clock, over `extra` and the valid escalations
        that are unresolved or recent, read from the index's columns."""
        from datetime import timedelta

        from mechctl.services.core import analysis

        escalations: list[tuple[str, filecheck.Summary]] = []
        mechanisms: dict[str, list[tuple[str, filecheck.Summary]]] = {}
        blobs: dict[str, str] = {}
        for rel, blob, summary in extra:
            if blob is not None:
                blobs[rel] = blob
            if summary[0] == files.MECHANISM:
                mechanisms.setdefault(summary[1], []).append((rel, tuple(summary)))
            else:
                escalations.append((rel, tuple(summary)))
        # A day's margin on the window (and on any time zone raised_at is written in):
        # `crossfile.timed` draws the exact line. `+valid`: by status, not by validity.
        since = (self.now - analysis.RECURRING_WINDOW - timedelta(days=1)).astimezone(UTC)
        columns = (
            "path, origin, blob, id, mechanism, failure_mode, severity, status, raised_ts,"
            " change_mechanism, change_version FROM files WHERE kind = ? AND +valid = 1"
            " AND path NOT GLOB '*/.*'"
        )
        seen: set[str] = set()
        untracked = self.state.untracked
        for sql, args in (
            (f"SELECT {columns} AND status IN (?, ?)", (ESCALATION, "open", "acknowledged")),
            (
                f"SELECT {columns.replace('+valid', 'valid')} AND raised_at >= ?",
                (ESCALATION, since.strftime("%Y-%m-%d")),
            ),
        ):
            for rel, origin, blob, *summary in self.index.rows(sql, args):
                if rel in seen or (origin == 2 and rel not in untracked):
                    continue
                seen.add(rel)
                blobs[rel] = blob
                escalations.append((rel, (files.ESCALATION, *summary)))
        escalations.sort(key=lambda item: item[0])
        pending, until = crossfile.timed(
            escalations, mechanisms, self.config, self.now, self._activations
        )
        return _settle(self._place(pending, blobs), levels(self.config)), until

    def _results(self) -> Iterable[tuple[str, str, str | None, filecheck.Result]]:
        """(path, lint kind, blob id, result) of every record file, in no particular order."""
        import orjson

        untracked = self.state.untracked
        teams = self.teams
        sql = (
            "SELECT path, kind, blob, origin, valid, problems, CASE WHEN kind = ? AND valid = 1"
            " AND substr(lint, 1, 4) = ? THEN NULL ELSE lint END, id, mechanism,"
            " failure_mode, severity, status, raised_ts, change_mechanism, change_version,"
            " owner FROM files WHERE path NOT GLOB '*/.*'"
        )
        for row in self.index.rows(sql, (ESCALATION, _NO_FINDINGS)):
            rel, kind, blob, origin, valid, problems, lint = row[:7]
            if origin == 2 and rel not in untracked:
                continue  # ignored by git: the index holds it, lint does not read it
            self.reused += 1
            kind = _KINDS[kind]
            if valid and kind == files.ESCALATION:
                self.columned.add(rel)
                summary = (files.ESCALATION, *row[7:15])
                items = tuple(map(tuple, orjson.loads(lint)[0])) if lint is not None else ()
                owner = row[15]
                if teams is not None and owner is not None and owner not in teams:
                    items += self._teams(rel, [(("owner",), owner)])
                yield rel, kind, blob, (items, summary)
            elif lint is not None:
                items, summary, named = orjson.loads(lint)
                yield rel, kind, blob, ((*map(tuple, items), *self._teams(rel, named)), summary)
            else:
                yield rel, kind, blob, filecheck.from_problems(orjson.loads(problems))
        ctx = filecheck.FileContext(tuple(self.config.escalation.levels), teams)
        for record in self.state.loose:
            if record.problem is not None or record.blob is None:
                problem = record.problem or "cannot read the file"
                yield record.rel, record.kind, None, ((_unread(problem),), None)
                continue
            data = record.data
            if data is None:
                try:
                    data = (self.root / record.rel).read_bytes()
                except OSError as exc:
                    problem = f"cannot read the file: {exc.strerror or exc}"
                    yield record.rel, record.kind, None, ((_unread(problem),), None)
                    continue
            yield (
                record.rel,
                record.kind,
                record.blob,
                filecheck.check(record.rel, record.kind, data, ctx),
            )

    def _teams(self, rel: str, named: Any) -> tuple[filecheck.RawFinding, ...]:
        return filecheck.team_findings(rel, partial(_text, self.root, rel), named, self.teams)

    def _activations(self) -> dict[str, str]:
        """mechanism id -> date of its latest activation commit; one `git log`, kept per HEAD."""
        head = self.state.head
        if head is None:
            return {}
        stored = self.fact("activations", head)
        if isinstance(stored, dict):
            return {str(k): str(v) for k, v in stored.items()}
        found = self.ws.git.trailer_dates("mechanism.activate")
        self.put_fact("activations", head, found)
        return found

    # -- repository-wide facts, for repo_rules ----------------------------------------------

    def fact(self, name: str, depends: object) -> Any:
        return kept.fact(self.index.db, name, depends)

    def put_fact(self, name: str, depends: object, value: object) -> None:
        self.facts.append((name, depends, value))

    def _place(self, pending: list[crossfile.Pending], blobs: dict[str, str]) -> list[Raw]:
        """Turn YAML paths into lines and columns, reading each file at most once."""
        wanted = []
        for rel, path, *_ in pending:
            blob = blobs.get(rel)
            if blob is not None:
                wanted.append((rel, blob, "/".join(str(part) for part in path)))
        known = kept.places(self.index.db, wanted)
        out = []
        texts: dict[str, str | None] = {}
        for rel, path, rule, message, level in pending:
            blob = blobs.get(rel)
            at = "/".join(str(part) for part in path)
            where = known.get((rel, blob, at)) if blob is not None else None
            if where is None:
                where = (1, 1)
                if rel not in texts:
                    texts[rel] = _text(self.root, rel) or None
                text = texts[rel]
                if text is not None and path:
                    where = filecheck.position(text, path, rel)
                if blob is not None and text is not None:
                    known[(rel, blob, at)] = where
                    self.places.append((rel, blob, at, *where))
            out.append((rel, where[0], where[1], rule, message, level))
        return out

    def keep(self) -> None:
        """Write what this run learnt (after the reads: the read transaction is over)."""
        kept.keep_places(self.index.db, self.places)
        for name, depends, value in self.facts:
            kept.keep_fact(self.index.db, name, depends, value)


def _unread(problem: str) -> filecheck.RawFinding:
    return (1, 1, "yaml-syntax", problem, "")


def _text(root: Path, rel: str) -> str:
    try:
        return (root / rel).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _settle(found: Iterable[Raw], configured: dict[str, str]) -> list[Finding]:
    """Apply `lint.rules` levels, drop what is off, sort."""
    settled = set()  # as tuples: hashing them is several times cheaper than Findings
    for rel, line, column, rule, message, level in found:
        severity = configured.get(rule) or level or RULES[rule].severity
        if severity != OFF:
            settled.add((rel, line, column, rule, message, severity))
    return [Finding(p, n, c, r, s, m) for p, n, c, r, m, s in sorted(settled)]


_order = order


def _lists(found: list[Finding]) -> list[list[Any]]:
    return [[f.path, f.line, f.column, f.rule, f.severity, f.message] for f in found]
