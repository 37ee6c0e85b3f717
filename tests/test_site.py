"""`mechctl site`: the static site, its incremental rebuild, and the pages in headless Chromium.

The Chromium test skips when no Chromium is installed, unless MECHCTL_REQUIRE_CHROMIUM=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from typer.testing import CliRunner

from cdp import Browser, find_chromium
from conftest import git
from report_repo import E1, E2, E4, E9, NOW, build

ENV = {"MECHCTL_NOW": NOW}


def _site(repo: Path, out: Path, *extra: str) -> dict[str, object]:
    from mechctl.cli.app import app

    done = CliRunner().invoke(
        app, ["-C", str(repo), "site", "--out", str(out), "--weeks", "1", "--json", *extra], env=ENV
    )
    assert done.exit_code == 0, done.stderr
    assert done.stderr == "warning: 1 invalid file(s) are not shown (run `mechctl lint`)\n"
    result: dict[str, object] = json.loads(done.stdout)
    return result


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def _crawl(out: Path) -> tuple[set[str], list[str]]:
    """Every page reachable from index.html, and every link that does not resolve."""
    seen: set[str] = set()
    broken: list[str] = []
    todo = ["index.html"]
    parsed: dict[str, _Links] = {}

    def page(rel: str) -> _Links:
        if rel not in parsed:
            parser = _Links()
            parser.feed((out / rel).read_text(encoding="utf-8"))
            parsed[rel] = parser
        return parsed[rel]

    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        for link in page(rel).links:
            if link == "data:,":  # the empty favicon: no request at all
                continue
            if link.startswith(("http:", "https:", "//", "data:")):
                broken.append(f"{rel}: external {link}")
                continue
            target, fragment = urldefrag(urljoin(rel, link))
            target = target or rel
            if not (out / target).is_file():
                broken.append(f"{rel}: {link}")
                continue
            if target.endswith(".html"):
                if fragment and fragment not in page(target).ids:
                    broken.append(f"{rel}: {link} (no #{fragment})")
                todo.append(target)
    return seen, broken


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def site_repo(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(_template, tmp_path_factory.mktemp("site") / "repo")


@pytest.fixture(scope="module")
def site(site_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site-out") / "site"
    _site(site_repo, out)
    return out


def test_every_page_kind_and_every_link_resolves(site: Path) -> None:
    pages, broken = _crawl(site)
    assert broken == []
    assert {
        "index.html",
        "search.html",
        "reports/index.html",
        "reports/2026-W09.html",
        "mechanisms/wbr.html",
        "mechanisms/prfaq.html",
        f"escalations/{E1}.html",
        f"escalations/{E2}.html",
    } <= pages
    # Every escalation and mechanism page is reachable from the home page.
    on_disk = {p for p in _tree(site) if p.endswith(".html")}
    assert on_disk == pages
    assert len([p for p in pages if p.startswith("escalations/")]) == 9


def test_home_shows_health_and_open_escalations(site: Path) -> None:
    text = (site / "index.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    row = text[text.index('href="mechanisms/wbr.html"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="outcome at-risk">at-risk</span> on 2026-02-10' in row
    assert "<td>3</td>" in row and "scale (3\N{MULTIPLICATION SIGN})" in row
    prfaq = text[text.index('href="mechanisms/prfaq.html"') :]
    assert (
        '<strong class="overdue">overdue</strong> since 2026-01-31' in prfaq[: prfaq.index("</tr>")]
    )
    opened = text[text.index("<h2>Open escalations</h2>") :]
    severities = re.findall(r'<td class="(sev\d)">', opened)
    assert severities == ["sev2", "sev3", "sev4", "sev4"]  # by severity, then age
    assert 'Latest weekly report: <a href="reports/2026-W09.html">2026-W09</a>' in text
    assert "<script" not in text


def test_mechanism_page_has_definition_timeline_and_charts(site: Path) -> None:
    text = (site / "mechanisms" / "wbr.html").read_text()
    for heading in ("Problem", "Tool", "Adoption", "Levers", "Inspection", "Iterations"):
        assert f"<h2>{heading}</h2>" in text
    assert '<li id="v1"><strong>Version 1</strong>, 2026-01-05' in text
    assert "A customer asked why the deck was late two weeks running" in text
    chart = re.search(
        r'<svg role="img" aria-label="Deck published before the agreed cut-off'
        r' time: ([^"]*)"',
        text,
    )
    assert chart is not None
    assert chart[1] == "2026-01-10 0.9, 2026-02-10 0.8; target 0.95"
    assert "<script" not in text
    assert "@media print" in (site / "style.css").read_text()


def test_escalation_page_links_the_change_that_resolved_it(site: Path) -> None:
    text = (site / "escalations" / f"{E4}.html").read_text()
    assert "<h2>What failed</h2>" in text and "<h2>Timeline</h2>" in text
    assert re.search(
        r'Resolved by a change to <a href="../mechanisms/prfaq.html(#v2)?">prfaq at'
        r" version 2</a>",
        text,
    )


def test_source_links_on_github(site_repo: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(site_repo, repo, symlinks=True)
    git(repo, "remote", "add", "origin", "git@github.com:acme/mechanisms.git")
    _site(repo, tmp_path / "out")
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    text = (tmp_path / "out" / "mechanisms" / "wbr.html").read_text()
    base = "https://github.com/acme/mechanisms"
    assert f'<a href="{base}/blob/{branch}/mechanisms/wbr.yaml">record file</a>' in text
    assert f'<a href="{base}/commits/{branch}/mechanisms/wbr.yaml">history</a>' in text


def _html(result: dict[str, object], key: str) -> set[str]:
    return {rel for rel in result[key] if not rel.startswith("pagefind/")}  # type: ignore[attr-defined]


def _keys(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "mechctl").glob("site-*.json"))


def _fresh_copy(site_repo: Path, repo: Path) -> None:
    """The shared repository, without the keys of sites other tests built from it."""
    shutil.copytree(site_repo, repo, symlinks=True)
    for key in _keys(repo):
        key.unlink()


def test_rebuild_after_change_add_delete_equals_a_clean_build(
    site_repo: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    _fresh_copy(site_repo, repo)
    out = tmp_path / "out"
    _site(repo, out)
    first = _tree(out)
    assert len(_keys(repo)) == 1  # what each page was built from, beside the index
    # Nothing changed: nothing is rendered again, not even Pagefind's index.
    same = _site(repo, out)
    assert same["written"] == [] and same["removed"] == []
    assert _tree(out) == first

    e2 = repo / "escalations" / "2026" / "02" / f"{E2}.yaml"
    e4 = next(repo.glob(f"escalations/**/{E4}.yaml"))
    added = e2.with_name("esc-20260224-aaaaaaaz.yaml")
    added.write_text(
        e2.read_text()
        .replace(E2, "esc-20260224-aaaaaaaz")
        .replace("title: Deck omitted APAC churn", "title: Deck omitted EMEA churn")
    )
    e2.write_text(
        e2.read_text().replace("title: Deck omitted APAC churn", "title: APAC churn gone")
    )
    mechanisms = {
        re.search(r"^mechanism: (\S+)$", path.read_text(), re.M)[1]  # type: ignore[index]
        for path in (e2, e4)
    }
    e4.unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change, add, delete")
    again = _site(repo, out)
    clean = tmp_path / "clean"
    _site(repo, clean)
    assert _tree(out) == _tree(clean)
    assert _html(again, "removed") == {f"escalations/{E4}.html"}
    # Only the pages built from what changed are rendered: the changed and the added
    # escalation, their mechanisms, the home page and the weekly report.
    assert _html(again, "written") == {
        f"escalations/{E2}.html",
        "escalations/esc-20260224-aaaaaaaz.html",
        *(f"mechanisms/{m}.html" for m in mechanisms),
        "index.html",
        "reports/2026-W09.html",
    }
    assert first[f"escalations/{E1}.html"] == _tree(out)[f"escalations/{E1}.html"]

    # A changed mechanism: its page, and the escalation pages that link to it.
    wbr = repo / "mechanisms" / "wbr.yaml"
    wbr.write_text(wbr.read_text().replace("title: ", "title: Renamed ", 1))
    git(repo, "commit", "-qam", "rename wbr")
    _site(repo, out)
    shutil.rmtree(clean)
    _site(repo, clean)
    assert _tree(out) == _tree(clean)


def test_rebuild_after_one_old_change_writes_only_its_pages(
    site_repo: Path, tmp_path: Path
) -> None:
    """A closed escalation from before the report's windows gets a new title: its page, its
    mechanism's page (which lists the titles) and its month's search shard are written, and
    nothing else: not the home page, not the weekly report. The site equals a clean build."""
    repo = tmp_path / "repo"
    _fresh_copy(site_repo, repo)
    out = tmp_path / "out"
    _site(repo, out)
    e9 = next(repo.glob(f"escalations/**/{E9}.yaml"))
    text = e9.read_text()
    assert re.search(r"^title: ", text, re.M)
    e9.write_text(re.sub(r"^title: ", "title: Renamed ", text, count=1, flags=re.M))
    git(repo, "commit", "-qam", "rename an old escalation")
    again = _site(repo, out)
    assert _html(again, "written") == {f"escalations/{E9}.html", "mechanisms/wbr.html"}
    shard = "pagefind/escalations/2025-12/"
    searched = [rel for rel in again["written"] if rel.startswith("pagefind/")]  # type: ignore[attr-defined]
    assert searched and all(rel.startswith(shard) for rel in searched)
    assert all(rel.startswith(shard) for rel in again["removed"])  # type: ignore[attr-defined]
    clean = tmp_path / "clean"
    _site(repo, clean)
    assert _tree(out) == _tree(clean)
    assert "Renamed " in (out / "escalations" / f"{E9}.html").read_text()


def test_rebuild_without_the_keys_equals_a_clean_build(site_repo: Path, tmp_path: Path) -> None:
    """The keys are derived data: without them (or with them damaged) a build renders every
    page again and writes the same bytes."""
    repo = tmp_path / "repo"
    _fresh_copy(site_repo, repo)
    out = tmp_path / "out"
    _site(repo, out)
    first = _tree(out)
    for keys in _keys(repo):
        keys.unlink()
    again = _site(repo, out)
    assert again["written"] == [] and _tree(out) == first
    (keys,) = _keys(repo)
    keys.write_text("{not json")
    e2 = repo / "escalations" / "2026" / "02" / f"{E2}.yaml"
    e2.write_text(e2.read_text().replace("title: Deck omitted APAC churn", "title: Renamed"))
    git(repo, "commit", "-qam", "rename")
    again = _site(repo, out)
    assert f"escalations/{E2}.html" in again["written"]  # type: ignore[operator]
    clean = tmp_path / "clean"
    _site(repo, clean)
    assert _tree(out) == _tree(clean)


def test_out_that_is_not_a_site_is_refused(site_repo: Path, tmp_path: Path) -> None:
    from mechctl.cli.app import app

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine\n")
    done = CliRunner().invoke(app, ["-C", str(site_repo), "site", "--out", str(tmp_path / "docs")])
    assert done.exit_code == 2, done.stderr
    assert done.stderr.endswith("the directory has files and is not a mechctl site\n")
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine\n"


def _open(browser: Browser, url: str) -> str:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Page", "Network", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Page.navigate", {"url": url}, session=session)
    deadline = time.monotonic() + 30
    # Browser.wait_for would find an earlier tab's load event: poll this tab's own state.
    while browser.evaluate(session, "location.href + ' ' + document.readyState") != (
        f"{url} complete"
    ):
        state = browser.evaluate(session, "location.href + ' ' + document.readyState")
        assert time.monotonic() < deadline, f"{url} did not load: {state}"
        browser.drain(0.05)
    return session


def _chromium() -> str:
    """Chromium's path; the test is skipped without it (failed, in CI, which installs it)."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("MECHCTL_REQUIRE_CHROMIUM") == "1":
            pytest.fail("MECHCTL_REQUIRE_CHROMIUM=1 but no Chromium is installed")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return executable


