"""The progress bar: only on a terminal, only for a large repository, always on stderr."""

from __future__ import annotations

import io
import sys

import pytest


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from mechctl.cli import progress

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress.loading("escalations") as update:
        assert update is None


def test_bar_on_a_terminal_for_a_large_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    from mechctl.cli import output, progress

    fake = Terminal()
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setenv("TERM", "xterm")
    output.reset_consoles()
    try:
        with progress.loading("escalations") as update:
            assert update is not None
            update(250, progress.LARGE)  # a small repository: nothing shown
            assert fake.getvalue() == ""
            update(250, progress.LARGE + 1)
            update(progress.LARGE + 1, progress.LARGE + 1)
        assert "loading escalations" in fake.getvalue()
    finally:
        output.reset_consoles()


def test_catalog_reports_progress(repo: object) -> None:
    from pathlib import Path

    from mechctl.services.core import catalog
    from mechctl.services.core.context import open_workspace

    assert isinstance(repo, Path)
    folder = repo / "escalations" / "2026" / "01"
    folder.mkdir(parents=True)
    for index in range(260):  # invalid files count as loaded too
        (folder / f"record-{index}.yaml").write_text("x: 1\n")
    calls: list[tuple[int, int]] = []
    catalog.escalations(open_workspace(repo), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(250, 260), (260, 260)]
