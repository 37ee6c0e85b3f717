"""`mechctl report --format html`: one self-contained file, checked in headless Chromium.

The Chromium test skips when no Chromium is installed, unless MECHCTL_REQUIRE_CHROMIUM=1
(as `.ci/run` sets), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from cdp import Browser, find_chromium
from report_repo import NOW, build


@pytest.fixture(scope="module")
def html_file(_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("MECHCTL_REQUIRE_CHROMIUM") != "1":
        pytest.importorskip("matplotlib", reason="the `report` extra (matplotlib) is not installed")
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    base = tmp_path_factory.mktemp("html")
    repo = build(_template, base / "repo")
    target = base / "out" / "report.html"
    done = CliRunner().invoke(
        app,
        ["-C", str(repo), "report", "--format", "html", "--out", str(target)],
        env={"MECHCTL_NOW": NOW},
    )
    assert done.exit_code == 0, done.stderr
    return target


def test_html_is_self_contained(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in text  # the page may not fetch anything at all
    assert '<meta name="viewport"' in text and "@media print" in text
    assert text.count("<svg") == 3
    assert "<script" not in text
    # No resource is loaded from anywhere: every src/href is a fragment or a data: URI.
    for attribute in re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', text):
        assert attribute.startswith(("#", "data:")), attribute
    assert "url(" not in text.replace("url(#", "")
    for needle in (
        "Nobody owns large refunds",
        "escalated again",
        "Lena Fischer",
        "A customer asked why the deck was late two weeks running",
        "█▁",
    ):
        assert needle in text


def test_html_escapes_record_text(
    _template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib", reason="the `report` extra (matplotlib) is not installed")
    from mechctl.cli.report.html import render
    from mechctl.services.core.context import open_workspace
    from mechctl.services.report.build import build_report, parse_period

    repo = build(_template, tmp_path / "repo")
    path = repo / "escalations" / "2026" / "02" / "esc-20260224-aaaaaaac.yaml"
    path.write_text(
        path.read_text().replace(
            "title: Deck omitted APAC churn", "title: <script>alert(1)</script> & <b>"
        )
    )
    monkeypatch.setenv("MECHCTL_NOW", NOW)
    ws = open_workspace(repo)
    text = render(build_report(ws, parse_period(None, None, ws.now())))
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in text


def test_html_without_matplotlib_is_one_clear_error(
    _template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    done = CliRunner().invoke(app, ["-C", str(_template), "report", "--format", "html"])
    assert done.exit_code == 1
    assert done.stdout == ""
    assert done.stderr == (
        "error: --format html needs matplotlib, which is not installed\n"
        "hint: pip install 'mechctl[report]' (or use --format text, markdown or json)\n"
    )


def test_other_formats_never_import_matplotlib(_template: Path) -> None:
    import subprocess

    code = (
        "import sys; from mechctl.cli import main; sys.argv = ['mechctl', '-C', sys.argv[1],"
        " 'report', '--format', 'markdown']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(_template)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_html_renders_in_chromium_offline(html_file: Path) -> None:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("MECHCTL_REQUIRE_CHROMIUM") == "1":
            pytest.fail("MECHCTL_REQUIRE_CHROMIUM=1 but no Chromium is installed")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    browser = Browser(executable)
    try:
        session = browser.open(html_file)
        browser.drain(0.5)  # late console messages or requests
        figures = browser.evaluate(session, "document.querySelectorAll('figure svg').length")
        drawn = browser.evaluate(
            session,
            "Array.from(document.querySelectorAll('figure svg')).map("
            "s => [s.getBoundingClientRect().width,"
            " s.querySelectorAll('path,rect,text,line,polyline,circle').length])",
        )
        # The outcomes chart: a square for each inspection, each saying what it was.
        squares = browser.evaluate(
            session,
            "Array.from(document.querySelectorAll('figure svg')[2].querySelectorAll('path'))"
            ".filter(p => p.querySelector('title')).map(p => p.querySelector('title')"
            ".textContent)",
        )
        title = browser.evaluate(session, "document.title")
        phone = browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
            session=session,
        )
        overflow = browser.evaluate(
            session, "document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
    finally:
        browser.close()
    assert title == "Mechanism review, 2026-02-22 12:00Z to 2026-03-01 12:00Z"
    assert figures == 3
    for width, shapes in drawn:
        assert width > 100 and shapes > 10  # each chart is laid out and drawn
    assert squares and all(
        re.fullmatch(r"\S+ \d{4}-\d{2}-\d{2}: (on-track|at-risk|off-track)", t) for t in squares
    ), squares
    assert phone == {}
    assert overflow, "the page scrolls sideways on a phone"
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests and all(u == html_file.as_uri() or u.startswith("data:") for u in requests), (
        requests
    )
    errors = [
        e["params"]
        for e in browser.events
        if e.get("method") in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled")
        or (
            e.get("method") == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
    ]
    assert errors == []
