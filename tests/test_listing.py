"""Output of any size (docs/design.md §4): plain aligned rows on a pipe, written as they come;
the pager for a long listing on a terminal; `--limit`; `--json` streamed row by row; record
text never read as rich markup.

Terminal tests run the real program under a pseudo-terminal (pexpect), 40 lines high, with a
pager we control: a shell command that writes what it is given to a file.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pexpect
import pytest

from conftest import Runner, git, spawn

NOW = {"MECHCTL_NOW": "2026-11-05T09:00:00Z"}
T0 = "2026-11-01T09:00:00Z"
# The escalation ids' random part: 8 letters of base32, all different, sorted.
LETTERS = "abcdefghijklmnopqrstuvwxyz234567"


def _ids(count: int) -> list[str]:
    return sorted(f"esc-20261101-aaaaaa{LETTERS[i // 32]}{LETTERS[i % 32]}" for i in range(count))


@pytest.fixture
def many(cli: Runner, repo: Path, mechanism: Callable[..., str]) -> Callable[..., list[str]]:
    """`count` escalations raised the same second, ids in order, in one commit by hand."""

    def make(count: int, title: str = "Deck missed churn") -> list[str]:
        mechanism("wbr", "wbr")
        raised = cli(
            "escalate",
            "-m",
            "wbr",
            "--title",
            title,
            "--impact",
            "Churn went unnoticed",
            env={"MECHCTL_NOW": T0},
        )
        assert raised.exit_code == 0, raised
        first = raised.stdout.strip()
        folder = repo / "escalations" / "2026" / "11"
        text = (folder / f"{first}.yaml").read_text()
        (folder / f"{first}.yaml").unlink()
        ids = _ids(count)
        for esc_id in ids:
            (folder / f"{esc_id}.yaml").write_text(text.replace(first, esc_id))
        git(repo, "add", "-A", "escalations")
        git(repo, "commit", "-q", "-m", "Add escalations by hand")
        return ids

    return make


def _row(esc_id: str, title: str = "Deck missed churn") -> str:
    cells = "4d     sev3  director  open          wbr        overdue 3d     due in 10d"
    return f"{esc_id}  {cells}     {title}"


# Every column but the title is as wide as its widest possible cell (cli/render_escalation.py).
HEADER = (
    "ID                     AGE    SEV   LEVEL     STATUS        MECHANISM  ACK            RESOLVE"
    "        TITLE"
)


def test_piped_list_is_plain_aligned_rows(cli: Runner, many: Callable[..., list[str]]) -> None:
    ids = many(3)
    result = cli("escalation", "list", env=NOW)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "\n".join([HEADER, *map(_row, ids)]) + "\n"


def test_piped_rows_past_the_measured_ones_keep_the_columns(
    cli: Runner, many: Callable[..., list[str]]
) -> None:
    from mechctl.cli.listing import MEASURE

    ids = many(MEASURE + 4)
    result = cli("escalation", "list", env=NOW)
    assert result.stdout == "\n".join([HEADER, *map(_row, ids)]) + "\n"


def test_limit_cuts_the_list_and_says_so_on_stderr(
    cli: Runner, many: Callable[..., list[str]]
) -> None:
    ids = many(5)
    result = cli("escalation", "list", "--limit", "2", env=NOW)
    assert result.exit_code == 0
    assert result.stdout == "\n".join([HEADER, *map(_row, ids[:2])]) + "\n"
    assert result.stderr == "note: showing 2 of 5 escalations (--limit 2)\n"
    exact = cli("escalation", "list", "--limit", "5", env=NOW)
    assert (exact.stdout.count("\n"), exact.stderr) == (6, "")
    as_json = cli("escalation", "list", "--limit", "3", "--json", env=NOW)
    assert [e["id"] for e in json.loads(as_json.stdout)] == ids[:3]
    assert as_json.stderr == "note: showing 3 of 5 escalations (--limit 3)\n"


@pytest.mark.parametrize(
    "command",
    [
        ["escalation", "list"],
        ["mechanism", "list"],
        ["due"],
        ["history", "wbr"],
        ["audit"],
    ],
)
@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_a_bad_limit_is_a_usage_error_naming_it(
    cli: Runner, mechanism: Callable[..., str], command: list[str], value: str
) -> None:
    mechanism("wbr", "wbr")
    result = cli(*command, "--limit", value)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: Invalid value for '--limit': ")
    assert result.stderr.count("\n") == 1


def test_limit_on_every_listing(cli: Runner, mechanism: Callable[..., str]) -> None:
    for name in ("wbr", "prfaq", "narrative"):
        mechanism(name, name)
    mechs = cli("mechanism", "list", "--limit", "1", "--json")
    assert [m["id"] for m in json.loads(mechs.stdout)] == ["narrative"]
    assert mechs.stderr == "note: showing 1 of 3 mechanisms (--limit 1)\n"
    due = cli("due", "--within", "400", "--limit", "2", env=NOW)
    assert due.stdout.count("\n") == 3
    assert due.stderr == "note: showing 2 of 3 inspections (--limit 2)\n"
    history = cli("history", "wbr", "--limit", "1")
    assert history.stdout.splitlines()[0] == (
        "mechanism wbr (mechanisms/wbr.yaml): 2 commits, newest first"
    )
    assert history.stdout.count("mechanism.activate") == 1
    assert "mechanism.create" not in history.stdout
    assert history.stderr == "note: showing 1 of 2 commits (--limit 1)\n"
    shown = json.loads(cli("history", "wbr", "--limit", "1", "--json").stdout)
    assert [e["action"] for e in shown["entries"]] == ["mechanism.activate"]
    audit = cli("audit", "--limit", "2")
    assert audit.stdout.count("\n") == 3
    assert audit.stderr == (
        "7 commits, 0 edited by hand, 7 not signed\nnote: showing 2 of 7 commits (--limit 2)\n"
    )
    data = json.loads(cli("audit", "--limit", "2", "--json").stdout)
    assert (data["commits"], len(data["entries"])) == (7, 2)


@pytest.mark.parametrize("count", [0, 1, 3, 50])
def test_streamed_json_is_byte_for_byte_the_whole_list(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mechctl.cli.output import stream_json

    rows = [
        {
            "id": f"r{i}",
            "n": i,
            "nested": {"list": [1, {"deep": "x\ny"}], "empty": {}, "none": []},
            "text": 'a "quoted" [/] é\t',
        }
        for i in range(count)
    ]
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert stream_json(iter(rows)) == count
    expected = orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"
    assert out.getvalue() == expected


def test_list_json_is_what_it_was(cli: Runner, many: Callable[..., list[str]]) -> None:
    many(4)
    result = cli("escalation", "list", "--json", env=NOW)
    data = json.loads(result.stdout)
    assert result.stdout == orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    empty = cli("escalation", "list", "--status", "closed", "--json")
    assert (empty.stdout, empty.stderr) == ("[]\n", "")


# On a terminal.


def _spawn(repo: Path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    # The pager and colour settings of the machine running the tests must not leak in.
    unset = ("PAGER", "MECHCTL_PAGER", "LESS", "NO_COLOR")
    return spawn(repo, *args, env={**NOW, **(env or {})}, timeout=60, unset=unset)


def _run(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    child = _spawn(repo, *args, env=env)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before).replace("\r\n", "\n")


def _pager(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A pager that keeps what it is given, and the LESS it was started with."""
    kept = tmp_path / "paged.txt"
    return {"MECHCTL_PAGER": f'{{ echo "LESS=$LESS"; cat; }} > {kept}'}, kept