def test_served_site_in_chromium(site_repo: Path, tmp_path: Path) -> None:
    executable = _chromium()
    out = tmp_path / "out"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mechctl",
            "-C",
            str(site_repo),
            "site",
            "--out",
            str(out),
            "--weeks",
            "1",
            "--serve",
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    try:
        assert server.stderr is not None
        base = None
        deadline = time.monotonic() + 60
        while base is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            base = found[1] if found else None
        assert base is not None, "the server did not start"
        browser = Browser(executable, allow="127.0.0.1")
        try:
            found_pages = {}
            for rel in (
                "index.html",
                "mechanisms/wbr.html",
                f"escalations/{E4}.html",
                "reports/2026-W09.html",
            ):
                session = _open(browser, base + rel)
                browser.drain(0.3)
                found_pages[rel] = browser.evaluate(
                    session,
                    "Array.from(document.querySelectorAll('svg[role=img]')).map("
                    "s => [s.getBoundingClientRect().width,"
                    " !s.getAttribute('aria-label').includes('no numeric values'),"
                    " s.querySelectorAll('path,polyline,line,circle,rect,text').length])",
                )
            session = _open(browser, base + "search.html")
            browser.drain(0.5)
            hits = browser.send(
                "Runtime.evaluate",
                {
                    "expression": "(async () => {"
                    " const pf = await import('./pagefind/pagefind.js');"
                    " const r = await pf.search('late two weeks running');"
                    " const d = await Promise.all(r.results.map(x => x.data()));"
                    " return d.map(x => x.url); })()",
                    "awaitPromise": True,
                    "returnByValue": True,
                },
                session=session,
            )["result"].get("value")
            browser.drain(0.3)
            # The escalations are in the search's shards, which the search page merges.
            merged = browser.send(
                "Runtime.evaluate",
                {
                    "expression": "(async () => {"
                    " const pf = await import('./pagefind/pagefind.js');"
                    " for (const s of shards) {"
                    "   await pf.mergeIndex(new URL('pagefind/' + s, location.href).href); }"
                    " const r = await pf.search('reviews queue for weeks');"
                    " const d = await Promise.all(r.results.map(x => x.data()));"
                    " return [shards.length, d.map(x => x.url)]; })()",
                    "awaitPromise": True,
                    "returnByValue": True,
                },
                session=session,
            )["result"].get("value")
            browser.drain(0.3)
        finally:
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()
    charts = found_pages["mechanisms/wbr.html"]
    assert len(charts) == 5 and sum(numeric for _, numeric, _ in charts) == 3
    for width, numeric, drawn in charts:
        assert width > 100 and drawn >= (4 if numeric else 0)
    assert len(found_pages["reports/2026-W09.html"]) == 3
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests and all(u.startswith((base, "data:")) for u in requests), requests
    errors = [
        e["params"]
        for e in browser.events
        if e.get("method") in ("Runtime.exceptionThrown",)
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    # The anecdote's words find its mechanism's page (and only it).
    assert hits == ["/mechanisms/wbr.html"]
    assert merged is not None and merged[0] >= 2, merged
    # A merged bundle's results come with the site's origin; they resolve on the same host.
    assert f"{base}escalations/{E4}.html" in merged[1]
    for width, _, drawn in found_pages["reports/2026-W09.html"]:
        assert width > 100 and drawn > 10


def test_search_links_hold_under_a_sub_path(site_repo: Path, tmp_path: Path) -> None:
    """A GitHub Pages project site is served under /REPO/: the search page's results, from
    the mechanisms' index and from the escalations' merged shards alike, link below it."""
    executable = _chromium()
    host = tmp_path / "host"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "mechctl",
            "-C",
            str(site_repo),
            "site",
            "--out",
            str(host / "repo"),
            "--weeks",
            "1",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
        check=False,
    )
    assert built.returncode == 0, built.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(host)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its "Serving ... port N" line at once
    )
    try:
        assert server.stdout is not None
        found = re.search(r"port (\d+)", server.stdout.readline())
        assert found, "the server did not start"
        browser = Browser(executable, allow="127.0.0.1")
        try:
            session = _open(browser, f"http://127.0.0.1:{found[1]}/repo/search.html")
            browser.drain(0.5)
            browser.evaluate(
                session,
                "(() => { const i = document.querySelector('#search input');"
                " i.value = 'reviews'; i.dispatchEvent(new Event('input', {bubbles: true}));"
                " return 1; })()",
            )
            links: list[str] = []
            deadline = time.monotonic() + 30
            while not links and time.monotonic() < deadline:
                browser.drain(0.25)
                links = browser.evaluate(
                    session,
                    "Array.from(document.querySelectorAll('#search a')).map("
                    "a => a.getAttribute('href'))",
                )
        finally:
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    assert any(link.startswith("/repo/escalations/") for link in links), links
    assert any(link.startswith("/repo/mechanisms/") for link in links), links
    assert all(link.startswith("/repo/") for link in links), links
