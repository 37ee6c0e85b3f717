"""The line reader (store/plainyaml.py) gives exactly what ruamel's safe loader gives, or
steps aside; and an index row built with it is byte for byte the row built without it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lintkit import esc_text
from mechctl.models.common import _format_timestamp
from mechctl.services.core.index.build import check_file
from mechctl.services.core.index.store import ESCALATION, MECHANISM
from mechctl.store import fastyaml, plainyaml

ROOT = Path(__file__).resolve().parents[1]
SAFE = YAML(typ="safe", pure=False)
LEVELS = ["team", "manager", "director", "vp"]


def ruamel(text: str) -> Any:
    try:
        return ("ok", SAFE.load(text))
    except Exception as exc:
        return ("error", type(exc).__name__)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__, getattr(value, "tzinfo", None)


def same(text: str) -> bool:
    """Whether the line reader took `text`; when it did, its value is ruamel's."""
    plain = plainyaml.load(text)
    if plain is None:
        return False
    expected = ruamel(text)
    assert expected == ("ok", plain), text
    assert _types(plain) == _types(expected[1]), text
    return True


TAKEN = [
    esc_text(status="closed"),
    esc_text(status="open"),
    "a: 1\nb:\n  - x\n  - y: 1\n    z: 2\nc:\n- indentless\n- seq\nd: []\ne: {}\n",
    "a: x # a comment\nb: x#not a comment\n# a comment\n  # indented comment\nc:   # empty\n",
    "a: yes\nb: on\nc: No\nd: y\ne: null\nf: ~\ng: True\nh: FALSE\ni:\n",
    "a: 2026-11-21\nb: 2026-11-21T10:00:00Z\nc: 0\nd: 1.5\ne: 12\n",
    "title: Ünïcødé — 日本語 😀, commas, [brackets] and {braces}\nb: https://x.y/z?q=1#f\n",
    'a: trailing spaces   \nb:    many spaces before\nc: a:b\nd: it\'s\ne: say "hi"\n',
    "a:\n    deep:\n        deeper: 1\nb:\n-   wide: 1\n    dash: 2\n",
    "a:\nb: 1\n",
    "k:\n  -   spaced item\n",
    "a: 'quoted: with colon # and hash'\nb: 'it''s'\nc: ''\nd: 'yes' # comment\ne: '1'\n",
    "a b: 1\nGoals met or on track: 0.78\nx-y z_w: ok\n",
    "a: 2024-03-01T17:50:5\u0665Z\nb: 2024-03-01T17:50:55z\nc: 2024-03-01T17:50:55Z\n",
]

STEPPED_ASIDE = [
    "",
    "# only a comment\n",
    "a: 1\na: 2\n",
    "a: &x 1\nb: *x\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !!str 5\n",
    'a: "quoted"\n',
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "a: |\n  block\n",
    "a: >\n  folded\n",
    "a: 0o17\n",
    "a: 012\n",
    "a: 0x1F\n",
    "a: 1_000\n",
    "a: .inf\n",
    "a: 1e3\n",
    "a: 2026-11-21 10:00:00\n",
    "a: 2026-11-21T10:00:00+02:00\n",
    "a: 2026-13-45\n",
    "a: 2026-02-30T10:00:00Z\n",
    "a: 2026-01-01T24:00:00Z\n",
    "a: -x\n",
    "a: b: c\n",
    "a: b:\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a: x\u2028y\n",
    "a: x\x85y\n",
    "a: x\x07y\n",
    "a: plain\n  continued\n",
    "a:\n  plain on the next line\n",
    "a: 1\n  b: 2\n",
    "a:\n  - x\n  b: 1\n",
    "a: 1\n- x\n",
    "- a\n- b\n",
    "  a: 1\n  b: 2\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\n...\n",
    "null: 1\n",
    "true: 1\n",
    "1: x\n",
    "a: 'unclosed\n",
    "a: 'x'y'\n",
    "a: 'x' y\n",
    "a: 'x'#c\n",
    "a: 'multi\n  line'\n",
    "a : 1\n".replace(" :", "  :"),
    " a: 1\n",
    "a-: 1\n",
    "a : 1\n",
    "a:1\n",
    "a:\n  -\n  - x\n",
    "a:\n  - - x\n",
    "<<<<<<< HEAD\na: 1\n=======\na: 2\n>>>>>>> other\n",
    "a: <<\n",
    "a: =\n",
    "a: ?x\n",
    "a: @x\n",
    "a: `x\n",
    "a: %x\n",
    "".join("  " * depth + f"k{depth}:\n" for depth in range(50)) + "  " * 50 + "v: 1\n",
]


