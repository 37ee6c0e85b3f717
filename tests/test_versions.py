"""The version loader `history` uses must mean exactly what the fast loader means."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mechctl.store.versions import VersionLoader, split
from mechctl.store.yamlio import YamlProblem, load_fast


def _outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", load(text, "r.yaml")
    except YamlProblem as exc:
        return "error", str(exc.problem)


def _same_as_fast(versions: list[str]) -> None:
    loader = VersionLoader()
    for text in versions:
        assert _outcome(loader.load, text) == _outcome(load_fast, text), text


def test_growing_logs_are_parsed_for_their_new_items_only() -> None:
    base = "id: x\ntitle: T\ninspections:\n  - date: 2026-01-01\n    outcome: on-track\n"
    grown = base + "  - date: 2026-02-01\n    outcome: at-risk\n"
    loader = VersionLoader()
    first, second = loader.load(base, "r"), loader.load(grown, "r")
    assert second == load_fast(grown, "r")
    assert second["inspections"][0] is first["inspections"][0]  # reused, not parsed again
    assert second["title"] is first["title"]


@pytest.mark.parametrize(
    "versions",
    [
        ["a: 1\nb: [x,\ny]\n"],  # a flow list whose continuation starts in column 0
        ["%YAML 1.2\n---\na: 1\n"],
        ["---\na: 1\n...\n"],
        ["a: 1\na: 2\n"],  # duplicate keys
        ["a: 1\n'b': 2\n"],
        ["true: 1\nb: 2\n"],
        ["1: x\n"],
        ["  a: 1\nb: 2\n"],
        ["- a\n- b\n"],
        ["a: &x [1]\nb: *x\n"],  # an alias across blocks
        ["a: 1\r\nb: 2\r\n"],
        ["a:\n- 1\n- 2\n", "a:\n- 1\n- 2\n- 3\n"],  # compact lists growing
        ["a:\n  - 1\n", "a:\n  - 1\n# note\n  - 2\n"],
        ["a:\n  - 1\n", "a:\n  - 1\n  -   2\n"],
        ["a:\n  - 1\n", "a:\n  - 1\n- 2\n"],  # the new item at another indent
        ["a: []\n", "a: []\n  - 1\n"],
        ["a:\n  - x: |\n      one\n", "a:\n  - x: |\n      one\n\n  - two\n"],
        ["a:\n  - x: |+\n      one\n\n", "a:\n  - x: |+\n      one\n\n  - two\n"],
        ["a: 1\n<<<<<<< HEAD\nb: 2\n"],
        ["# only a comment\n"],
        ["", "a: 1\n"],
        ["a: b: c\n"],
        ["a: 'multi\nb: line'\n"],
        ["a: 1 # comment\n#b: 2\nc: 3\n"],
    ],
)
def test_tricky_texts_mean_what_the_fast_loader_says(versions: list[str]) -> None:
    _same_as_fast(versions)


def test_split_refuses_what_it_cannot_be_sure_of() -> None:
    assert split("a: 1\nb:\n- x\n") == [("a", "a: 1\n"), ("b", "b:\n- x\n")]
    assert split("# head\na: 1\n") == [("a", "a: 1\n")]
    for text in ("{a: 1}\n", "? a\n: 1\n", "- x\n", "a: [1,\n2]\n", "  a: 1\n", "", "# c\n"):
        assert split(text) is None, text


_KEYS = st.sampled_from(["id", "title", "steps", "true", "'q'", "log", "a-b", "id"])
_SCALARS = st.sampled_from(
    [
        "x",
        "1",
        "2026-01-01",
        "'quoted: yes'",
        "[a, b]",
        "{k: v}",
        "null",
        "a # c",
        "|\n  block\n  text",
        "[a,\nb]",
        "&x 1",
        "*x",
        '"two\n  lines"',
        "- not a list",
    ]
)


@st.composite
def _entry(draw: st.DrawFn) -> str:
    key = draw(_KEYS)
    shape = draw(st.sampled_from(["scalar", "list", "compact", "comment"]))
    if shape == "scalar":
        return f"{key}: {draw(_SCALARS)}\n"
    if shape == "comment":
        return f"# {draw(_SCALARS).splitlines()[0]}\n"
    items = draw(st.lists(_SCALARS.filter(lambda s: "\n" not in s), min_size=0, max_size=3))
    indent = "  " if shape == "list" else ""
    return f"{key}:\n" + "".join(f"{indent}- {item}\n" for item in items)


@st.composite
def _history(draw: st.DrawFn) -> list[str]:
    entries = draw(st.lists(_entry(), min_size=1, max_size=6))
    versions = ["".join(entries)]
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["append", "change", "add"]))
        index = draw(st.integers(0, len(entries) - 1))
        if action == "append":
            entries[index] += f"  - {draw(_SCALARS.filter(lambda s: chr(10) not in s))}\n"
        elif action == "change":
            entries[index] = draw(_entry())
        else:
            entries.insert(index, draw(_entry()))
        versions.append("".join(entries))
    return versions


@settings(max_examples=300, deadline=None)
@given(_history())
def test_any_history_means_what_the_fast_loader_says(versions: list[str]) -> None:
    _same_as_fast(versions)
