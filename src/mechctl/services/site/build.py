"""Build the static site of `mechctl site` (docs/design.md §"The site").

Every page is computed from the records and git at build time: a home page with the health of
every mechanism, a page per mechanism, a page per escalation and the weekly reports of the last
weeks (the HTML of `mechctl report --format html`, reused as it is). A build writes only the
files whose bytes changed and removes the files of the last build that this one no longer has,
so a second build equals a clean one byte for byte.
"""

from __future__ import annotations

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
from mechctl.services.core import analysis, catalog
from mechctl.services.core.context import Workspace
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


def _reports(ws: Workspace, weeks: int, now: datetime) -> dict[str, str]:
    """The weekly reports (`report --format html`) of the last `weeks` full or current weeks."""
    from mechctl.cli.report.html import render
    from mechctl.services.report.build import build_report, parse_period

    pages: dict[str, str] = {}
    monday = _week_start(now.date())
    for back in range(weeks):
        start = monday - timedelta(weeks=back)
        end = start + timedelta(days=6)
        period = parse_period(start.isoformat(), end.isoformat(), now)
        with warnings.catch_warnings():
            # matplotlib's date locator warns on a week with a single day of data; the chart
            # is still right, and the warning is no news to a reader of the site.
            warnings.simplefilter("ignore", UserWarning)
            html = render(build_report(ws, period))
        nav = (
            '<nav class="site"><a href="../index.html">Home</a> ·'
            ' <a href="index.html">All weekly reports</a></nav>'
        )
        html = html.replace("<body>", "<body>" + nav, 1)
        pages[_week_name(start)] = html
    return pages


def render_site(ws: Workspace, *, weeks: int = 12) -> tuple[dict[str, str], int]:
    """Every file of the site, by its path under the output directory, and the skipped count."""
    mechanisms, mech_problems = catalog.mechanisms(ws)
    escalations, esc_problems = catalog.escalations(ws)
    now = ws.now()
    env = _env()
    branch = ws.git.run(["symbolic-ref", "--short", "-q", "HEAD"], check=False).stdout.strip()
    links = source_links(ws.git.remote_url("origin"), branch or "main")

    def source(rel: str) -> dict[str, str] | None:
        return links(rel) if links is not None else None

    by_id = {m.id: m for m in mechanisms}
    against: dict[str, list[Escalation]] = defaultdict(list)
    for esc in escalations:
        if esc.mechanism is not None:
            against[esc.mechanism].append(esc)
    recurring = analysis.recurring_failures(e for e in escalations if e.raised_at < now)
    recurring_of: dict[str, list[Any]] = defaultdict(list)
    for item in recurring:
        recurring_of[item.mechanism].append(item)
    from mechctl.services.due import due

    due_of = {item.mechanism: item for item in due(ws).items}
    open_escalations = sorted(
        (e for e in escalations if _is_open(e)),
        key=lambda e: (SEVERITY_ORDER.get(e.severity.value, 9), e.raised_at, e.id),
    )
    esc_ids = {e.id for e in escalations}
    report_pages = _reports(ws, weeks, now) if weeks else {}
    latest = next(iter(report_pages), None)

    rows = []
    for mech in mechanisms:
        last = mech.inspections[-1] if mech.inspections else None
        rows.append(
            {
                "m": mech,
                "last": last,
                "due": due_of.get(mech.id),
                "open": [e for e in against[mech.id] if _is_open(e)],
                "recurring": recurring_of[mech.id],
            }
        )
    common = {
        "generated": now,
        "esc_ids": esc_ids,
        "mech_ids": set(by_id),
        "versions": {m.id: {it.version for it in m.iterations} for m in mechanisms},
    }
    pages: dict[str, str] = {}
    pages["index.html"] = env.get_template("home.html").render(
        root="",
        title="Mechanisms",
        rows=rows,
        open_escalations=open_escalations,
        latest=latest,
        now=now,
        skipped=len(mech_problems) + len(esc_problems),
        **common,
    )
    resolved_by: dict[tuple[str, int], list[str]] = defaultdict(list)
    for esc in escalations:
        change = esc.resolution.mechanism_change if esc.resolution else None
        if change is not None:
            resolved_by[(change.mechanism, change.version)].append(esc.id)
    mech_template = env.get_template("mechanism.html")
    for mech in mechanisms:
        charts = []
        for signal in mech.inspection.signals:
            points = [
                (i.date, i.metrics[signal.name])
                for i in mech.inspections
                if signal.name in i.metrics
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
                "escalations": sorted(
                    set(it.escalations) | set(resolved_by[(mech.id, it.version)])
                ),
            }
            for it in mech.iterations
        ]
        pages[f"mechanisms/{mech.id}.html"] = mech_template.render(
            root="../",
            title=mech.title,
            m=mech,
            charts=charts,
            iterations=iterations,
            escalations=sorted(against[mech.id], key=lambda e: (e.raised_at, e.id), reverse=True),
            recurring=recurring_of[mech.id],
            source=source(mechanism_rel(mech.id)),
            **common,
        )
    esc_template = env.get_template("escalation.html")
    for esc in escalations:
        pages[f"escalations/{esc.id}.html"] = esc_template.render(
            root="../",
            title=esc.title,
            e=esc,
            now=now,
            source=source(escalation_rel(esc.id)),
            **common,
        )
    pages["reports/index.html"] = env.get_template("reports.html").render(
        root="../", title="Weekly reports", reports=list(report_pages), **common
    )
    for name, html in report_pages.items():
        pages[f"reports/{name}.html"] = html
    pages["search.html"] = env.get_template("search.html").render(
        root="", title="Search", indexed=False, **common
    )
    pages["style.css"] = env.get_template("style.css").render()
    return pages, len(mech_problems) + len(esc_problems)


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


def write_site(out: Path, pages: dict[str, str], *, search: bool = True) -> SiteResult:
    """Write the pages whose bytes changed, remove the files the last build wrote and this one
    does not, and index the pages for search (Pagefind) when it is installed."""
    check_out(out)
    result = SiteResult(pages=len(pages))
    manifest = out / MANIFEST
    before: list[str] = json.loads(manifest.read_text()) if manifest.is_file() else []
    out.mkdir(parents=True, exist_ok=True)
    _write(out, {rel: text.encode("utf-8") for rel, text in pages.items()}, result)
    _remove(
        out, [rel for rel in before if rel not in pages and not rel.startswith("pagefind/")], result
    )
    index = search_index(out) if search else None
    result.searchable = index is not None
    if index is not None:
        _write(out, index, result)
    keep = set(pages) | set(index or {})
    _remove(out, [rel for rel in before if rel not in keep and rel.startswith("pagefind/")], result)
    manifest.write_text(json.dumps(sorted(keep), indent=0) + "\n")
    return result


def build_site(ws: Workspace, out: Path, *, weeks: int = 12, search: bool = True) -> SiteResult:
    check_out(out)
    pages, skipped = render_site(ws, weeks=weeks)
    result = write_site(out, pages, search=search)
    result.skipped = skipped
    return result
