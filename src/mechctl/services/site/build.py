"""Build the static site of `mechctl site` (docs/design.md §"The site").

Every page is computed from the records and git at build time: a home page with the health of
every mechanism, a page per mechanism, a page per escalation and the weekly reports of the last
weeks (the HTML of `mechctl report --format html`, reused as it is). A build writes only the
files whose bytes changed and removes the files of the last build that this one no longer has,
so a second build equals a clean one byte for byte.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from mechctl.services.core.context import Workspace
from mechctl.services.site import output, pages, reports, search, sources
from mechctl.services.site.charts import signal_chart
from mechctl.services.site.output import check_out
from mechctl.store.layout import escalation_rel, mechanism_rel

SEVERITY_ORDER = {"sev1": 0, "sev2": 1, "sev3": 2, "sev4": 3}
OPEN_STATES = {"open", "acknowledged", "raised"}


def source_links(url: str | None, branch: str) -> Callable[[str], dict[str, str]] | None:
    """Links to a record's file and its history on the host, for a known host (GitHub)."""
    if not url:
        return None
    found = re.match(r"^(?:https://|ssh://git@|git@)github\.com[/:]([^/]+)/(.+?)(?:\.git)?/?$", url)
    if found is None:
        return None
    base = f"https://github.com/{found[1]}/{found[2]}"
    return lambda rel: {
        "file": f"{base}/blob/{branch}/{rel}",
        "history": f"{base}/commits/{branch}/{rel}",
    }


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("mechctl", "templates/site"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["when"] = _when
    env.filters["moment"] = _moment
    env.filters["age"] = _age
    return env


def _age(seconds: float) -> str:
    days = int(seconds // 86400)
    if days >= 1:
        return f"{days}d"
    return f"{int(seconds // 3600)}h"


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(weeks: int, now: datetime) -> list[tuple[str, date]]:
    monday = _week_start(now.date())
    starts = [monday - timedelta(weeks=back) for back in range(weeks)]
    return [(_week_name(start), start) for start in starts]


def _when(moment: datetime | str) -> str:
    return _moment(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def _moment(moment: datetime | str) -> datetime:
    return datetime.fromisoformat(moment) if isinstance(moment, str) else moment


def _records(index: Any, paths: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """(page, record JSON) of the escalation files at `paths` (path: page), in path order:
    one scan for many, one read each for a few."""
    from mechctl.services.core.index import ESCALATION

    if len(paths) > 20000:
        sql = "SELECT path, record FROM files WHERE kind = ? AND valid = 1 ORDER BY path"
        for path, record in index.db.execute(sql, (ESCALATION,)):
            if path in paths:
                yield paths[path], record
        return
    sql = "SELECT record FROM files WHERE path = ? AND valid = 1"
    for path in sorted(paths):
        found = index.db.execute(sql, (path,)).fetchone()
        if found is not None:
            yield paths[path], found[0]


def _build_pages(
    ws: Workspace, writer: output.Writer, weeks: int, searching: Callable[[list[Shard]], None]
) -> int:
    """Every page of the site, each rendered only when its key changed, and the search's
    shards handed to `searching` (while the index is open); the skipped count.

    A page's key covers what it is built from: an escalation page its record and the
    mechanisms (for links); a mechanism page its record, the mechanisms, the records of the
    escalations against it, the changes that resolved escalations and their recurring
    failures; the home page every record, the clock and the configuration; a weekly report
    the rows its report reads (reports.report_keys). Records are read from the index as
    JSON, one page at a time, never all at once."""
    from mechctl.models import Mechanism
    from mechctl.services.core.index import ESCALATION, MECHANISM, open_index
    from mechctl.services.due import due

    now = ws.now()
    env = _env()
    branch = ws.git.run(["symbolic-ref", "--short", "-q", "HEAD"], check=False).stdout.strip()
    links = source_links(ws.git.remote_url("origin"), branch or "main")

    def source(rel: str) -> dict[str, str] | None:
        return links(rel) if links is not None else None

    templates = output.templates_key()
    with open_index(ws) as index:
        rows = sources.files(index)
        skipped = len(index.problems(MECHANISM)) + len(index.problems(ESCALATION))
        mech_rows, esc_rows = sources.kinds(rows)
        mechanism_json = list(index.mechanisms())
        mechanisms = [Mechanism.model_validate(row) for row in mechanism_json]
        changes = sources.mechanism_changes(esc_rows)
        recurring = sources.recurring(index, now)
        recurring_of: dict[str, list[Any]] = defaultdict(list)
        for item in recurring:
            recurring_of[item.mechanism].append(item)
        against: dict[str, list[sources.FileRow]] = defaultdict(list)
        for row in esc_rows:
            if row.mechanism is not None:
                against[row.mechanism].append(row)
        esc_ids = {row.id for row in esc_rows if row.id}
        mech_ids = {m.id for m in mechanisms}
        common = {
            "generated": now,
            "esc_ids": esc_ids,
            "mech_ids": mech_ids,
            "versions": {m.id: {it.version for it in m.iterations} for m in mechanisms},
        }
        base = sources.digest(
            templates,
            links("") if links is not None else None,
            [(row.path, row.blob) for row in mech_rows],
        )
        # What the home page shows: the mechanisms, the open escalations, the recurring
        # failures, the configuration (due dates), the invalid files, the clock.
        home_key = sources.digest(
            base,
            [(row.path, row.blob) for row in esc_rows if row.status in OPEN_STATES],
            [(r.mechanism, r.failure_mode.value, r.escalations) for r in recurring],
            [(row.path, row.blob) for row in rows if not row.valid],
            ws.config.model_dump_json(),
            now.isoformat(),
            skipped,
        )
        names = _weeks(weeks, now)
        latest = names[0][0] if names else None

        escalation_template = env.get_template("escalation.html")

        def escalation(esc: dict[str, Any]) -> str:
            return str(
                escalation_template.render(
                    root="../",
                    title=esc["title"],
                    e=esc,
                    now=now,
                    source=source(escalation_rel(esc["id"])),
                    **common,
                )
            )

        invalid = [(row.path, row.blob) for row in rows if not row.valid]
        report_base = sources.digest(base, invalid, ws.config.model_dump_json(), now.isoformat())
        report_keys = reports.report_keys(index, names, now, report_base)
        to_report = [
            (name, start)
            for name, start in names
            if not writer.fresh(f"reports/{name}.html", report_keys[name])
        ]

        on_disk = output.existing(writer.out / "escalations")
        todo: dict[str, str] = {}
        for row in esc_rows:
            rel = f"escalations/{row.id}.html"
            key = f"{base[:16]}:{row.blob}"  # its record and the mechanisms: no hash per page
            writer.keys[rel] = key
            if writer.before.get(rel) == key and f"{row.id}.html" in on_disk:
                writer.result.unchanged += 1
            else:
                todo[row.path] = rel
        jobs = (
            (rel, record, rel.split("/", 1)[1] in on_disk) for rel, record in _records(index, todo)
        )
        # The weekly reports are rendered beside the escalation pages, on the other core.
        side = [functools.partial(reports.report_page, ws, start, now) for _, start in to_report]
        few = len(todo) < pages.BATCH
        written, rendered = pages.render_all(writer.out, escalation, jobs, side, few=few)
        writer.result.written.extend(written)
        writer.result.unchanged += len(todo) - len(written)
        report_html = {name: html for (name, _), html in zip(to_report, rendered, strict=True)}

        mechanism_template = env.get_template("mechanism.html")
        for mech in mechanisms:
            mine = against[mech.id]
            resolved = changes.get(mech.id, [])
            named = {ident for it in mech.iterations for ident in it.escalations}
            key = sources.digest(
                base,
                [(row.path, row.blob) for row in mine],
                resolved,
                sorted(named & esc_ids),
                [(r.failure_mode.value, r.escalations) for r in recurring_of[mech.id]],
            )

            def mechanism(
                mech: Mechanism = mech, resolved: list[tuple[str, int]] = resolved
            ) -> str:
                # By path (the key of the index's rows): no scan of every escalation per page.
                escalations = [index.record_at(row.path) or {} for row in against[mech.id]]
                return _mechanism_page(
                    mechanism_template,
                    mech,
                    escalations,
                    resolved,
                    recurring_of[mech.id],
                    source(mechanism_rel(mech.id)),
                    common,
                )

            writer.page(f"mechanisms/{mech.id}.html", key, mechanism)

        def home() -> str:
            due_of = {item.mechanism: item for item in due(ws).items}
            open_escalations = sorted(
                index.escalations(statuses=sorted(OPEN_STATES)),
                key=lambda e: (
                    SEVERITY_ORDER.get(e["severity"], 9),
                    datetime.fromisoformat(e["raised_at"]),
                    e["id"],
                ),
            )
            table = [
                {
                    "m": mech,
                    "last": mech.inspections[-1] if mech.inspections else None,
                    "due": due_of.get(mech.id),
                    "open": [r for r in against[mech.id] if r.status in OPEN_STATES],
                    "recurring": recurring_of[mech.id],
                }
                for mech in mechanisms
            ]
            return str(
                env.get_template("home.html").render(
                    root="",
                    title="Mechanisms",
                    rows=table,
                    open_escalations=open_escalations,
                    latest=latest,
                    now=now,
                    skipped=skipped,
                    **common,
                )
            )

        writer.page("index.html", sources.digest(home_key, latest), home)

        shards = _shards(index, esc_rows, mech_rows, mechanism_json)
        searching(shards)

    for name, _ in names:
        writer.page(
            f"reports/{name}.html",
            report_keys[name],
            functools.partial(report_html.__getitem__, name),
        )
    writer.page(
        "reports/index.html",
        sources.digest(templates, [name for name, _ in names]),
        lambda: str(
            env.get_template("reports.html").render(
                root="../", title="Weekly reports", reports=[n for n, _ in names], **common
            )
        ),
    )
    merged = [name[len(search.MAIN) :] for name, _, _ in shards if name != search.MAIN]
    writer.page(
        "search.html",
        sources.digest(templates, merged),
        lambda: str(
            env.get_template("search.html").render(
                root="", title="Search", indexed=False, shards=merged, **common
            )
        ),
    )
    writer.page(
        "style.css", sources.digest(templates), lambda: str(env.get_template("style.css").render())
    )
    return skipped


# A shard of the search: its bundle's folder, its key, and how to read its records.
Shard = tuple[str, str, Callable[[], list[search.Record]]]


def _shards(
    index: Any,
    esc_rows: list[sources.FileRow],
    mech_rows: list[sources.FileRow],
    mechanism_json: list[dict[str, Any]],
) -> list[Shard]:
    """The search's shards (search.py): the mechanisms in the main bundle, the escalations by
    the month of their folder; each keyed by the blobs of its records."""
    records = [
        (f"/mechanisms/{m['id']}.html", str(m["title"]), search.mechanism_text(m))
        for m in mechanism_json
    ]
    shards: list[Shard] = [
        (
            search.MAIN,
            sources.digest(search.VERSION, [(row.path, row.blob) for row in mech_rows]),
            lambda: records,
        )
    ]
    months: dict[str, list[sources.FileRow]] = defaultdict(list)
    for row in esc_rows:
        parts = row.path.split("/")  # escalations/YYYY/MM/name.yaml
        months[f"{parts[1]}-{parts[2]}" if len(parts) == 4 else "other"].append(row)
    members: dict[str, list[sources.FileRow]] = defaultdict(list)
    for month, found in months.items():
        for row in found:
            members[search.shard_of(month, str(row.id), len(found))].append(row)

    def read(found: list[sources.FileRow]) -> list[search.Record]:
        paths = {row.path: row.path for row in found}
        return [
            (f"/escalations/{esc['id']}.html", str(esc["title"]), search.escalation_text(esc))
            for _, record in _records(index, paths)
            if (esc := orjson.loads(record))
        ]

    for name in sorted(members):
        found = members[name]
        key = sources.digest(search.VERSION, [(row.path, row.blob) for row in found])
        shards.append((name, key, functools.partial(read, found)))
    return shards


def _mechanism_page(
    template: Any,
    mech: Any,
    escalations: list[dict[str, Any]],
    resolved: list[tuple[str, int]],
    recurring: list[Any],
    source: dict[str, str] | None,
    common: dict[str, Any],
) -> str:
    resolved_by: dict[int, list[str]] = defaultdict(list)
    for ident, version in resolved:
        resolved_by[version].append(ident)
    charts = []
    for signal in mech.inspection.signals:
        points = [
            (i.date, i.metrics[signal.name]) for i in mech.inspections if signal.name in i.metrics
        ]
        charts.append(
            {
                "signal": signal,
                "svg": signal_chart(signal.name, points, signal.target),
                "points": points,
            }
        )
    iterations = [
        {
            "it": it,
            "escalations": sorted(set(it.escalations) | set(resolved_by[it.version])),
        }
        for it in mech.iterations
    ]
    return str(
        template.render(
            root="../",
            title=mech.title,
            m=mech,
            charts=charts,
            iterations=iterations,
            escalations=sorted(escalations, key=lambda e: (e["raised_at"], e["id"]), reverse=True),
            recurring=recurring,
            source=source,
            **common,
        )
    )


def _bundle_of(rel: str) -> str:
    """The shard whose bundle holds the search file `rel` (search.py's folders)."""
    parts = rel.split("/")
    if rel.startswith(f"{search.MAIN}escalations/") and len(parts) > 3:
        return "/".join(parts[:3]) + "/"
    return search.MAIN


def _index_search(
    out: Path,
    shards: list[Shard],
    before_files: list[str],
    before_keys: dict[str, str],
    result: output.SiteResult,
) -> tuple[set[str], dict[str, str]] | None:
    """Index the shards whose records changed (or whose files are gone); the files of every
    shard's bundle and the shards' keys, or None without Pagefind."""
    binary = search.executable()
    if binary is None:
        return None
    old: dict[str, list[str]] = defaultdict(list)
    for rel in before_files:
        if rel.startswith(search.MAIN):
            old[_bundle_of(rel)].append(rel)
    present = output.tree_of(out / search.MAIN, search.MAIN)
    keep: set[str] = set()
    keys: dict[str, str] = {}
    todo: list[tuple[str, Callable[[], list[search.Record]]]] = []
    for name, key, records in shards:
        keys[name] = key
        files = old.get(name, [])
        if before_keys.get(name) == key and files and all(r in present for r in files):
            keep.update(files)
        else:
            todo.append((name, records))
    for name, bundle in search.index_shards(binary, todo, pages.workers()):
        written = {name + rel: data for rel, data in bundle.items()}
        output.write(out, written, result)
        keep.update(written)
    return keep, keys


def build_site(
    ws: Workspace, out: Path, *, weeks: int = 12, search: bool = True
) -> output.SiteResult:
    """Build the site into `out`: render the pages whose inputs changed since the last build
    (all of them without its keys), remove the files the last build wrote and this one does
    not, and index for search (Pagefind, when installed) the shards whose records changed."""
    check_out(out)
    result = output.SiteResult()
    manifest = out / output.MANIFEST
    before: list[str] = json.loads(manifest.read_text()) if manifest.is_file() else []
    out.mkdir(parents=True, exist_ok=True)
    page_keys, shard_keys = output.load_keys(ws, out)
    writer = output.Writer(out, page_keys, result)
    found: list[tuple[set[str], dict[str, str]] | None] = [None]

    def searching(shards: list[Shard]) -> None:
        if search:
            found[0] = _index_search(out, shards, before, shard_keys, result)

    result.skipped = _build_pages(ws, writer, weeks, searching)
    indexed = found[0]
    pages_now = writer.keys
    result.pages = len(pages_now)
    result.searchable = indexed is not None
    keep = set(pages_now) | (indexed[0] if indexed is not None else set())
    output.remove(out, [rel for rel in before if rel not in keep], result)
    manifest.write_text(json.dumps(sorted(keep), indent=0) + "\n")
    output.save_keys(ws, out, pages_now, indexed[1] if indexed is not None else {})
    return result
