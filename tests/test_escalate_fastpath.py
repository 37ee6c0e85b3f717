"""The fast path of `escalate` writes exactly what the Escalation model accepts.

`escalate` assembles its record without pydantic or ruamel (services/escalation/escalate.py); these
tests hold it to the model, check the blob-id fact cache behind it, check that a real run loads
neither, and that what it writes and prints is the title and impact exactly as given.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import SRC, Runner, commit_count, git
from mechctl.models import Escalation
from mechctl.store import layout
from mechctl.store.emit import emit
from mechctl.store.yamlio import load_fast, load_roundtrip

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())


@settings(max_examples=300, deadline=None)
@given(title=texts, impact=texts, tags=st.lists(texts, max_size=3))
def test_emitted_record_reads_back_exactly_and_validates(
    title: str, impact: str, tags: list[str]
) -> None:
    at = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    record = {
        "id": "esc-20261121-abcdefgh",
        "title": title,
        "mechanism": None,
        "failure_mode": "no-mechanism",
        "severity": "sev3",
        "level": "director",
        "status": "open",
        "customer_impact": impact,
        "raised_by": "A <a@example.com>",
        "raised_at": at,
        "links": [],
        "tags": tags,
        "timeline": [
            {"at": at, "by": "A <a@example.com>", "action": "raised", "level": "director"}
        ],
    }
    text = emit(record, header="# yaml-language-server: $schema=x")
    data = load_fast(text, "x.yaml")
    assert data["title"] == title
    assert data["customer_impact"] == impact
    assert data["tags"] == tags
    assert load_roundtrip(text, "x.yaml")["title"] == title
    model = Escalation.model_validate(data)
    assert model.raised_at == at
    assert model.timeline[0].at == at


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=texts, impact=texts)
def test_escalate_output_validates(cli: Runner, repo: Path, title: str, impact: str) -> None:
    result = cli("escalate", "--failure-mode", "no-mechanism", "--title", title, "--impact", impact)
    assert result.exit_code == 0, result
    shown = cli("escalation", "show", result.stdout.strip(), "--json")
    assert shown.exit_code == 0, shown


def test_config_change_is_seen_despite_cache(cli: Runner, repo: Path) -> None:
    assert cli("escalate", "--failure-mode", "no-mechanism", "-t", "T", "-i", "I").exit_code == 0
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text().replace("default_level: director", "default_level: vp"))
    git(repo, "commit", "-qam", "escalate to vp by default")
    out = cli("escalate", "--failure-mode", "no-mechanism", "-t", "T", "-i", "I", "--json")
    assert out.exit_code == 0, out
    assert '"level": "vp"' in out.stdout


def test_broken_config_is_refused_even_after_a_cached_good_one(cli: Runner, repo: Path) -> None:
    assert cli("escalate", "--failure-mode", "no-mechanism", "-t", "T", "-i", "I").exit_code == 0
    config = repo / ".mechctl.yaml"
    config.write_text(config.read_text().replace("default_level: director", "default_level: ceo"))
    result = cli("escalate", "--failure-mode", "no-mechanism", "-t", "T", "-i", "I")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: invalid configuration: .mechctl.yaml:")
    assert "default_level 'ceo' is not one of the levels" in result.stderr


def test_corrupt_fact_cache_is_ignored(cli: Runner, repo: Path, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    _age(repo)
    assert cli("escalate", "-m", "wbr", "-t", "T", "-i", "I").exit_code == 0
    index = repo / ".git" / "mechctl" / "index.sqlite"
    with sqlite3.connect(index) as db:
        assert (
            db.execute(
                "UPDATE meta SET value = x'7b6e6f74' WHERE name LIKE 'facts:%' OR name = 'config'"
            ).rowcount
            == 2
        )
    out = cli("escalate", "-m", "wbr", "-t", "T", "-i", "I", "--json")
    assert out.exit_code == 0, out
    assert '"owner": "finance"' in out.stdout


def test_broken_mechanism_file_does_not_block_an_escalation(
    cli: Runner, repo: Path, mechanism
) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    path = repo / "mechanisms" / "wbr.yaml"
    path.write_text(path.read_text() + "bogus: [\n")
    out = cli("escalate", "-m", "wbr", "-t", "T", "-i", "I", "--json")
    assert out.exit_code == 0, out
    assert '"owner": null' not in out.stdout or '"mechanism": "wbr"' in out.stdout


# -- the hot path, as a user runs it -----------------------------------------------------------

# What `escalate` must not load (docs/design.md §8): the models, the YAML library, GitPython.
HEAVY = ("pydantic", "pydantic_core", "ruamel", "git", "gitdb")
_WATCH = """
import atexit, sys
out, sys.argv = sys.argv[1], ["mechctl", *sys.argv[2:]]
def _loaded() -> None:
    top = {name.split(".")[0] for name in sys.modules}
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(" ".join(sorted(top & set(HEAVY))))
atexit.register(_loaded)
from mechctl.cli import main
main()
"""


def _age(repo: Path) -> None:
    """Date the configuration and the mechanisms a minute back, as files that were not
    changed just now."""
    when = time.time() - 60
    for path in [repo / ".mechctl.yaml", *(repo / "mechanisms").glob("*.yaml")]:
        os.utime(path, (when, when))


def _watched(
    repo: Path, tmp_path: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `mechctl ARGS` as a real process; return it and the heavy modules it had loaded."""
    report = tmp_path / "loaded.txt"
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{_WATCH}", str(report), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    return done, report.read_text(encoding="utf-8")


