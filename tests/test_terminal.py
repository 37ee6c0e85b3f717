"""On a terminal, mechctl prompts for missing values and re-opens the editor on errors.

These run the real program under a pseudo-terminal (pexpect), as a person would.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pexpect
import pytest

from conftest import Runner, commit_count, spawn


def _spawn(repo: Path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    return spawn(repo, *args, env=env)


def test_mechanism_new_prompts_for_missing_values(repo: Path, cli: Runner) -> None:
    child = _spawn(repo, "mechanism", "new", "ops-review")
    child.expect("Owning team: ")
    child.sendline("ops")
    child.expect("Title: ")
    child.sendline("")  # empty is not an answer: asked again
    child.expect("Title: ")
    child.sendline("Operations review")
    child.expect("The recurring problem it solves: ")
    child.sendline("Incidents repeat")
    child.expect("ops-review")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(cli("mechanism", "show", "ops-review", "--json").stdout)
    assert (shown["owner"], shown["title"], shown["problem"]) == (
        "ops",
        "Operations review",
        "Incidents repeat",
    )


def test_escalate_prompts_offering_mechanisms(repo: Path, cli: Runner, mechanism) -> None:  # type: ignore[no-untyped-def]
    mechanism("wbr", "wbr")
    child = _spawn(repo, "escalate")
    child.expect("Which mechanism failed\\? Known: wbr")
    child.expect("Mechanism \\(empty if no mechanism exists for this\\): ")
    child.sendline("wbr")
    child.expect("What went wrong: ")
    child.sendline("Deck missed churn")
    child.expect("Impact on customers: ")
    child.sendline("Churn went unnoticed")
    child.expect(r"esc-\d{8}-[a-z2-7]{8}")
    esc_id = child.after
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(cli("escalation", "show", esc_id, "--json").stdout)
    assert (shown["mechanism"], shown["title"]) == ("wbr", "Deck missed churn")


def _wait_until_reading(child: pexpect.spawn) -> None:
    """Wait until the child is blocked reading its terminal. A Ctrl-C that lands between
    input() writing its prompt and starting to read is noted by Python but does not wake the
    read (a CPython race that a loaded machine makes likely); a person never types that fast.
    """
    wchan = Path(f"/proc/{child.pid}/wchan")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            waiting = wchan.read_text()
        except OSError:
            time.sleep(0.5)  # no /proc here: give the read time to start
            return
        if "tty" in waiting or "wait_woken" in waiting:
            return
        time.sleep(0.02)


def test_interrupt_at_prompt_exits_130_and_changes_nothing(repo: Path) -> None:
    count = commit_count(repo)
    child = _spawn(repo, "escalate", "--failure-mode", "no-mechanism")
    child.expect("What went wrong: ")
    _wait_until_reading(child)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert commit_count(repo) == count


def test_edit_reopens_with_errors_until_valid(repo: Path, cli: Runner, tmp_path: Path) -> None:
    assert (
        cli(
            "mechanism", "new", "demo", "--title", "Demo", "--owner", "ops", "--problem", "P"
        ).exit_code
        == 0
    )
    script = tmp_path / "editor.py"
    log = tmp_path / "rounds.log"
    script.write_text(
        "import sys, pathlib\n"
        f"log = pathlib.Path({str(log)!r})\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "text = p.read_text()\n"
        "rounds = log.read_text().count('round') if log.exists() else 0\n"
        "log.write_text((log.read_text() if log.exists() else '') + 'round\\n' + text + '\\n')\n"
        "if rounds == 0:\n"
        "    p.write_text(text.replace('kind: other', 'kind: revue'))\n"
        "else:\n"
        "    p.write_text(text.replace('kind: revue', 'kind: review'))\n"
    )
    child = _spawn(
        repo,
        "mechanism",
        "edit",
        "demo",
        "--why",
        "classify",
        env={"EDITOR": f"{sys.executable} {script}"},
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    second_round = log.read_text().split("round\n")[2]
    assert second_round.startswith(
        "# mechctl: this is not a valid mechanism yet. Fix what is listed, then save and quit;\n"
        "# mechctl: quit without saving, or empty the file, to abandon the edit.\n"
        "# mechctl: line 7, column 7: kind: invalid value 'revue'; allowed: review, planning,"
        " hiring, writing, operations, other\n"
    )
    assert second_round.splitlines()[6] == "kind: revue"
    shown = json.loads(cli("mechanism", "show", "demo", "--json").stdout)
    assert (shown["kind"], shown["version"]) == ("review", 2)
    assert "# mechctl:" not in (repo / "mechanisms" / "demo.yaml").read_text()


@pytest.mark.parametrize("value", ["--help"])
def test_help_on_a_terminal(repo: Path, value: str) -> None:
    child = _spawn(repo, "escalate", value)
    child.expect("Raise an escalation")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