def test_a_long_listing_goes_through_the_pager_whole(
    repo: Path, tmp_path: Path, many: Callable[..., list[str]]
) -> None:
    ids = many(60)
    env, kept = _pager(tmp_path)
    screen = _run(repo, "escalation", "list", env=env)
    assert screen == ""
    assert kept.read_text() == "\n".join(["LESS=FRX", HEADER, *map(_row, ids)]) + "\n"
    # LESS set by the user stays theirs; PAGER serves when MECHCTL_PAGER is not set.
    pager = env["MECHCTL_PAGER"]
    _run(repo, "escalation", "list", env={"PAGER": pager, "LESS": "-S"})
    assert kept.read_text().splitlines()[:2] == ["LESS=-S", HEADER]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--no-pager"], {}),
        ([], {"MECHCTL_PAGER": ""}),
        ([], {"MECHCTL_PAGER": "cat"}),
    ],
)
def test_paging_turned_off_prints_straight_out(
    repo: Path,
    tmp_path: Path,
    many: Callable[..., list[str]],
    args: list[str],
    env: dict[str, str],
) -> None:
    ids = many(45)
    pager, kept = _pager(tmp_path)
    # MECHCTL_PAGER off must not fall through to PAGER.
    screen = _run(repo, "escalation", "list", *args, env={"PAGER": pager["MECHCTL_PAGER"], **env})
    assert not kept.exists()
    assert screen.splitlines() == [HEADER, *map(_row, ids)]


