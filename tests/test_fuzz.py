"""Fuzzing: malformed YAML and arbitrary arguments never produce a traceback (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Result, Runner

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

yaml_fragments = st.sampled_from(
    [
        "id: demo\n",
        "title: T\n",
        "owner: ops\n",
        "problem: P\n",
        "status: active\n",
        "status: retired\n",
        "kind: revue\n",
        "tool:\n",
        "  steps: [a, b]\n",
        "  - x\n",
        "inspections:\n  - date: 2026-13-45\n",
        "version: -1\n",
        "retired: {}\n",
        "&a [*a]\n",
        "<<<<<<< HEAD\n",
        "---\n",
        "{",
        "}",
        "[",
        ": :",
        "\t",
        "\x00",
        "\ufeff",
        "'",
        '"',
        "levers: [goals, goals, nope]\n",
        "adoption: {approach: [incentives]}\n",
        "? x\n",
        "iterations: [{version: 1, date: 2026-01-01, why: w, escalations: [esc-1]}]\n",
    ]
)


def _sane(result: Result) -> None:
    assert result.exit_code in (0, 1, 2), result
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code:
        assert result.stderr.startswith("error: "), result


@FUZZ
@given(st.lists(yaml_fragments, max_size=12).map("".join))
def test_fuzzed_mechanism_file(cli: Runner, repo: Path, text: str) -> None:
    (repo / "mechanisms" / "demo.yaml").write_text(text, encoding="utf-8")
    for args in (
        ("mechanism", "show", "demo"),
        ("mechanism", "list", "--json"),
        ("mechanism", "set", "demo", "title=X", "--why", "w"),
    ):
        _sane(cli(*args))


@FUZZ
@given(st.binary(max_size=300))
def test_fuzzed_bytes(cli: Runner, repo: Path, data: bytes) -> None:
    (repo / "mechanisms" / "demo.yaml").write_bytes(data)
    (repo / "escalations" / "2026" / "11").mkdir(parents=True, exist_ok=True)
    (repo / "escalations" / "2026" / "11" / "esc-20261121-aaaaaaaa.yaml").write_bytes(data)
    _sane(cli("mechanism", "show", "demo"))
    _sane(cli("escalation", "list", "--status", "all"))
    _sane(cli("escalation", "show", "aaaa"))


tokens = st.sampled_from(
    [
        "mechanism",
        "escalation",
        "escalate",
        "new",
        "list",
        "show",
        "set",
        "edit",
        "activate",
        "retire",
        "ack",
        "comment",
        "raise",
        "resolve",
        "close",
        "reopen",
        "schema",
        "--check",
        "--json",
        "--title",
        "--owner",
        "--problem",
        "--why",
        "--reason",
        "--status",
        "--severity",
        "--level",
        "--mechanism",
        "-m",
        "-t",
        "-i",
        "--impact",
        "--template",
        "--to",
        "--summary",
        "--mechanism-change",
        "--no-change-reason",
        "--failure-mode",
        "wbr",
        "demo",
        "../x",
        "sev1",
        "sev9",
        "vp",
        "all",
        "x=1",
        "title=",
        "tool.steps[]=a",
        "tool.steps[9]=a",
        "levers=[goals]",
        "levers=nope",
        "=",
        "aaaa",
        "esc-20261121-aaaaaaaa",
        "",
        " ",
        "-",
        "--",
        "--bogus",
        "wbr@0",
        "wbr@x",
        "no-mechanism",
        "\x00",
        "é",
        "$(rm -rf /)",
    ]
)


@FUZZ
@given(args=st.lists(tokens | st.text(max_size=8), max_size=8))
def test_fuzzed_arguments(
    cli: Runner, repo: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    _sane(cli(*args, env={"EDITOR": "true"}))
