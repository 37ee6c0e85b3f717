"""The fast YAML path gives exactly what ruamel's safe loader gives, or steps aside."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lintkit import esc_text
from mechctl.store import fastyaml, yamlio
from mechctl.store.locate import position_of

ROOT = Path(__file__).resolve().parents[1]
SAFE = YAML(typ="safe", pure=False)


def ruamel(text: str) -> Any:
    try:
        return ("ok", SAFE.load(text))
    except Exception as exc:
        return ("error", type(exc).__name__)


def same(text: str) -> None:
    fast = fastyaml.load(text)
    if fast is None:
        return  # stepped aside: ruamel decides, so the result is ruamel's by construction
    expected = ruamel(text)
    assert expected == ("ok", fast), text
    assert _types(fast) == _types(expected[1]), text


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__, getattr(value, "tzinfo", None)


CORPUS = [
    *sorted(str(p) for p in (ROOT / "mechanisms").glob("*.yaml")),
    *sorted(str(p) for p in (ROOT / "src" / "mechctl" / "templates").glob("*.yaml")),
]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: Path(p).name)
def test_project_records_load_the_same(path: str) -> None:
    text = Path(path).read_text(encoding="utf-8")
    assert fastyaml.load(text) is not None
    same(text)


SNIPPETS = [
    esc_text(status="closed"),
    "a: 1\nb: -2\nc: 012\nd: 0o17\ne: 0x1F\nf: 1_000\ng: +3\n",
    "a: 1.5\nb: -0.25\nc: 1e3\nd: .inf\ne: .nan\nf: 1.\n",
    "a: true\nb: True\nc: TRUE\nd: yes\ne: no\nf: on\ng: off\nh: y\n",
    "a: ~\nb: null\nc: Null\nd:\ne: ''\nf: 'null'\n",
    "a: 2026-11-21\nb: 2026-11-21T10:00:00Z\nc: 2026-11-21 10:00:00\nd: 2026-11-21T10:00:00.5Z\n"
    "e: 2026-11-21T10:00:00+02:00\nf: 2026-13-45\ng: 2026-02-30T10:00:00Z\nh: '2026-11-21'\n",
    "a: [1, 'two', {c: d}]\nb: {x: [], y: {}}\nc: !!str 5\n",
    "a: &x 1\nb: *x\n",
    "<<: {a: 1}\nb: 2\n",
    "a: 1\na: 2\n",
    "? [complex]\n: key\n",
    "1: int key\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\na: yes\n",
    "- a\n- b\n",
    "just a scalar\n",
    "",
    "a: [unclosed\n",
    "a: |\n  literal\n  block\nb: >-\n  folded\n  text\n",
    "a: \"tab\\there\"\nb: 'it''s'\n",
    "'quoted key': 1\n\"=\": 2\n",
    "=: 3\n",
    "a: =\n",
    "x:\n" + "  - " * 1 + "[" * 150 + "]" * 150 + "\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_load_the_same(text: str) -> None:
    same(text)


def test_plain_records_take_the_fast_path() -> None:
    assert fastyaml.load(esc_text()) == SAFE.load(esc_text())
    for stepped_aside in (
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "a: 1\n---\nb: 2\n",
        "a: [unclosed\n",
        "c: !!str 5\n",
        "1: x\n",
        "a: 2026-13-45\n",
    ):
        assert fastyaml.load(stepped_aside) is None, stepped_aside


def test_load_fast_errors_are_unchanged() -> None:
    with pytest.raises(yamlio.YamlProblem) as caught:
        yamlio.load_fast("a: 1\na: 2\n", "x.yaml")
    assert str(caught.value) == (
        "x.yaml:2:1: YAML syntax error: duplicate key 'a' (the mapping starts at line 1)"
    )


def _dump(data: Any, flow: bool) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2999, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0)),
    st.sampled_from(
        [
            "yes",
            "No",
            "on",
            "0o17",
            "012",
            "0x1f",
            "1_000",
            ".inf",
            "~",
            "null",
            "2026-11-21",
            "2026-11-21T10:00:00Z",
            "1e3",
            "-.5",
            "+1",
            "<<",
            "=",
            "tRue",
            "2026-1-2",
            "12:30:00",
        ]
    ),
)
keys = st.text(alphabet="abcdefghij_-. ", min_size=1, max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.dictionaries(keys, documents, min_size=1, max_size=5), flow=st.booleans())
def test_random_documents_load_the_same(data: dict[str, Any], flow: bool) -> None:
    same(_dump(data, flow))


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=20))
def test_random_plain_scalars_resolve_the_same(value: str) -> None:
    same(f"key: {value}\n")


PATHS = [
    ("id",),
    ("mechanism",),
    ("status",),
    ("timeline",),
    ("timeline", 1),
    ("timeline", 1, "action"),
    ("resolution",),
    ("resolution", "no_change_reason"),
    ("resolution", "nope"),
    ("nope",),
    ("timeline", 9),
    ("id", "deeper"),
]


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_locate_matches_the_round_trip_loader(path: tuple[Any, ...]) -> None:
    text = esc_text(status="closed")
    assert fastyaml.locate(text, path) == position_of(yamlio.load_roundtrip(text, "x"), path)


def test_locate_in_flow_collections_and_keys() -> None:
    text = "a: []\nb: {}\nc: 'x'\nd: [1, {e: f}]\ng:\n- x\n- y: 1\n  z: 2\n"
    doc = yamlio.load_roundtrip(text, "x")
    for path in [
        ("a",),
        ("b",),
        ("c",),
        ("d",),
        ("d", 1),
        ("d", 1, "e"),
        ("g",),
        ("g", 0),
        ("g", 1),
        ("g", 1, "z"),
    ]:
        assert fastyaml.locate(text, path) == position_of(doc, path), path
    assert fastyaml.locate(text, ("g", 1, "z"), key=True) == (8, 3)
    assert fastyaml.locate("a: [unclosed\n", ("b",)) is None  # the parse fails before b
