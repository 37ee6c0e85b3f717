"""The escalation pages of the site, rendered from the index's JSON rows on every core.

An escalation page needs its record only as the index keeps it (checked when it was
indexed), so no model is built: the row's JSON goes straight into the template. Pages are
rendered and written in batches by worker processes (forked, so the templates and the ids
that links need are theirs without being sent); without `fork`, in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

Job = tuple[str, bytes, bool]  # the page's path in the site, the record's JSON, whether it exists
BATCH = 500

# What the workers render with, set before they are forked.
_state: dict[str, Any] = {}


def _same(target: str, data: bytes) -> bool:
    try:
        with open(target, "rb") as file:
            return file.read(len(data) + 1) == data
    except OSError:
        return False


def write_page(out: Path, rel: str, data: bytes, exists: bool) -> bool:
    """Write `data` at `rel` unless the file already holds exactly it; whether it was written.
    Plain `os` calls: pathlib's write_bytes costs five times their CPU per file, which a site
    of 100,000 pages feels."""
    target = os.path.join(out, rel)
    if exists and _same(target, data):
        return False
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        handle = os.open(target, flags, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = os.open(target, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)
    return True


def _render_batch(jobs: list[Job]) -> list[str]:
    render: Callable[[dict[str, Any]], str] = _state["render"]
    out: Path = _state["out"]
    written = []
    for rel, record, exists in jobs:
        data = render(orjson.loads(record)).encode("utf-8")
        if write_page(out, rel, data, exists):
            written.append(rel)
    return written


def _batches(jobs: Iterable[Job]) -> Iterator[list[Job]]:
    batch: list[Job] = []
    for job in jobs:
        batch.append(job)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def workers() -> int:
    """Two at most: the machine this is measured on has two cores, and a site build shares
    them with Pagefind."""
    return max(1, min(2, os.cpu_count() or 1))


def _side(number: int) -> str:
    job: Callable[[], str] = _state["side"][number]
    return job()


def render_all(
    out: Path,
    render: Callable[[dict[str, Any]], str],
    jobs: Iterable[Job],
    side: Sequence[Callable[[], str]] = (),
    *,
    few: bool = False,
) -> tuple[list[str], list[str]]:
    """Render and write every job's page, and run the `side` jobs (the weekly reports,
    started first: each takes long) beside them; the paths written (unchanged bytes are
    not) and what each side job returned. `few`: so few jobs that starting workers would
    cost more than it saves (a rebuild after one change)."""
    _state.update(out=out, render=render, side=list(side))
    try:
        methods = multiprocessing.get_all_start_methods()
        if "fork" not in methods or workers() == 1 or (few and not side):
            written = [rel for batch in _batches(jobs) for rel in _render_batch(batch)]
            return written, [job() for job in side]
        written = []
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers(), mp_context=context) as pool:
            sides = [pool.submit(_side, number) for number in range(len(side))]
            pending: list[Future[list[str]]] = []
            for batch in _batches(jobs):
                pending.append(pool.submit(_render_batch, batch))
                if len(pending) > 2 * workers():  # bounded: the records are read as sent
                    written.extend(pending.pop(0).result())
            for future in pending:
                written.extend(future.result())
            return written, [future.result() for future in sides]
    finally:
        _state.clear()