def test_escalate_loads_neither_pydantic_nor_ruamel_nor_gitpython(
    repo: Path, tmp_path: Path, mechanism
) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    _age(repo)  # a file changed within the last second is read again (services/core/index/)
    before = commit_count(repo)
    # The first escalate reads and checks the configuration and the mechanism once, and keeps
    # what it learnt in the index (services/core/index/); every later one starts from that.
    warm, _ = _watched(repo, tmp_path, "escalate", "-m", "wbr", "-t", "Warm up", "-i", "I")
    assert warm.returncode == 0, warm.stderr
    for args in (
        ["-m", "wbr", "-t", "Deck missed churn", "-i", "EU churn went unnoticed"],
        ["--failure-mode", "no-mechanism", "-t", "Nobody owns refunds", "-i", "Refunds wait"],
    ):
        done, loaded = _watched(repo, tmp_path, "escalate", *args)
        assert (done.returncode, done.stderr) == (0, ""), args
        assert re.fullmatch(r"esc-\d{8}-[a-z2-7]{8}\n", done.stdout), done.stdout
        assert loaded == "", f"escalate {' '.join(args)} loaded {loaded}"
    assert commit_count(repo) == before + 3


# Values a YAML writer gets wrong when it writes plain scalars: each must come back as given.
EXACT = [
    ("unicode", "Café ☕ — 客户 déçu 🚨", "Ünïcödé impact: naïve, 日本語, emoji 🙂"),
    ("quotes", "He said \"no\" and 'maybe'", "'single' \"double\" `back`"),
    ("colons", "key: value", "ends with a colon:"),
    ("hashes", "# not a comment", "issue #42 and a # hash"),
    ("multi-line impact", "Deck late", "line one\n  indented line two\n\nline four\ttab"),
    ("yes", "yes", "no"),
    ("null", "null", "~"),
    ("booleans", "true", "off"),
    ("numbers", "3.14", "0x1F"),
    ("dates", "2026-11-21", "2026-11-21T10:00:00Z"),
    ("flow collections", "[a, b]", "{k: v}"),
    ("indicators", "- dash", "&anchor *alias !tag %percent @at | >"),
    ("backslashes", "C:\\path\\n", "\\u0041 is not A"),
]


