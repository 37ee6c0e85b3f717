"""Everything under `.git/mechctl/` is derived (docs/design.md §7): its absence, a corrupt
store or a new key changes no output, and a new key rebuilds every store."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Runner, git
from lintkit import commit, write_esc
from mechctl import derived

NOW = {"MECHCTL_NOW": "2026-11-25T12:00:00Z"}
STORES = ("index.sqlite",)  # lint keeps its tables in it (services/lint/kept.py)


@pytest.fixture
def records(cli: Runner, repo: Path, mechanism: Callable[..., str]) -> Path:
    """A mechanism, escalations in several states, and one that lint complains about."""
    mechanism("wbr", "wbr")
    ids = []
    for n in range(3):
        made = cli(
            "escalate", "-m", "wbr", "-t", f"Failure {n}", "-i", "I",
            env={"MECHCTL_NOW": f"2026-11-2{n}T09:00:00Z"},
        )  # fmt: skip
        assert made.exit_code == 0, made
        ids.append(made.stdout.strip())
    assert cli("escalation", "ack", ids[0], env=NOW).exit_code == 0
    write_esc(repo, "esc-20261120-aaaaaaaa", mechanism="wbrr")  # unknown-mechanism
    commit(repo)
    return repo


def _outputs(cli: Runner) -> list[tuple[int, str]]:
    runs = [
        cli("escalation", "list", "--status", "all", "--json", env=NOW),
        cli("report", "--format", "json", env=NOW),
        cli("lint", "--format", "json", env=NOW),
    ]
    return [(run.exit_code, run.stdout) for run in runs]


def _stamp(file: Path) -> str | None:
    with sqlite3.connect(file) as db:
        row = db.execute("SELECT value FROM derived WHERE name = 'key'").fetchone()
    return None if row is None else str(row[0])


def _corrupt_header(file: Path) -> None:
    file.write_bytes(b"this is not a database" * 100)


def _corrupt_pages(file: Path) -> None:
    data = bytearray(file.read_bytes())
    data[200:] = b"\xff" * (len(data) - 200)  # the header holds; the schema and rows do not
    file.write_bytes(bytes(data))


def test_no_folder_warm_and_none_again_print_the_same(cli: Runner, records: Path) -> None:
    folder = records / ".git" / "mechctl"
    shutil.rmtree(folder)
    cold = _outputs(cli)
    assert [code for code, _ in cold] == [0, 0, 1]
    assert json.loads(cold[0][1]) and json.loads(cold[1][1]) and json.loads(cold[2][1])
    for store in STORES:
        assert _stamp(folder / store) == derived.key()
    assert _outputs(cli) == cold  # warm
    shutil.rmtree(folder)
    assert _outputs(cli) == cold


@pytest.mark.parametrize("damage", [_corrupt_header, _corrupt_pages])
def test_a_corrupt_store_is_rebuilt_and_changes_nothing(
    cli: Runner, records: Path, damage: Callable[[Path], None]
) -> None:
    expected = _outputs(cli)
    folder = records / ".git" / "mechctl"
    for store in STORES:
        for side in folder.glob(f"{store}-*"):
            side.unlink()
        damage(folder / store)
    assert _outputs(cli) == expected
    assert _outputs(cli) == expected
    with sqlite3.connect(folder / "index.sqlite") as db:  # rebuilt, and holding the records
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 5
    assert not (folder / "lint-cache.sqlite3").exists()
    # escalate reads its facts from the rebuilt index
    made = cli("escalate", "-m", "wbr", "-t", "After", "-i", "I", "--json", env=NOW)
    assert made.exit_code == 0 and json.loads(made.stdout)["owner"] == "finance"


def test_an_undecodable_value_in_a_sound_store_changes_nothing(cli: Runner, records: Path) -> None:
    expected = _outputs(cli)
    folder = records / ".git" / "mechctl"
    with sqlite3.connect(folder / "index.sqlite") as db:
        db.execute("UPDATE lint_runs SET findings = x'ff00'")
        db.execute("UPDATE lint_outputs SET body = x'ff00'")
        db.execute("UPDATE lint_places SET line = 'x', col = -1")
        db.execute("UPDATE lint_facts SET value = x'ff00'")
        db.execute("UPDATE files SET record = '{cut' WHERE record IS NOT NULL")
    assert _outputs(cli) == expected
    with sqlite3.connect(folder / "index.sqlite") as db:  # thrown away, and made again
        assert db.execute("SELECT count(*) FROM files WHERE record = '{cut'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM files").fetchone() == (5,)
    assert _outputs(cli) == expected


def test_a_store_that_cannot_be_made_is_skipped(cli: Runner, records: Path) -> None:
    expected = _outputs(cli)
    folder = records / ".git" / "mechctl"
    for store in STORES:
        for file in folder.glob(f"{store}*"):
            file.unlink()
        (folder / store).mkdir()  # not a file: SQLite cannot open it, nor can it be removed
    assert _outputs(cli) == expected
    assert all((folder / store).is_dir() for store in STORES)


def test_a_new_key_rebuilds_every_store(
    cli: Runner, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _outputs(cli)
    folder = records / ".git" / "mechctl"
    old = derived.key()
    with sqlite3.connect(folder / "index.sqlite") as db:
        db.execute("INSERT INTO meta VALUES ('planted', x'00')")
    with sqlite3.connect(folder / "index.sqlite") as db:
        db.execute("INSERT INTO lint_facts VALUES ('planted', x'00')")
    assert cli("escalate", "-m", "wbr", "-t", "Before", "-i", "I", env=NOW).exit_code == 0

    monkeypatch.setattr(derived, "FORMAT", derived.FORMAT + 1)
    new = derived.key()
    assert new != old
    git(records, "reset", "-q", "--hard", "HEAD~1")  # the same records as `expected`
    assert _outputs(cli) == expected
    for store in STORES:
        assert _stamp(folder / store) == new
    with sqlite3.connect(folder / "index.sqlite") as db:
        assert db.execute("SELECT count(*) FROM meta WHERE name = 'planted'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM lint_facts WHERE name = 'planted'").fetchone() == (
            0,
        )
    assert cli("escalate", "-m", "wbr", "-t", "After", "-i", "I", env=NOW).exit_code == 0


def test_the_key_follows_the_code_only_in_a_source_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mechctl

    assert derived.editable()  # the tests run from src/
    assert derived.editable(str(Path(mechctl.__file__).parent))
    assert not derived.editable("/usr/lib/python3/dist-packages/mechctl")
    assert not derived.editable("/venv/lib/python3.11/site-packages/mechctl")

    package = tmp_path / "checkout" / "mechctl"
    (package / "models").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "__init__.py").write_text("")
    rule = package / "models" / "rules.py"
    rule.write_text("LIMIT = 1\n")
    first = derived.fingerprint(str(package))
    (package / "__pycache__" / "rules.cpython-311.pyc").write_bytes(b"x")
    (package / "notes.txt").write_text("not code")
    derived._fingerprints.clear()
    assert derived.fingerprint(str(package)) == first  # only modules count
    rule.write_text("LIMIT = 10\n")
    derived._fingerprints.clear()
    changed = derived.fingerprint(str(package))
    assert changed != first

    monkeypatch.setattr(derived, "_PACKAGE", str(package))
    derived._fingerprints.clear()
    in_checkout = derived.key()
    rule.write_text("LIMIT = 100\n")
    derived._fingerprints.clear()
    assert derived.key() != in_checkout  # a changed validator makes every store stale

    installed = tmp_path / "venv" / "site-packages" / "mechctl"
    shutil.copytree(package, installed)
    monkeypatch.setattr(derived, "_PACKAGE", str(installed))
    before = derived.key()
    (installed / "models" / "rules.py").write_text("LIMIT = 1000\n")
    derived._fingerprints.clear()
    assert derived.key() == before  # an installed package changes with its version only
    derived._fingerprints.clear()


def test_drafts_are_never_overwritten(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    first = derived.save_draft(tmp_path, "demo", "why\nnot", [("a.yaml", "a: 1\n")], when)
    second = derived.save_draft(
        tmp_path, "demo", "again", [("a.yaml", "a: 2\n"), ("b.yaml", "b: 2\n")], when
    )
    drafts = tmp_path / "mechctl" / "drafts"
    assert (first, second) == (
        drafts / "20261121T100000Z-demo.yaml",
        drafts / "20261121T100000Z-demo-2.yaml",
    )
    assert first.read_text() == "# mechctl draft: why not\n# file: a.yaml\na: 1\n"
    assert second.read_text() == (
        "# mechctl draft: again\n# file: a.yaml\na: 2\n---\n# file: b.yaml\nb: 2\n"
    )