def test_the_global_no_pager(repo: Path, tmp_path: Path, many: Callable[..., list[str]]) -> None:
    ids = many(45)
    env, kept = _pager(tmp_path)
    screen = _run(repo, "--no-pager", "escalation", "list", env=env)
    assert not kept.exists()
    assert screen.splitlines()[-1] == _row(ids[-1])


def test_json_on_a_terminal_is_never_paged(
    repo: Path, tmp_path: Path, many: Callable[..., list[str]]
) -> None:
    ids = many(45)
    env, kept = _pager(tmp_path)
    screen = _run(repo, "escalation", "list", "--json", env=env)
    assert not kept.exists()
    assert [e["id"] for e in json.loads(screen)] == ids


def test_a_short_listing_is_a_table_on_the_screen(
    repo: Path, tmp_path: Path, many: Callable[..., list[str]]
) -> None:
    ids = many(3, title="a [/] b [bold]c")
    env, kept = _pager(tmp_path)
    screen = _run(repo, "escalation", "list", env=env)
    assert not kept.exists()
    assert [line.rstrip() for line in screen.splitlines()] == [
        HEADER,
        *(_row(esc_id, "a [/] b [bold]c") for esc_id in ids),
    ]


def test_record_text_is_never_markup_on_a_terminal(
    repo: Path, cli: Runner, many: Callable[..., list[str]]
) -> None:
    title = "a [/] b [bold]c"
    (esc_id,) = many(1, title=title)
    mechanism = repo / "mechanisms" / "wbr.yaml"
    text = mechanism.read_text()
    start = text.index("\ntitle: ") + len("\ntitle: ")
    end = text.index("\n", start)
    mechanism.write_text(text[:start] + json.dumps(title) + text[end:])
    author = {"GIT_AUTHOR_NAME": "[red]Ana[/] [/]", "GIT_COMMITTER_NAME": "x"}
    git(repo, "commit", "-q", "-am", "Retitle by hand", env=author)
    listed = _run(repo, "mechanism", "list")
    assert listed.splitlines()[1].startswith(f"wbr  {title}  review")
    history = _run(repo, "history", "wbr")
    assert "[red]Ana[/] [/]  edited by hand" in history
    assert f"  title: Weekly Business Review (WBR/MBR/QBR) → {title}" in history
    audit = _run(repo, "audit")
    assert audit.splitlines()[1].split("  ")[2:4] == ["[red]Ana[/] [/]", "edited by hand"]
    status = _run(repo, "status", "--team", "finance")
    assert f"{_row(esc_id, title)}" in [line.rstrip() for line in status.splitlines()]
    shown = _run(repo, "escalation", "show", esc_id)
    assert title in shown


def test_a_long_history_is_paged(repo: Path, tmp_path: Path, cli: Runner) -> None:
    made = cli("mechanism", "new", "demo", "--title", "D", "--owner", "ops", "--problem", "P")
    assert made.exit_code == 0
    for n in range(8):
        done = cli("mechanism", "set", "demo", f"title=D{n}", "--why", "again")
        assert done.exit_code == 0, done
    env, kept = _pager(tmp_path)
    assert _run(repo, "history", "demo", env=env) == ""
    paged = kept.read_text()
    assert paged.splitlines()[1] == "mechanism demo (mechanisms/demo.yaml): 9 commits, newest first"
    assert paged.endswith("  created\n")
    piped = cli("history", "demo")
    assert paged == "LESS=FRX\n" + piped.stdout


def test_limit_counts_the_rest_from_the_kept_index(
    cli: Runner, many: Callable[..., list[str]], repo: Path
) -> None:
    """Counting what --limit left out happens while the index is open: the warm index is
    reused, not thrown away as damaged and rebuilt on every run."""
    many(5)
    cli("escalation", "list", env=NOW)
    store = repo / ".git" / "mechctl" / "index.sqlite"
    before = store.stat()
    result = cli("escalation", "list", "--limit", "2", env=NOW)
    assert result.stderr == "note: showing 2 of 5 escalations (--limit 2)\n"
    assert store.stat().st_ino == before.st_ino  # the same file: not discarded
