"""Checking record files into index rows (docs/design.md §7), on all cores when there are
many: files are checked by a process pool in chunks, and each chunk's rows are handed on as
it comes back, with a `progress(done, total)` callback."""

from __future__ import annotations

import os
import stat as stat_module
import time
from collections.abc import Iterator
from typing import Any

import orjson

from mechctl.services.core.index.store import (
    CHUNK,
    COLUMNS,
    ESCALATION,
    PARALLEL_FROM,
    REPORT_COLUMNS,
    Progress,
    salt_of,
    stat_key,
)


def shown(record: dict[str, Any]) -> bytes:
    """A record as the index keeps it: JSON, indented as an item of the array that
    `--json` listings print (orjson's two spaces, and two more after every line break), so
    that `escalation list --json` writes it without parsing it again (store.VERSION 2)."""
    return orjson.dumps(record, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")


def _columns(kind: str, rec: dict[str, Any]) -> tuple[Any, ...]:
    if kind == ESCALATION:
        timeline = rec.get("timeline") or []
        acked = next((e["at"] for e in timeline if e["action"] == "acknowledged"), None)
        resolved = [e for e in timeline if e["action"] == "resolved"]
        closed = [e["at"] for e in timeline if e["action"] == "closed"]
        return (
            rec["id"],
            rec["status"],
            rec["severity"],
            rec["level"],
            rec["mechanism"],
            rec["owner"],
            rec["failure_mode"],
            rec["raised_at"],
            acked,
            resolved[-1]["at"] if resolved else None,
            closed[-1] if closed else None,
            rec["raised_by"],
            resolved[-1]["by"] if resolved else None,
            None,
            None,
            None,
            *_report_columns(rec, timeline),
        )
    inspections = rec.get("inspections") or []
    return (
        rec["id"],
        rec["status"],
        None,
        None,
        None,
        rec["owner"],
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        rec["kind"],
        (rec.get("inspection") or {}).get("cadence"),
        max((i["date"] for i in inspections), default=None),
        *(None,) * len(REPORT_COLUMNS),
    )


# -- report and status columns (issue 11; store.REPORT_COLUMNS) -----------------------------
def _report_columns(rec: dict[str, Any], timeline: list[dict[str, Any]]) -> tuple[Any, ...]:
    from datetime import datetime

    raised = rec["raised_at"]
    entries = [[e["at"], e["by"]] for e in timeline if e["action"] == "resolved"]
    final = entries[-1][0] if entries and rec["status"] in ("resolved", "closed") else None
    resolution = rec.get("resolution") or {}
    change = resolution.get("mechanism_change") or {}
    times = [at for at, _ in entries]
    return (
        rec["title"],
        int(datetime.fromisoformat(raised).timestamp()),
        None if final is None else max(raised, final),
        change.get("mechanism"),
        change.get("version"),
        resolution.get("no_change_reason"),
        min(times, default=None),
        max(times, default=None),
        orjson.dumps(entries).decode() if entries else None,
    )


# -- end of the report and status columns ---------------------------------------------------


def _read(path: str, size: int) -> bytes:
    """A file's bytes, in one read when it still has the `size` that lstat gave, and
    without the buffered reader that open() makes: for a record of a few KB, that and a
    second read() cost more than the bytes (measured: 45 -> 30 us a file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, size + 1)
        if len(data) <= size:  # all of it: a regular file reads short only at its end
            return data
        chunks = [data]  # it grew since
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_file(
    root: str, rel: str, kind: str, levels: list[str], old_blob: str | None, origin: int
) -> tuple[Any, ...] | str | None:
    """One file's row; its rel alone when its bytes are `old_blob`'s (only its stat data
    are new: the caller updates them); None when it is gone or is no regular file."""
    from mechctl.models import Escalation, Mechanism
    from mechctl.store.files import blob_id
    from mechctl.store.records import check_bytes, id_problem

    seen = time.time_ns()
    try:
        stat = os.lstat(os.path.join(root, rel))
        if not stat_module.S_ISREG(stat.st_mode):
            return None
        data = _read(os.path.join(root, rel), stat.st_size)
    except OSError:
        return None
    blob = blob_id(data)
    if blob == old_blob:
        return (rel, *stat_key(stat), seen)
    model: type[Any] = Escalation if kind == ESCALATION else Mechanism
    context = {"levels": levels} if kind == ESCALATION else None
    checked = check_bytes(data, rel, model, context)
    mismatch = id_problem(checked, rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    issues = [*checked.problems, *([mismatch] if mismatch else [])]
    record = None
    columns: tuple[Any, ...] = (None,) * len(COLUMNS)
    if not issues and checked.model is not None:
        dumped = checked.model.model_dump(mode="json")
        record = shown(dumped)
        columns = _columns(kind, dumped)
    problems = (
        orjson.dumps([[p.location.line, p.location.column, p.rule, p.message] for p in issues])
        if issues
        else None
    )
    salt = salt_of(levels) if kind == ESCALATION else ""
    # -- lint (issue 11): lint's per-file result, from the same parse ---------------------
    from mechctl.services.lint.filecheck import indexed

    lint = indexed(rel, kind, checked)
    # -- end of lint ----------------------------------------------------------------------
    return (
        rel,
        kind,
        blob,
        salt,
        *stat_key(stat),
        seen,
        origin,
        0 if issues else 1,
        problems,
        *columns,
        record,
        lint,  # lint (issue 11)
    )


Job = tuple[str, str, str | None, int]  # rel, kind, old blob, origin


def _check_chunk(root: str, levels: list[str], jobs: list[Job]) -> list[Any]:
    return [check_file(root, rel, kind, levels, old, origin) for rel, kind, old, origin in jobs]


def check_chunks(
    root: str, levels: list[str], jobs: list[Job], progress: Progress | None
) -> Iterator[tuple[list[Job], list[Any]]]:
    """Each chunk of jobs with its outcomes, in order, as it is done: on all cores when
    there are many. The caller writes each chunk away before the next comes, so memory
    holds a few chunks' rows, never all of them."""
    total = len(jobs)
    cores = os.cpu_count() or 1
    chunks = [jobs[start : start + CHUNK] for start in range(0, total, CHUNK)]
    done = 0
    if total < PARALLEL_FROM or cores < 2:
        for chunk in chunks:
            yield chunk, _check_chunk(root, levels, chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with mechctl already imported (spawn would import it anew).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(cores, len(chunks)), mp_context=context) as pool:
        for chunk, result in zip(
            chunks,
            pool.map(_check_chunk, [root] * len(chunks), [levels] * len(chunks), chunks),
            strict=True,
        ):
            yield chunk, result
            done += len(chunk)
            if progress is not None:
                progress(done, total)