@pytest.mark.parametrize(("title", "impact"), [c[1:] for c in EXACT], ids=[c[0] for c in EXACT])
def test_escalate_json_gives_title_and_impact_exactly(
    cli: Runner, repo: Path, title: str, impact: str
) -> None:
    pinned = {"MECHCTL_NOW": "2026-11-21T10:00:00Z"}
    out = cli(
        "escalate", "--failure-mode", "no-mechanism", f"--title={title}", f"--impact={impact}",
        "--json", env=pinned,
    )  # fmt: skip
    assert out.exit_code == 0, out
    raised = json.loads(out.stdout)
    assert (raised["title"], raised["customer_impact"]) == (title, impact)
    written = YAML(typ="safe").load((repo / layout.escalation_rel(raised["id"])).read_text())
    assert (written["title"], written["customer_impact"]) == (title, impact)
    shown = cli("escalation", "show", raised["id"], "--json", env=pinned)
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout) == raised


def test_escalate_trims_what_it_accepts_and_says_so_in_json(cli: Runner, repo: Path) -> None:
    """A title is one line (runs of white space become one space); an impact keeps its lines
    and inner spaces, and loses only the white space around it."""
    out = cli(
        "escalate", "--failure-mode", "no-mechanism", "--title", "  two\n lines  ",
        "--impact", "\n  keeps  inner  spaces\n  and lines \n", "--json",
    )  # fmt: skip
    assert out.exit_code == 0, out
    raised = json.loads(out.stdout)
    assert (raised["title"], raised["customer_impact"]) == (
        "two lines",
        "keeps  inner  spaces\n  and lines",
    )
    written = YAML(typ="safe").load((repo / layout.escalation_rel(raised["id"])).read_text())
    assert (written["title"], written["customer_impact"]) == (
        "two lines",
        raised["customer_impact"],
    )


def test_escalate_json_through_a_real_process(proc: Runner, repo: Path) -> None:
    """argv as the operating system passes it: unicode and new lines survive the round trip."""
    title, impact = 'Ünïcode: "quoted" # yes', "~\nnull\n  - not a list"
    out = proc("escalate", "-f", "no-mechanism", "-t", title, "-i", impact, "--json")
    assert out.exit_code == 0, out
    raised = json.loads(out.stdout)
    assert (raised["title"], raised["customer_impact"]) == (title, impact)
    shown = json.loads(proc("escalation", "show", raised["id"], "--json").stdout)
    assert (shown["title"], shown["customer_impact"]) == (title, impact)


def test_warm_listings_load_neither_pydantic_nor_ruamel(
    repo: Path, tmp_path: Path, mechanism
) -> None:  # type: ignore[no-untyped-def]
    """A warm `escalation list` (text and --json), `mechanism list` and `due` read the
    index's rows and the configuration's facts only (docs/design.md §8)."""
    mechanism("wbr", "wbr")
    raised, _ = _watched(repo, tmp_path, "escalate", "-m", "wbr", "-t", "Deck late", "-i", "I")
    assert raised.returncode == 0, raised.stderr
    _age(repo)
    for path in (repo / "escalations").rglob("*.yaml"):
        os.utime(path, (time.time() - 60,) * 2)
    commands = (
        ["escalation", "list"],
        ["escalation", "list", "--status", "all", "--json"],
        ["mechanism", "list"],
        ["mechanism", "list", "--json"],
        ["due", "--within", "400"],
    )
    for args in commands:  # the first run checks the files and keeps what it learnt
        cold, _ = _watched(repo, tmp_path, *args)
        assert cold.returncode == 0, cold.stderr
    for args in commands:
        done, loaded = _watched(repo, tmp_path, *args)
        assert (done.returncode, done.stderr) == (0, ""), args
        assert done.stdout.strip(), args
        assert loaded == "", f"{' '.join(args)} loaded {loaded}"