@pytest.mark.parametrize("text", TAKEN)
def test_plain_text_is_read_as_ruamel_reads_it(text: str) -> None:
    assert same(text), text


@pytest.mark.parametrize("text", STEPPED_ASIDE)
def test_anything_else_is_left_to_ruamel(text: str) -> None:
    assert plainyaml.load(text) is None, text


def test_project_records_read_the_same() -> None:
    paths = sorted((ROOT / "mechanisms").glob("*.yaml"))
    taken = [p.name for p in paths if same(p.read_text(encoding="utf-8"))]
    assert len(taken) >= 4, taken


def test_each_record_gets_its_own_collections() -> None:
    first = plainyaml.load("a: []\nb: {}\n")
    second = plainyaml.load("a: []\nb: {}\n")
    assert first == second == {"a": [], "b": {}}
    assert first is not None and second is not None
    assert first["a"] is not second["a"] and first["b"] is not second["b"]


# -- generated text: plain structures with tricky words, then perturbed -----------------------
WORDS = [
    "x",
    "plain words, with commas",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "0",
    "7",
    "-3",
    "012",
    "0o7",
    "0x1f",
    "1_000",
    "1.5",
    "-0.25",
    "1.",
    ".5",
    "1e3",
    ".inf",
    ".NaN",
    "2026-11-21",
    "2026-11-21T10:00:00Z",
    "2026-11-21t10:00:00z",
    "2026-11-21 10:00:00",
    "2026-02-30",
    "2026-1-2",
    "12:30:00",
    "a:b",
    "a: b",
    "a #b",
    "a#b",
    "#x",
    "'q'",
    "'it''s'",
    "'a: b # c'",
    "'x' # c",
    "'x'y'",
    '"q"',
    "it's",
    "[x]",
    "{x: 1}",
    "[]",
    "{}",
    "- x",
    "-x",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "%",
    "@",
    "<<",
    "=",
    "ü日😀",
    "x:",
    "x :",
    "?",
    ":",
    "trailing   ",
]
KEYS = ["a", "b", "id", "title", "yes", "on", "null", "true", "True", "<<", "a b", "1", "_x"]
scalars = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, min_size=1, max_size=3),
    ),
    max_leaves=12,
)


def render(value: Any, indent: int, step: int, lines: list[str], prefix: str) -> None:
    """Block style, `prefix` (a key or a dash) before the first line of `value`."""
    pad = " " * indent
    if isinstance(value, dict):
        if prefix:
            lines.append(pad + prefix.rstrip())
            indent += step
        for key, item in value.items():
            render(item, indent, step, lines, f"{key}: ")
    elif isinstance(value, list):
        if prefix:
            lines.append(pad + prefix.rstrip())
            indent += step
        for item in value:
            if isinstance(item, dict):
                first, *rest = item.items()
                sub: list[str] = []
                render(dict([first]), 0, step, sub, "")
                lines.append(" " * indent + "- " + sub[0])
                lines.extend(" " * (indent + 2) + line for line in sub[1:])
                for key, inner in rest:
                    render(inner, indent + 2, step, lines, f"{key}: ")
            else:
                render(item, indent, step, lines, "- ")
    else:
        lines.append(pad + prefix + str(value))


