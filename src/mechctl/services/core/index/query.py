"""The read API of the index (docs/design.md §7): `open_index` brings it up to date and
gives an `Index`, whose reads run in one transaction, so they never see half an update. A
corrupt file is removed and built again, and a store that cannot be used at all is replaced,
for the run, by one in memory (mechctl.derived's policy): the output is the same either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mechctl import derived
from mechctl.errors import Location, Problem
from mechctl.services.core.index.changes import Raced, refresh
from mechctl.services.core.index.facts import config_facts
from mechctl.services.core.index.store import (
    COLUMNS,
    ESCALATION,
    MECHANISM,
    SCHEMA,
    Progress,
    Row,
    memory,
    store_file,
)

if TYPE_CHECKING:
    import sqlite3

    from mechctl.services.core.context import Workspace


class Index:
    """The index, current as of when it was opened; reads run in one transaction. Should
    the store turn out damaged while it is read, it is removed and the read goes on from one
    built in memory (the same rows, in the same order)."""

    def __init__(
        self, db: sqlite3.Connection, facts: dict[str, Any], ws: Workspace, file: Path | None
    ) -> None:
        self.db = db
        self.facts = facts  # of the configuration (index.config_facts)
        self.levels: list[str] = list(facts["levels"])
        self._ws = ws
        self._file = file

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.execute("COMMIT")
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _query(
        self, sql: str, args: Sequence[Any], decode: Callable[[tuple[Any, ...]], Any]
    ) -> Iterator[Any]:
        import sqlite3

        done = 0
        while True:
            try:
                for position, row in enumerate(self.db.execute(sql, args)):
                    if position < done:  # yielded before the store was found damaged
                        continue
                    value = decode(row)
                    done += 1
                    yield value
                return
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                self._rebuild(exc)

    def _rebuild(self, exc: Exception) -> None:
        """The store was found damaged mid-read: read on from one made in memory."""
        if self._file is None:
            raise exc
        derived.failed(self.db, self._file, exc)
        self._file = None
        self.db = memory()
        refresh(self.db, self._ws, self.levels, None)
        self.db.execute("BEGIN")

    def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """`rows`, all at once and without a Python step per row: for reads of many small
        rows (the report's 100,000 (mechanism, failure mode, raised at) groups)."""
        import sqlite3

        while True:
            try:
                return self.db.execute(sql, args).fetchall()
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                self._rebuild(exc)

    # -- rows ------------------------------------------------------------------------

    def escalations(
        self,
        *,
        statuses: Sequence[str] | None = None,
        mechanism: str | None = None,
        severity: str | None = None,
        failure_mode: str | None = None,
        owner: str | None = None,
        order: str = "raised",
        limit: int | None = None,
        times: bool | str = False,
    ) -> Iterator[Any]:
        """Valid escalations as JSON rows (model_dump's field names), oldest first
        (`order="path"`: in path order), filtered in SQL. `times`: each as (row, TIMES),
        the columns its derived figures come from (listing.deriver_of_times), the row as the
        index keeps it: JSON bytes, indented as an item of a `--json` array (build.shown);
        `times="epoch"`: the same with the times as whole seconds since the epoch
        (EPOCH_TIMES, for listing.derived_json)."""
        where, args = self._where(
            ESCALATION,
            statuses=statuses,
            mechanism=mechanism,
            severity=severity,
            failure_mode=failure_mode,
            owner=owner,
        )
        by = "raised_at, id, path" if order == "raised" else "path"
        chosen = "record"
        if times:
            chosen += ", " + ", ".join(EPOCH_TIMES if times == "epoch" else TIMES)
        # In raising order, an index gives the rows already sorted: sorting 100,000 records
        # instead would write them all to a temporary file first.
        using = ""
        if order == "raised":
            using = " INDEXED BY files_raised" if statuses is None else " INDEXED BY files_status"
        sql = f"SELECT {chosen} FROM files{using} WHERE {where} ORDER BY {by}"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, limit))
        return self._query(sql, args, _shown_and_times if times else _record)

    def escalations_linking(self, url: str) -> list[Row]:
        """Valid escalations whose `links` hold `url`: the stored JSON is searched first, so
        only candidates are decoded."""
        sql = (
            "SELECT record FROM files WHERE kind = ? AND valid = 1 AND instr(record, ?) > 0"
            " ORDER BY path"
        )
        found = self._query(sql, [ESCALATION, url.encode("utf-8")], _record)
        return [row for row in found if url in (row.get("links") or [])]

    def count(self, kind: str, **filters: Any) -> int:
        where, args = self._where(kind, **filters)
        sql = f"SELECT count(*) FROM files WHERE {where}"
        return int(next(self._query(sql, args, lambda row: row[0])))

    def columns(self, kind: str, names: Sequence[str], **filters: Any) -> list[tuple[Any, ...]]:
        """Only some columns of the valid rows, in path order: for counts and figures that
        need no whole record."""
        for name in names:
            if name not in COLUMNS:
                raise ValueError(f"no column {name!r}")
        where, args = self._where(kind, **filters)
        sql = f"SELECT {', '.join(names)} FROM files WHERE {where} ORDER BY path"
        return list(self._query(sql, args, tuple))

    def record_at(self, rel: str) -> Row | None:
        """The record of the file at `rel`, when it is valid."""
        sql = "SELECT record FROM files WHERE path = ? AND valid = 1"
        return next(self._query(sql, (rel,), _record), None)

    def escalation_stems(self, wanted: str) -> list[str]:
        """The file names (without suffix) of the escalation files, valid or not, whose
        name or random part (after `esc-YYYYMMDD-`) starts with `wanted`, in the order of
        layout.escalation_rels (by folder, then name). `wanted` holds letters, digits and
        dashes only (layout.abbreviation), so it is safe in a GLOB; every record path has
        exactly three slashes, so no `*` below crosses one."""
        sql = "SELECT path FROM files WHERE kind = ? AND (path GLOB ? OR path GLOB ?)"
        args = (ESCALATION, f"*/*/*/{wanted}*", f"*/*/*/esc-????????-{wanted}*")
        paths = sorted(self._query(sql, args, lambda row: str(row[0])), key=lambda p: p.split("/"))
        return [path.rsplit("/", 1)[1].rsplit(".", 1)[0] for path in paths]

    def mechanisms(
        self, *, status: str | None = None, owner: str | None = None, limit: int | None = None
    ) -> Iterator[Row]:
        """Valid mechanisms as JSON rows, in id (file name) order."""
        where, args = self._where(MECHANISM, statuses=[status] if status else None, owner=owner)
        sql = f"SELECT record FROM files WHERE {where} ORDER BY path"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, limit))
        return self._query(sql, args, _record)

    def problems(self, kind: str | None = None) -> list[Problem]:
        """Every problem of the invalid files (of one kind), in path order."""
        sql = "SELECT path, problems FROM files WHERE valid = 0"
        args: list[Any] = []
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)

        def decode(row: tuple[Any, ...]) -> list[Problem]:
            rel, problems = row
            return [
                Problem(Location(rel, line, column), message, rule)
                for line, column, rule, message in orjson.loads(problems)
            ]

        return [p for found in self._query(sql + " ORDER BY path", args, decode) for p in found]

    def paths(self, kind: str) -> list[str]:
        """Every file of a kind, valid or not, in path order."""
        sql = "SELECT path FROM files WHERE kind = ? ORDER BY path"
        return list(self._query(sql, (kind,), lambda row: row[0]))

    # -- lint (issue 11) -----------------------------------------------------------------

    @property
    def store(self) -> Path | None:
        """The file of the store, or None when this run reads one built in memory."""
        return self._file

    def lint_results(self) -> Iterator[tuple[str, str, bytes | None, bytes | None]]:
        """(path, blob id, problems, lint) of every file, in path order: what lint reads
        of each file (store.LINT_FIELDS)."""
        sql = "SELECT path, blob, problems, lint FROM files ORDER BY path"
        return self._query(sql, (), tuple)

    # -- end of lint ---------------------------------------------------------------------

    # -- report and status (issue 11) ---------------------------------------------------
    def rows(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Any read of the store as plain tuples: services/report/query.py and
        services/status.py ask for their counts and the columns they print."""
        return self._query(sql, args, tuple)

    # -- end of report and status ---------------------------------------------------------

    @staticmethod
    def _where(
        kind: str,
        *,
        statuses: Sequence[str] | None = None,
        mechanism: str | None = None,
        severity: str | None = None,
        failure_mode: str | None = None,
        owner: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses = ["kind = ?", "valid = 1"]
        args: list[Any] = [kind]
        if statuses is not None:
            clauses.append(f"status IN ({', '.join('?' * len(statuses))})")
            args.extend(statuses)
        for name, value in (
            ("mechanism", mechanism),
            ("severity", severity),
            ("failure_mode", failure_mode),
            ("owner", owner),
        ):
            if value is not None:
                clauses.append(f"{name} = ?")
                args.append(value)
        return " AND ".join(clauses), args


# What an escalation's derived figures are computed from (listing.deriver_of_times).
TIMES = ("raised_at", "severity", "status", "acknowledged_at", "resolved_at")
# The same, the times in whole seconds since the epoch (the index's times are whole seconds,
# `YYYY-MM-DDTHH:MM:SSZ`, which SQLite's strftime reads exactly).
EPOCH_TIMES = (
    "raised_ts",
    "severity",
    "status",
    "CAST(strftime('%s', acknowledged_at) AS INTEGER)",
    "CAST(strftime('%s', resolved_at) AS INTEGER)",
)


def _shown_and_times(row: tuple[Any, ...]) -> tuple[bytes, tuple[Any, ...]]:
    shown = row[0]
    if not isinstance(shown, bytes) or not shown.endswith(b"\n  }"):
        raise ValueError("a record is not as build.shown writes it")
    return shown, row[1:]


def _record(row: tuple[Any, ...]) -> Row:
    value = orjson.loads(row[0])
    if not isinstance(value, dict):
        raise ValueError("a record is not a mapping")
    return value


def open_index(ws: Workspace, progress: Progress | None = None, *, _again: bool = True) -> Index:
    """The index, brought up to date with the work tree (docs/design.md §7)."""
    import sqlite3

    file = store_file(ws)
    first = not file.exists()
    db = derived.connect(file, SCHEMA)
    if db is not None:
        try:
            # The configuration's facts, from the index while `.mechctl.yaml` is unchanged:
            # a warm read never validates it again (nor imports pydantic to do so).
            facts = config_facts(ws, db)
            levels = list(facts["levels"])
            for _ in range(3):
                try:
                    refresh(db, ws, levels, progress)
                    break
                except Raced:
                    continue
            if first:  # made now: what earlier versions kept in its place goes
                derived.remove_leftovers(ws.git.common_dir)
            db.execute("BEGIN")  # every read of this run sees one state
            return Index(db, facts, ws, file)
        except (sqlite3.Error, orjson.JSONDecodeError, ValueError, TypeError) as exc:
            derived.failed(db, file, exc)
            if _again and isinstance(exc, sqlite3.Error) and derived.corrupt(exc):
                return open_index(ws, progress, _again=False)  # made again, once: the file is gone
    facts = config_facts(ws, memory())
    fallback = memory()
    refresh(fallback, ws, list(facts["levels"]), progress)
    fallback.execute("BEGIN")
    return Index(fallback, facts, ws, None)
