"""`report` and `status` read the index in SQL (docs/design.md §7): every output is the same,
byte for byte, with a warm index, with none (`.git/mechctl/` deleted), and after edits that the
index must notice (a second resolution, a copy under another name, a deleted file)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_repo import E3, E4, NOW, build

RUNS: list[tuple[str, ...]] = [
    ("report",),
    ("report", "--format", "markdown"),
    ("report", "--format", "json"),
    ("report", "--since", "2025-11-01", "--until", "2026-03-01", "--format", "json"),
    ("report", "--since", "2026-02-22T12:00:00.5Z", "--until", "2026-02-26T12:00:00.25Z"),
    ("report", "--until", "2026-02-26", "--format", "markdown"),
    ("status",),
    ("status", "--json"),
    ("status", "--team", "finance"),
    ("status", "--team", "product-management", "--json"),
]


@pytest.fixture
def known(_template: Path, tmp_path: Path) -> Path:
    return build(_template, tmp_path / "repo")


def _outputs(repo: Path) -> list[tuple[int, str, str]]:
    from typer.testing import CliRunner

    from mechctl.cli.app import app

    found = []
    for args in RUNS:
        done = CliRunner().invoke(app, ["-C", str(repo), *args], env={"MECHCTL_NOW": NOW})
        found.append((done.exit_code, done.stdout, done.stderr))
    return found


def _same_warm_and_cold(repo: Path) -> list[tuple[int, str, str]]:
    warm = _outputs(repo)
    assert [code for code, _, _ in warm] == [0] * len(RUNS), warm
    shutil.rmtree(repo / ".git" / "mechctl")
    assert _outputs(repo) == warm  # cold: no index at all
    assert _outputs(repo) == warm  # warm again
    return warm


def _path(repo: Path, esc_id: str) -> Path:
    day = esc_id[4:12]
    return repo / "escalations" / day[:4] / day[4:6] / f"{esc_id}.yaml"


def test_report_and_status_are_the_same_with_and_without_the_index(known: Path) -> None:
    _outputs(known)  # the index is made
    before = _same_warm_and_cold(known)
    # E4 reopened and resolved again: two resolutions, both thanked; then a copy of E3 under
    # another name (invalid: its id is not its name) and E3 itself gone.
    e4 = _path(known, E4)
    text = e4.read_text()
    resolved = text.index("  - at: 2026-02-26T12:00:00Z")
    again = (
        "  - at: 2026-02-27T09:00:00Z\n"
        "    by: Wei Chen <wei@example.com>\n"
        "    action: reopened\n"
        "  - at: 2026-02-27T10:00:00Z\n"
        "    by: Lena Fischer <lena@example.com>\n"
        "    action: resolved\n"
    )
    end = text.index("resolution:")
    e4.write_text(text[:end] + again + text[end:])
    assert resolved > 0
    after = _same_warm_and_cold(known)
    assert after != before
    json_report = after[2][1]
    assert '"person": "Lena Fischer <lena@example.com>"' in json_report
    copy = _path(known, E3).with_name("esc-20260210-zzzzzzzz.yaml")
    shutil.copy(_path(known, E3), copy)
    _path(known, E3).unlink()
    _outputs(known)  # the index follows the edits
    moved = _same_warm_and_cold(known)
    assert "esc-20260210-zzzzzzzz.yaml" in moved[2][1]  # skipped as invalid, named


# -- the recurring failures from the index's rows (build._recurring) ------------------------
@dataclass(frozen=True)
class _Esc:
    id: str
    mechanism: str | None
    failure_mode: Any
    raised_at: datetime


class _Rows:
    """What ReportRows reads of an index: its rows."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def rows(self, sql: str, args: Any = ()) -> Any:
        return iter(self.db.execute(sql, args).fetchall())

    def fetch(self, sql: str, args: Any = ()) -> Any:
        return self.db.execute(sql, args).fetchall()


_START = datetime(2022, 1, 1, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["wbr", "prfaq", None]),
            st.sampled_from(["scale", "other"]),
            # Seconds over about a year, crowded around the 90-day edge.
            st.one_of(st.integers(0, 400 * 86400), st.sampled_from([0, 7776000, 7776001])),
        ),
        max_size=40,
    ),
    st.integers(0, 2),
)
def test_recurring_from_rows_is_analysis_recurring_failures(rows: list[Any], extra: int) -> None:
    from mechctl.models.enums import FailureMode
    from mechctl.services.core import analysis
    from mechctl.services.core.index.store import memory
    from mechctl.services.report.build import _recurring
    from mechctl.services.report.query import ReportRows

    db = memory()
    facts = []
    for number, (mechanism, mode, second) in enumerate(rows):
        raised = _START + timedelta(seconds=second)
        esc_id = f"esc-{number:04d}"
        text = raised.strftime("%Y-%m-%dT%H:%M:%SZ")
        db.execute(
            "INSERT INTO files (path, kind, blob, salt, origin, valid, id, mechanism,"
            " failure_mode, raised_at, raised_ts) VALUES (?, 'escalation', '', '', 0, 1,"
            " ?, ?, ?, ?, ?)",
            (f"escalations/{esc_id}.yaml", esc_id, mechanism, mode, text, int(raised.timestamp())),
        )
        facts.append(_Esc(esc_id, mechanism, FailureMode(mode), raised))
    as_of = _START + timedelta(days=200 * extra)
    groups = ReportRows(_Rows(db), _START, as_of).groups()  # type: ignore[arg-type]
    found = _recurring(groups, as_of)
    before = [f for f in facts if f.raised_at < as_of]
    expected = [
        (r.mechanism, r.failure_mode.value, list(r.escalations))
        for r in analysis.recurring_failures(before)
    ]
    assert [(r.mechanism, r.failure_mode, r.escalations) for r in found] == expected
