"""Build the static site of `mechctl site` (docs/design.md §"The site").

Every page is computed from the records and git at build time: a home page with the health of
every mechanism, a page per mechanism, a page per escalation and the weekly reports of the last
weeks (the HTML of `mechctl report --format html`, reused as it is). A build writes only the
files whose bytes changed and removes the files of the last build that this one no longer has,
so a second build equals a clean one byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mechctl.errors import UsageError
from mechctl.models.escalation import Escalation
from mechctl.services.core import analysis
from mechctl.services.core.context import Workspace
from mechctl.services.site import sources
from mechctl.services.site.charts import signal_chart
from mechctl.store.layout import escalation_rel, mechanism_rel

MANIFEST = ".mechctl-site.json"
SEVERITY_ORDER = {"sev1": 0, "sev2": 1, "sev3": 2, "sev4": 3}
OPEN_STATES = {"open", "acknowledged", "raised"}


@dataclass
class SiteResult:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0  # record files that do not load
    pages: int = 0
    searchable: bool = False


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
    env.filters["when"] = lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
    env.filters["age"] = _age
    return env


def _age(seconds: float) -> str:
    days = int(seconds // 86400)
    if days >= 1:
        return f"{days}d"
    return f"{int(seconds // 3600)}h"


def _is_open(esc: Escalation) -> bool:
    return esc.status.value in OPEN_STATES


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _weeks(weeks: int, now: datetime) -> list[tuple[str, date]]:
    monday = _week_start(now.date())
    starts = [monday - timedelta(weeks=back) for back in range(weeks)]
    return [(_week_name(start), start) for start in starts]


def _report(ws: Workspace, start: date, now: datetime) -> str:
    """One weekly report (`report --format html`), with the site's navigation."""
    from mechctl.cli.report.html import render
    from mechctl.services.report.build import build_report, parse_period

    end = start + timedelta(days=6)
    period = parse_period(start.isoformat(), end.isoformat(), now)
    with warnings.catch_warnings():
        # matplotlib's date locator warns on a week with a single day of data; the chart
        # is still right, and the warning is no news to a reader of the site.
        warnings.simplefilter("ignore", UserWarning)
        html = render(build_report(ws, period))  # its counts and rows from the index
    nav = (
        '<nav class="site"><a href="../index.html">Home</a> ·'
        ' <a href="index.html">All weekly reports</a></nav>'
    )
    return html.replace("<body>", "<body>" + nav, 1)


def _templates_key() -> str:
    """What every page depends on besides the records: the templates and mechctl's version."""
    from importlib import resources

    from mechctl import __version__

    folder = resources.files("mechctl").joinpath("templates/site")
    names = sorted(item.name for item in folder.iterdir() if item.is_file())
    return sources.digest(
        __version__, [(name, folder.joinpath(name).read_bytes()) for name in names]
    )


def keys_file(ws: Workspace, out: Path) -> Path:
    """Where a build keeps what each page of `out` was built from (derived: deleting it
    changes no byte of the site, only how much the next build renders)."""
    from mechctl import derived

    name = hashlib.sha1(str(out.resolve()).encode(), usedforsecurity=False).hexdigest()[:16]
    return derived.folder(ws.git.common_dir) / f"site-{name}.json"


