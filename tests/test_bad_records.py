"""Hand-edited record files that are broken: one clear line naming file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Runner

VALID = """\
id: demo
title: Demo
owner: finance
problem: Something recurs
"""

CASES = [
    pytest.param(
        "id: demo\ntitle: [unclosed\nowner: finance\n",
        "mechanisms/demo.yaml:3:6: YAML syntax error: did not find expected ',' or ']'"
        " (while parsing a flow sequence)",
        id="malformed",
    ),
    pytest.param(
        VALID + "tol:\n  steps: [a]\n",
        "mechanisms/demo.yaml:5:1: unknown key 'tol' (did you mean 'tool'?)",
        id="unknown-key",
    ),
    pytest.param(
        VALID + "tool:\n  stpes: [a]\n",
        "mechanisms/demo.yaml:6:3: unknown key 'tool.stpes' (did you mean 'steps'?)",
        id="unknown-nested-key",
    ),
    pytest.param(
        VALID + "kind: revue\n",
        "mechanisms/demo.yaml:5:7: kind: invalid value 'revue'; allowed: review, planning,"
        " hiring, writing, operations, other",
        id="wrong-enum",
    ),
    pytest.param(
        VALID + "title: Again\n",
        "mechanisms/demo.yaml:5:1: YAML syntax error: duplicate key 'title'"
        " (the mapping starts at line 1)",
        id="duplicate-key",
    ),
    pytest.param(
        "id: demo\n<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> other\n",
        "mechanisms/demo.yaml:2:1: unresolved merge-conflict marker; resolve the conflict"
        " (or run `git mergetool`)",
        id="conflict-markers",
    ),
    pytest.param(
        b"id: demo\ntitle: caf\xe9\n",
        "mechanisms/demo.yaml:2:11: file is not UTF-8 text (byte 0xe9)",
        id="not-utf8",
    ),
    pytest.param(
        "", "mechanisms/demo.yaml:1:1: file is empty; a record is a YAML mapping", id="empty"
    ),
    pytest.param(
        "# only a comment\n",
        "mechanisms/demo.yaml:1:1: file is empty; a record is a YAML mapping",
        id="only-comment",
    ),
    pytest.param(
        VALID + "---\nid: other\n",
        "mechanisms/demo.yaml:5:1: YAML syntax error: more than one YAML document;"
        " a record file holds exactly one",
        id="two-documents",
    ),
    pytest.param(
        "- a\n- b\n",
        "mechanisms/demo.yaml:1:1: a record must be a YAML mapping, not list",
        id="not-a-mapping",
    ),
    pytest.param(
        "id: demo\ntitle: Demo\nproblem: P\n",
        "mechanisms/demo.yaml:1:1: missing required field 'owner'",
        id="missing-field",
    ),
    pytest.param(
        VALID + "version: many\n",
        "mechanisms/demo.yaml:5:10: version: Input should be a valid integer,"
        " unable to parse string as an integer",
        id="wrong-type",
    ),
    pytest.param(
        VALID.replace("id: demo", "id: other"),
        "mechanisms/demo.yaml:1:5: id 'other' does not match the file name 'demo'",
        id="id-mismatch",
    ),
    pytest.param(
        "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
        "mechanisms/demo.yaml:1:1: YAML anchors and aliases are not allowed in records",
        id="alias-bomb",
    ),
    pytest.param(
        VALID + "inspections:\n  - date: 2026-13-45\n",
        "mechanisms/demo.yaml:6:11: invalid date or time '2026-13-45': month must be in 1..12",
        id="impossible-date",
    ),
    pytest.param(
        VALID + "title2: caf\x7f\n",
        "mechanisms/demo.yaml:5:12: YAML syntax error: character #x007f is not allowed",
        id="control-character",
    ),
    pytest.param(
        VALID + "status: active\n",
        "mechanisms/demo.yaml:1:1: active mechanism is incomplete: 'tool.inputs' is missing"
        " or empty (and 6 more problem(s))",
        id="active-incomplete",
    ),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_broken_record_reports_place(
    cli: Runner, repo: Path, content: str | bytes, expected: str
) -> None:
    path = repo / "mechanisms" / "demo.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    result = cli("mechanism", "show", "demo")
    assert result.exit_code == 1, result
    assert result.stdout == ""
    assert result.stderr == f"error: {expected}\n"
    assert path.read_bytes() == before


def test_list_skips_a_broken_record_with_its_place(cli: Runner, repo: Path) -> None:
    (repo / "mechanisms" / "demo.yaml").write_text(VALID + "kind: revue\n")
    result = cli("mechanism", "list")
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "warning: skipped mechanisms/demo.yaml:5:7: kind: invalid value"
    )
    assert result.stderr.endswith(" (run `mechctl lint`)\nno mechanisms yet\n")


def test_oversized_record_is_refused(cli: Runner, repo: Path) -> None:
    path = repo / "mechanisms" / "demo.yaml"
    path.write_text(VALID + "tool:\n  description: " + "x" * (3 * 1024 * 1024) + "\n")
    result = cli("mechanism", "show", "demo")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mechanisms/demo.yaml:1:1: file is too large (3.1 MB); a record may be at most"
        " 2 MB\n"
    )
