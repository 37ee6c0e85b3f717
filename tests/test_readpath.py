"""The lean read path (docs/design.md §8): what `escalation list`, `mechanism list` and `due`
compute from the index's rows and the configuration's facts is what the models would say."""

from __future__ import annotations

import contextlib
import io
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from mechctl.cli.output import print_json, stream_json
from mechctl.models import Config, defaults
from mechctl.services.core.index.build import shown
from mechctl.services.core.index.facts import facts_of
from mechctl.services.escalation.listing import deriver, deriver_of_times

NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


def test_the_default_facts_are_the_default_configuration() -> None:
    config = Config()
    assert defaults.facts() == facts_of(config, list(config.escalation.levels))


def _written(call: object) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()  # type: ignore[operator]
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 1030])
@pytest.mark.parametrize("batch", [1, 2, 512])
def test_stream_json_writes_what_print_json_writes(count: int, batch: int) -> None:
    items = [{"n": i, "nested": {"text": f"line\n{i}", "list": [1, {}]}} for i in range(count)]
    assert _written(lambda: stream_json(iter(items), batch=batch)) == _written(
        lambda: print_json(items)
    )


def test_indented_items_write_what_print_json_writes(tmp_path: Path) -> None:
    items = [{"id": f"e{i}", "timeline": [{"at": "x", "by": "y"}]} for i in range(5)]
    script = (
        "import sys; sys.path[:0] = [{src!r}];"
        "from mechctl.cli.output import stream_json_items;"
        "from mechctl.services.core.index.build import shown;"
        "import orjson; items = orjson.loads(sys.argv[1]);"
        "stream_json_items(shown(item) for item in items)"
    ).format(src=str(Path(__file__).parents[1] / "src"))
    for chosen in (items, items[:1], []):
        ran = subprocess.run(
            [sys.executable, "-c", script, orjson.dumps(chosen).decode()],
            capture_output=True,
            check=True,
        )
        assert ran.stdout.decode() == _written(lambda chosen=chosen: print_json(chosen))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _row(rng: random.Random) -> dict[str, object]:
    """An escalation's JSON row, as far as the figures read it: any order of actions."""
    raised = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
    timeline = [{"at": _iso(raised), "action": "raised", "by": "Ana <ana@example.com>"}]
    at = raised
    actions = ["acknowledged", "resolved", "reopened", "resolved", "closed"]
    for action in rng.sample(actions, rng.randrange(0, 4)):
        at = at + timedelta(minutes=rng.randrange(1, 60 * 24 * 20))
        timeline.append({"at": _iso(at), "action": action, "by": "Bo <bo@example.com>"})
    return {
        "id": "esc-20261101-aaaaaaaa",
        "title": "Deck missed churn",
        "resolution": None,
        "status": rng.choice(["open", "acknowledged", "resolved", "closed"]),
        "severity": rng.choice(["sev1", "sev2", "sev3", "sev4"]),
        "level": "director",
        "mechanism": None,
        "owner": None,
        "failure_mode": "new-input",
        "raised_at": _iso(raised),
        "raised_by": "Ana <ana@example.com>",
        "timeline": timeline,
    }


def test_figures_from_the_columns_are_the_figures_from_the_timeline() -> None:
    from mechctl.services.core.index.build import _columns
    from mechctl.services.core.index.query import TIMES
    from mechctl.services.core.index.store import COLUMNS

    rng = random.Random(7)
    facts = defaults.facts()
    by_timeline = deriver(facts, NOW)
    by_columns = deriver_of_times(facts, NOW)
    for _ in range(500):
        row = _row(rng)
        columns = dict(zip(COLUMNS, _columns("escalation", row), strict=True))
        times = tuple(columns[name] for name in TIMES)
        assert by_columns(times) == by_timeline(row), row
        assert orjson.loads(shown(row)) == row


def test_derived_json_writes_the_bytes_of_the_figures_from_the_timeline() -> None:
    """`list --json`'s figures, in whole-number arithmetic from the index's epoch times
    (listing.derived_json), are the bytes of deriver's figures written by orjson: at whole
    seconds and between them, before and after the records were raised."""
    from mechctl.services.core.index.build import _columns
    from mechctl.services.core.index.query import EPOCH_TIMES
    from mechctl.services.core.index.store import COLUMNS, memory
    from mechctl.services.escalation.listing import derived_json

    rng = random.Random(11)
    facts = defaults.facts()
    db = memory()
    rows = []
    for number in range(400):
        row = _row(rng)
        columns = dict(zip(COLUMNS, _columns("escalation", row), strict=True))
        db.execute(
            f"INSERT INTO files (path, kind, blob, salt, origin, valid, record,"
            f" {', '.join(COLUMNS)}) VALUES (?, 'escalation', '', '', 0, 1, ?,"
            f" {', '.join('?' * len(COLUMNS))})",
            (f"e{number:04d}", shown(row), *columns.values()),
        )
        rows.append(row)
    stored = db.execute(f"SELECT record, {', '.join(EPOCH_TIMES)} FROM files ORDER BY path")
    found = [(record, tuple(times)) for record, *times in stored]
    indent = orjson.OPT_INDENT_2
    # At each deadline exactly, for the rows still waiting on it (past it is strictly after).
    edges = [
        datetime.fromisoformat(row["raised_at"]) + timedelta(seconds=facts[target][row["severity"]])
        for row in rows
        if row["status"] in ("open", "acknowledged")
        for target in ("ack_within", "resolve_within")
    ][:40]
    for now in (
        NOW,
        NOW + timedelta(microseconds=999_999),
        NOW - timedelta(days=3000, microseconds=1),
        datetime(2020, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC),
        *edges,
    ):
        write = derived_json(facts, now)
        figures = deriver(facts, now)
        for row, (record, times) in zip(rows, found, strict=True):
            expected = (
                shown(row)[:-4]
                + b',\n    "derived": '
                + orjson.dumps(figures(row), option=indent).replace(b"\n", b"\n    ")
                + b"\n  }"
            )
            assert write(record, times) == expected, (row, now)
