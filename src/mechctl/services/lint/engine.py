"""`mechctl lint`: collect the record files, take each one's result from the index (its rows
are checked with lint's per-file rules, on all cores when cold; a file it does not hold is
checked here), run the cross-file, repository and `--base` rules, apply the configured
levels. Returns data; the command layer renders it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from mechctl.models import Config
from mechctl.services.core.context import Workspace
from mechctl.services.lint import base as base_rules
from mechctl.services.lint import crossfile, filecheck, files, repo_rules
from mechctl.services.lint.cache import Cache, cache_path, generation
from mechctl.services.lint.finding import Finding, LintReport
from mechctl.services.lint.rules import OFF, RULES, check_config, levels
from mechctl.store.layout import CONFIG_FILE

# Below this many unchecked files, starting worker processes costs more than it saves.
PARALLEL_MIN = int(os.environ.get("MECHCTL_LINT_PARALLEL_MIN", "300"))

Raw = tuple[str, int, int, str, str, str]  # rel, line, column, rule, message, level


def lint(ws: Workspace, paths: list[str] | None = None, base: str | None = None) -> LintReport:
    root = ws.root
    config_path = root / CONFIG_FILE
    config_bytes = config_path.read_bytes() if config_path.is_file() else b""
    config = ws.config
    check_config(config, config_bytes.decode("utf-8", "replace") or None, CONFIG_FILE)
    commit = base_rules.resolve(ws.git, base) if base is not None else None
    gen = generation(config_bytes)
    snapshot = files.primed(root) or files.discover(root, ws.git)
    now = ws.now()
    cache = Cache(cache_path(ws.git.common_dir), gen)
    try:
        key = files.state_key(gen, snapshot)
        recalled = cache.recall(key, now) if commit is None else None
        if recalled is not None:
            settled = [Finding(*item) for item in recalled[1]]
            reused = len(snapshot.records)
        else:
            settled, until, reused = _run(ws, snapshot, config, now, cache, commit)
            if commit is None:
                cache.remember(
                    key,
                    now,
                    until,
                    len(snapshot.records),
                    [(f.path, f.line, f.column, f.rule, f.severity, f.message) for f in settled],
                )
        cache.save({r.rel: r.blob for r in snapshot.records if r.blob is not None})
    finally:
        cache.close()
    chosen = [f for f in settled if files.selected(f.path, paths)]
    return LintReport(findings=chosen, files=len(snapshot.records), reused=reused, root=root)


def _run(
    ws: Workspace,
    snapshot: files.Snapshot,
    config: Config,
    now: datetime,
    cache: Cache,
    commit: str | None,
) -> tuple[list[Finding], datetime | None, int]:
    root = ws.root
    ctx = filecheck.FileContext(
        levels=tuple(config.escalation.levels),
        teams=frozenset(config.teams) if config.teams is not None else None,
    )
    records = snapshot.records
    results, reused = _check_files(ws, records, ctx)
    summaries = {rel: r[1] for rel, r in results.items() if r[1] is not None}
    stems = {
        r.rel.rsplit("/", 1)[-1].rsplit(".", 1)[0] for r in records if r.kind == files.MECHANISM
    }
    pending, until = crossfile.run(
        summaries, stems, config, now, lambda: _activations(ws, snapshot.head, cache)
    )
    if commit is not None:
        current = [
            base_rules.Current(r.rel, r.kind, r.blob, r.data) for r in records if r.blob is not None
        ]
        pending += base_rules.check(ws.git, root, commit, current)
    blobs = {r.rel: r.blob for r in records if r.blob is not None}
    found: list[Raw] = [
        (rel, line, column, rule, message, level)
        for rel, result in results.items()
        for line, column, rule, message, level in result[0]
    ]
    found += _place(root, pending, blobs, cache)
    mechanism_files = sum(1 for r in records if r.kind == files.MECHANISM)
    found += repo_rules.run(root, config, summaries, cache, mechanism_files)
    return _settle(found, levels(config)), until, reused


def _check_files(
    ws: Workspace, records: list[files.RecordFile], ctx: filecheck.FileContext
) -> tuple[dict[str, filecheck.Result], int]:
    """Each file's result: from the index's row while it holds these bytes at this path
    (the index keeps its rows current, docs/design.md §7), else checked now."""
    import orjson

    from mechctl.services.core.index import open_index

    root = ws.root
    by_rel = {r.rel: r for r in records if r.problem is None and r.blob is not None}
    held: dict[str, tuple[bytes | None, bytes | None]] = {}
    with open_index(ws) as index:
        for rel, blob, problems, lint in index.lint_results():
            record = by_rel.get(rel)
            if record is not None and record.blob == blob and (problems or lint):
                held[rel] = (problems, lint)
    results: dict[str, filecheck.Result] = {}
    todo: list[tuple[str, str, str, bytes | None]] = []
    for record in records:
        rel = record.rel
        if record.problem is not None or record.blob is None:
            problem = record.problem or "cannot read the file"
            results[rel] = (((1, 1, "yaml-syntax", problem, ""),), None)
            continue
        found = held.get(rel)
        if found is None:
            todo.append((rel, record.kind, record.blob, record.data))
            continue
        problems, lint = found
        if lint is None:
            assert problems is not None
            results[rel] = filecheck.from_problems(orjson.loads(problems))
            continue
        items, summary, teams = orjson.loads(lint)
        named = filecheck.team_findings(rel, partial(_text, root, rel), teams, ctx.teams)
        results[rel] = ((*map(tuple, items), *named), summary)
    reused = len(results)
    for rel, _blob, result in _run_checks(root, todo, ctx):
        results[rel] = result
    return results, reused


def _text(root: Path, rel: str) -> str:
    try:
        return (root / rel).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _run_checks(
    root: Path, todo: list[tuple[str, str, str, bytes | None]], ctx: filecheck.FileContext
) -> list[tuple[str, str, filecheck.Result]]:
    workers = min(os.cpu_count() or 1, 8)
    if len(todo) < PARALLEL_MIN or workers < 2:
        return _check_batch(str(root), todo, ctx)
    import multiprocessing
    import threading

    # fork shares the imported modules for free; only where it is safe (no other threads).
    method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
    chunks = [todo[i::workers] for i in range(workers)]
    with multiprocessing.get_context(method).Pool(workers - 1) as pool:
        futures = [pool.apply_async(_check_batch, (str(root), chunk, ctx)) for chunk in chunks[1:]]
        done = _check_batch(str(root), chunks[0], ctx)  # this process takes a share too
        for future in futures:
            done += future.get()
    return done


def _check_batch(
    root: str, todo: list[tuple[str, str, str, bytes | None]], ctx: filecheck.FileContext
) -> list[tuple[str, str, filecheck.Result]]:
    done = []
    for rel, kind, blob, content in todo:
        try:
            raw = content if content is not None else Path(root, rel).read_bytes()
        except OSError as exc:
            result: filecheck.Result = (
                ((1, 1, "yaml-syntax", f"cannot read the file: {exc.strerror or exc}", ""),),
                None,
            )
        else:
            result = filecheck.check(rel, kind, raw, ctx)
        done.append((rel, blob, result))
    return done


def _activations(ws: Workspace, head: str | None, cache: Cache) -> dict[str, str]:
    """mechanism id -> date of its latest activation commit; one `git log`, cached per HEAD."""
    if head is None:
        return {}
    stored = cache.meta.get("activations")
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == head:
        return dict(stored[1])
    found = ws.git.trailer_dates("mechanism.activate")
    cache.put_meta("activations", (head, found))
    return found


def _place(
    root: Path, pending: list[crossfile.Pending], blobs: dict[str, str], cache: Cache
) -> list[Raw]:
    """Turn YAML paths into lines and columns, reading each file at most once."""
    out = []
    texts: dict[str, str | None] = {}
    for rel, path, rule, message, level in pending:
        blob = blobs.get(rel)
        key = "/".join(str(part) for part in path)
        where = cache.place(rel, blob, key) if blob is not None else None
        if where is None:
            where = (1, 1)
            if rel not in texts:
                try:
                    texts[rel] = (root / rel).read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    texts[rel] = None
            text = texts[rel]
            if text is not None and path:
                where = filecheck.position(text, path, rel)
            if blob is not None and text is not None:
                cache.put_place(rel, blob, key, *where)
        out.append((rel, where[0], where[1], rule, message, level))
    return out


def _settle(found: Iterable[Raw], configured: dict[str, str]) -> list[Finding]:
    """Apply `lint.rules` levels, drop what is off, sort."""
    settled = set()
    for rel, line, column, rule, message, level in found:
        severity = configured.get(rule) or level or RULES[rule].severity
        if severity != OFF:
            settled.add(Finding(rel, line, column, rule, severity, message))
    return sorted(settled, key=lambda f: (f.path, f.line, f.column, f.rule, f.message))
