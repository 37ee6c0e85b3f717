"""The fast path of `escalate` writes exactly what the Escalation model accepts.

`escalate` assembles its record without pydantic or ruamel (services/escalation/escalate.py); these
tests hold it to the model, and check the blob-id fact cache behind it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Runner, git
from mechctl.models import Escalation
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
    assert cli("escalate", "-m", "wbr", "-t", "T", "-i", "I").exit_code == 0
    facts = list((repo / ".git" / "mechctl" / "facts").rglob("*.json"))
    assert facts
    for path in facts:
        path.write_text("{not json")
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