def _load_keys(ws: Workspace, out: Path) -> dict[str, str]:
    if not (out / MANIFEST).is_file():
        return {}
    try:
        found = json.loads(keys_file(ws, out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = found.get("pages") if isinstance(found, dict) else None
    if not isinstance(pages, dict):
        return {}
    return {str(rel): str(key) for rel, key in pages.items()}


def _save_keys(ws: Workspace, out: Path, keys: dict[str, str]) -> None:
    import contextlib
    import os

    file = keys_file(ws, out)
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True)
        part = file.with_name(file.name + f".{os.getpid()}.tmp")
        part.write_text(json.dumps({"pages": dict(sorted(keys.items()))}) + "\n")
        part.replace(file)


class _Writer:
    """Writes a page only when what it is built from changed (its key), or its file is gone
    or differs; renders nothing else."""

    def __init__(self, out: Path, before: dict[str, str], result: SiteResult) -> None:
        self.out = out
        self.before = before
        self.keys: dict[str, str] = {}
        self.result = result

    def page(self, rel: str, key: str, render: Callable[[], str]) -> None:
        self.keys[rel] = key
        target = self.out / rel
        if self.before.get(rel) == key and target.is_file():
            self.result.unchanged += 1
            return
        data = render().encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            self.result.unchanged += 1
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.result.written.append(rel)


def _build_pages(ws: Workspace, writer: _Writer, weeks: int) -> int:
    """Every page of the site, each rendered only when its key changed; the skipped count.

    A page's key covers what it is built from: an escalation page its record and the
    mechanisms (for links); a mechanism page its record, the mechanisms, the records of the
    escalations against it, the changes that resolved escalations and their recurring
    failures; the home page and the weekly reports every record, the clock and the
    configuration. Records are loaded one page at a time, never all at once (except to
    build the weekly reports, when one of them must be built)."""
    from mechctl.models import Mechanism
    from mechctl.services.core.index import ESCALATION, MECHANISM, open_index
    from mechctl.services.due import due

    now = ws.now()
    env = _env()
    branch = ws.git.run(["symbolic-ref", "--short", "-q", "HEAD"], check=False).stdout.strip()
    links = source_links(ws.git.remote_url("origin"), branch or "main")

    def source(rel: str) -> dict[str, str] | None:
        return links(rel) if links is not None else None

    templates = _templates_key()
    with open_index(ws) as index:
        rows = sources.files(index)
        skipped = len(index.problems(MECHANISM)) + len(index.problems(ESCALATION))
        mech_rows, esc_rows = sources.kinds(rows)
        mechanisms = [Mechanism.model_validate(row) for row in index.mechanisms()]
        changes = sources.mechanism_changes(index)
        recurring = analysis.recurring_failures(
            f for f in sources.facts(esc_rows) if f.raised_at < now
        )
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
        everything = sources.digest(
            base,
            [(row.path, row.blob, row.valid) for row in rows],
            ws.config.model_dump_json(),
            now.isoformat(),
            skipped,
        )
        names = _weeks(weeks, now)
        latest = names[0][0] if names else None

        escalation_template = env.get_template("escalation.html")
        for row in esc_rows:

            def escalation(row: sources.FileRow = row) -> str:
                esc = Escalation.model_validate(index.record_at(row.path))
                return str(
                    escalation_template.render(
                        root="../",
                        title=esc.title,
                        e=esc,
                        now=now,
                        source=source(escalation_rel(esc.id)),
                        **common,
                    )
                )

            writer.page(f"escalations/{row.id}.html", sources.digest(base, row.blob), escalation)

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
                escalations = [
                    Escalation.model_validate(index.record_at(row.path)) for row in against[mech.id]
                ]
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
                (
                    Escalation.model_validate(row)
                    for row in index.escalations(statuses=sorted(OPEN_STATES))
                ),
                key=lambda e: (SEVERITY_ORDER.get(e.severity.value, 9), e.raised_at, e.id),
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

        writer.page("index.html", sources.digest(everything, latest), home)

    def report(start: date) -> str:
        return _report(ws, start, now)

    for name, start in names:
        writer.page(
            f"reports/{name}.html",
            sources.digest(everything, name),
            functools.partial(report, start),
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
    writer.page(
        "search.html",
        sources.digest(templates),
        lambda: str(
            env.get_template("search.html").render(root="", title="Search", indexed=False, **common)
        ),
    )
    writer.page(
        "style.css", sources.digest(templates), lambda: str(env.get_template("style.css").render())
    )
    return skipped


def _mechanism_page(
    template: Any,
    mech: Any,
    escalations: list[Escalation],
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
            escalations=sorted(escalations, key=lambda e: (e.raised_at, e.id), reverse=True),
            recurring=recurring,
            source=source,
            **common,
        )
    )


def check_out(out: Path) -> None:
    """Refuse an output directory that has files but is not a site this command built."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"--out {out}: the directory has files and is not a mechctl site")


def _write(out: Path, files: dict[str, bytes], result: SiteResult) -> None:
    for rel, data in sorted(files.items()):
        target = out / rel
        if target.is_file() and target.read_bytes() == data:
            result.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        result.written.append(rel)


def _remove(out: Path, stale: list[str], result: SiteResult) -> None:
    for rel in sorted(stale):
        path = out / rel
        if path.is_file():
            path.unlink()
            result.removed.append(rel)
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def search_index(out: Path) -> dict[str, bytes] | None:
    """Pagefind's index of the pages in `out` (the `site` extra), or None without Pagefind."""
    import importlib.util
    import subprocess
    import sys
    import tempfile

    if importlib.util.find_spec("pagefind") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="mechctl-pagefind-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(out), "--output-path", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
            raise UsageError(f"pagefind failed: {last[0] if last else done.returncode}")
        root = Path(tmp)
        return {
            f"pagefind/{path.relative_to(root).as_posix()}": path.read_bytes()
            for path in root.rglob("*")
            if path.is_file()
        }


def build_site(ws: Workspace, out: Path, *, weeks: int = 12, search: bool = True) -> SiteResult:
    """Build the site into `out`: render the pages whose inputs changed since the last build
    (all of them without its keys), remove the files the last build wrote and this one does
    not, and index the pages for search (Pagefind, when installed) when any page changed."""
    check_out(out)
    result = SiteResult()
    manifest = out / MANIFEST
    before: list[str] = json.loads(manifest.read_text()) if manifest.is_file() else []
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out, _load_keys(ws, out), result)
    result.skipped = _build_pages(ws, writer, weeks)
    pages = writer.keys
    result.pages = len(pages)
    _remove(
        out, [rel for rel in before if rel not in pages and not rel.startswith("pagefind/")], result
    )
    old_index = [rel for rel in before if rel.startswith("pagefind/")]
    changed = bool(result.written or result.removed)
    index: dict[str, bytes] | None = None
    if search and (changed or not old_index or not all((out / r).is_file() for r in old_index)):
        index = search_index(out)
        if index is not None:
            _write(out, index, result)
    elif search and old_index:
        index = {rel: b"" for rel in old_index}  # unchanged: kept as they are
    result.searchable = index is not None
    keep = set(pages) | set(index or {})
    _remove(out, [rel for rel in before if rel not in keep and rel.startswith("pagefind/")], result)
    manifest.write_text(json.dumps(sorted(keep), indent=0) + "\n")
    _save_keys(ws, out, pages)
    return result