PERTURBATIONS = [
    lambda line: line,
    lambda line: line + "  # note",
    lambda line: line + "   ",
    lambda line: "  " + line,
    lambda line: " " + line,
    lambda line: line + "\r",
    lambda line: line.replace(" ", "\t", 1),
    lambda line: "# " + line,
    lambda line: line + "\n  continued",
    lambda line: line + "\n" + line,
    lambda line: "",
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    tree=st.dictionaries(st.sampled_from(KEYS), trees, min_size=1, max_size=4),
    step=st.sampled_from([1, 2, 4]),
    edits=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, len(PERTURBATIONS) - 1)), max_size=3
    ),
    bom=st.booleans(),
)
def test_generated_text_reads_the_same(
    tree: dict[str, Any], step: int, edits: list[tuple[int, int]], bom: bool
) -> None:
    lines: list[str] = []
    render(tree, 0, step, lines, "")
    for where, which in edits:
        at = where % len(lines)
        lines[at] = PERTURBATIONS[which](lines[at])
    same(("\ufeff" if bom else "") + "\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=20), key=st.text(max_size=6))
def test_random_lines_read_the_same(value: str, key: str) -> None:
    same(f"{key}: {value}\n")
    same(f"k:\n  - {value}\n")
    same(f"k:\n- {key}: {value}\n")


# -- index rows: byte for byte with and without the line reader -------------------------------
def rows(tmp_path: Path, rel: str, kind: str, plain: bool) -> tuple[Any, ...]:
    saved = plainyaml.load
    if not plain:
        plainyaml.load = lambda text: None  # type: ignore[assignment]
    try:
        row = check_file(str(tmp_path), rel, kind, LEVELS, None, 0)
    finally:
        plainyaml.load = saved  # type: ignore[method-assign]
    assert isinstance(row, tuple)
    return row[:8] + row[9:]  # all but seen_ns, the time the file was read


def same_rows(tmp_path: Path, rel: str, data: bytes, kind: str = ESCALATION) -> tuple[Any, ...]:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    fast = rows(tmp_path, rel, kind, plain=True)
    slow = rows(tmp_path, rel, kind, plain=False)
    assert fast == slow, data
    return fast


REL = "escalations/2026/11/esc-20261120-aaaaaaaa.yaml"
BASE = esc_text(status="closed")


def _swap(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


RECORDS = [
    BASE,
    esc_text(status="open"),
    esc_text(status="resolved", owner=None),
    esc_text("esc-20261120-bbbbbbbb"),  # id does not match the file name
    esc_text(level="board"),  # unknown level
    esc_text(status="later"),
    esc_text(mechanism=None),  # needs failure_mode no-mechanism
    esc_text(raised_at="2026-11-20"),
    esc_text(raised_at="2026-13-45T10:00:00Z"),
    _swap(BASE, "title: ", "title: yes # "),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: on"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: 0o7"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: 2026-11-21"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: null"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: ~"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: 'single: quoted'"),
    _swap(BASE, "title: Weekly deck missed the churn metric", 'title: "dou\\u00efble"'),
    _swap(BASE, "title: Weekly deck", "title: Ünïcødé 😀 deck"),
    _swap(BASE, "title: Weekly deck missed the churn metric", "title: |\n  a\n  block"),
    _swap(BASE, "title: Weekly", "title: Weekly # a comment\n# another\n  # indented\n  "),
    _swap(BASE, "severity: sev3", "severity: [sev3]"),
    _swap(BASE, "severity: sev3", "severity: sev3\nseverity: sev2"),
    _swap(BASE, "severity: sev3", "severity: &s sev3"),
    _swap(BASE, "severity: sev3", "severity:\tsev3"),
    _swap(BASE, "severity: sev3", "severity: sev3\n  continued"),
    _swap(BASE, "severity: sev3", "extra: field"),
    _swap(BASE, "severity: sev3", "severity: 3"),
    _swap(BASE, "severity: sev3", "severity:"),
    _swap(BASE, "severity: sev3", "severity: []"),
    _swap(BASE, "severity: sev3", "tags: [a, b]"),
    _swap(BASE, "severity: sev3", "tags: []\nlinks: {}"),
    _swap(BASE, "  - at: ", "  -   at: "),
    _swap(BASE, "\ntimeline:\n  - at:", "\ntimeline:\n- at:").replace("\n    ", "\n  "),
    BASE.replace("\n", "\r\n"),
    "\ufeff" + BASE,
    BASE.replace("  ", "\t"),
    BASE + "\n\n# trailing comment\n",
    BASE + "---\nid: x\n",
    "<<<<<<< HEAD\n" + BASE + "=======\n",
    "",
    "# nothing\n",
    "- a list\n",
]


@pytest.mark.parametrize("text", RECORDS)
def test_rows_are_the_same_with_and_without_the_line_reader(tmp_path: Path, text: str) -> None:
    same_rows(tmp_path, REL, text.encode())


def test_the_rows_checked_cover_both_paths(tmp_path: Path) -> None:
    valid = same_rows(tmp_path, REL, BASE.encode())
    assert valid[9] == 1 and valid[-2] is not None  # valid, with its record
    invalid = same_rows(tmp_path, REL, esc_text(status="later").encode())
    assert invalid[9] == 0 and b"status" in invalid[10]
    assert plainyaml.load(BASE) is not None


def test_bad_bytes_give_the_same_row(tmp_path: Path) -> None:
    same_rows(tmp_path, REL, BASE.encode() + b"\xff\xfe")
    same_rows(tmp_path, REL, b"\x00" * 10)


def test_project_mechanisms_give_the_same_rows(tmp_path: Path) -> None:
    for path in sorted((ROOT / "mechanisms").glob("*.yaml")):
        same_rows(tmp_path, f"mechanisms/{path.name}", path.read_bytes(), MECHANISM)


LINE_EDITS = [
    lambda line: line,
    lambda line: line + " # c",
    lambda line: line + "  ",
    lambda line: " " + line,
    lambda line: line.replace(": ", ": yes # ", 1),
    lambda line: line.replace(": ", ": '", 1) + "'" if ": " in line else line,
    lambda line: line.replace(": ", ': "', 1) + '"' if ": " in line else line,
    lambda line: line.replace(": ", ": null", 1) if ": " in line else line,
    lambda line: line.replace(": ", ": 2026-11-21 ", 1),
    lambda line: line.replace(": ", ": on", 1) if ": " in line else line,
    lambda line: line.replace(": ", ": ü😀 ", 1),
    lambda line: line.replace(": ", ":\t", 1),
    lambda line: line + "\r",
    lambda line: "",
    lambda line: line + "\n" + line,
]


@settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(
    status=st.sampled_from(["open", "acknowledged", "resolved", "closed"]),
    edits=st.lists(st.tuples(st.integers(0, 40), st.integers(0, len(LINE_EDITS) - 1)), max_size=3),
)
def test_edited_records_give_the_same_rows(
    tmp_path: Path, status: str, edits: list[tuple[int, int]]
) -> None:
    lines = esc_text(status=status).split("\n")
    for where, which in edits:
        at = where % len(lines)
        lines[at] = LINE_EDITS[which](lines[at])
    same_rows(tmp_path, REL, "\n".join(lines).encode())


def test_line_reader_values_match_the_models_types() -> None:
    record = plainyaml.load(BASE)
    assert record is not None
    assert isinstance(record["raised_at"], datetime)
    assert plainyaml.load("a: 2026-11-21\n") == {"a": date(2026, 11, 21)}


# -- places: plainyaml.locate is libyaml's walk (fastyaml._locate), mark for mark -------------
def libyaml_locate(text: str, path: tuple[Any, ...], key: bool) -> tuple[int, int] | None:
    parser = fastyaml.CParser(text)
    try:
        return fastyaml._locate(parser, path, key)  # type: ignore[no-any-return]
    except Exception:
        return None
    finally:
        parser.dispose()


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix, (*prefix, "nope"), (*prefix, 0), (*prefix, 99)]
    if isinstance(value, dict):
        for name, item in value.items():
            found.extend(paths_of(item, (*prefix, name)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(paths_of(item, (*prefix, index)))
    return found


def same_places(text: str) -> bool:
    record = plainyaml.load(text)
    if record is None:
        assert plainyaml.locate(text, ("a",), False) is None
        return False
    for path in paths_of(record):
        for key in (False, True):
            expected = libyaml_locate(text, path, key)
            assert plainyaml.locate(text, path, key) == expected, (text, path, key)
            assert fastyaml.locate(text, path, key=key) == expected
    return True


PLACES = [
    *TAKEN,
    "a:\nb: x   # c\nc: []\nd: {}\ne:\n- x\n-   y\n- k: 1\n  l:\n  m: []\nf:   # only\n",
    "\n\n# lead\nfirst: 1\nlast:\n",
]


@pytest.mark.parametrize("text", PLACES)
def test_places_are_libyamls(text: str) -> None:
    assert same_places(text), text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    tree=st.dictionaries(st.sampled_from(KEYS), trees, min_size=1, max_size=4),
    step=st.sampled_from([1, 2, 4]),
    edits=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, len(PERTURBATIONS) - 1)), max_size=2
    ),
)
def test_generated_places_are_libyamls(
    tree: dict[str, Any], step: int, edits: list[tuple[int, int]]
) -> None:
    lines: list[str] = []
    render(tree, 0, step, lines, "")
    for where, which in edits:
        at = where % len(lines)
        lines[at] = PERTURBATIONS[which](lines[at])
    same_places("\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=9))]
        ),
    )
)
def test_times_in_rows_are_strftimes(at: datetime) -> None:
    """An index row's times (and every record's JSON) are formatted without strftime."""
    assert _format_timestamp(at) == at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_file_that_grew_since_its_stat_is_read_whole(tmp_path: Path) -> None:
    from mechctl.services.core.index.build import _read

    path = tmp_path / "x.yaml"
    path.write_bytes(b"a" * 5000)
    assert _read(str(path), 5000) == b"a" * 5000
    assert _read(str(path), 10) == b"a" * 5000  # it grew after lstat: read on to its end
    assert _read(str(path), 9000) == b"a" * 5000  # it shrank: what is there now
    assert _read(str(path), 0) == b"a" * 5000
