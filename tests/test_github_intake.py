"""`mechctl github setup` and `mechctl intake github-issue`: real git repositories (and a
bare remote), recorded-shape `issues` events, and a fake GitHub API that checks every
request (githubkit.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SRC, Runner, commit_count, committed_files, git
from githubkit import TOKEN, FakeGitHub, github  # noqa: F401
from mechctl.services.github import form

DATA = Path(__file__).parent / "data" / "github"
URL = "https://github.com/acme/mechanisms/issues/42"
ESC_ID = "esc-20261202-"  # + the hash of URL, checked below
NOW = "2026-12-02T16:05:00Z"
COMMENTS = "/repos/acme/mechanisms/issues/42/comments"
LABELS = "/repos/acme/mechanisms/issues/42/labels"
REPO = "acme/mechanisms"


def writes(fake: FakeGitHub) -> list[tuple[str, str, Any]]:
    return [(c.method, c.path, c.body) for c in fake.writes()]


def load_roundtrip(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def event(name: str = "opened") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"issues-{name}.json").read_text())
    return data


def write_event(tmp_path: Path, data: dict[str, Any], name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def intake(
    cli: Runner, repo: Path, mechanism: Callable[..., str], github: FakeGitHub, tmp_path: Path
) -> Callable[..., Any]:
    mechanism()  # wbr, active

    def run(data: dict[str, Any], *extra: str) -> Any:
        path = write_event(tmp_path, data)
        env = {**github.env(), "MECHCTL_NOW": NOW}
        return cli("intake", "github-issue", str(path), *extra, env=env)

    return run


def record(repo: Path) -> dict[str, Any]:
    found = sorted((repo / "escalations").rglob("*.yaml"))
    assert len(found) == 1, found
    data: dict[str, Any] = json.loads(json.dumps(load_roundtrip(found[0].read_text()), default=str))
    return data


def body_with(replace: dict[str, str]) -> str:
    body = str(event()["issue"]["body"])
    for old, new in replace.items():
        assert old in body
        body = body.replace(old, new)
    return body


# -- setup ---------------------------------------------------------------------------------


def test_setup_writes_form_and_workflow(cli: Runner, repo: Path, mechanism: Any) -> None:
    mechanism()
    mechanism("hiring-bar", template="bar-raiser", owner="people", active=False)
    done = cli("github", "setup")
    assert done.exit_code == 0, done
    assert done.stderr == (
        "wrote .github/ISSUE_TEMPLATE/escalate.yml\n"
        "wrote .github/workflows/mechctl-intake.yml\n"
        "commit them with the change that caused them\n"
    )
    text = (repo / ".github/ISSUE_TEMPLATE/escalate.yml").read_text()
    assert form.form_mechanisms(text) == ["wbr"]  # the draft is not offered
    loaded = load_roundtrip(text)
    fields = {item["id"]: item for item in loaded["body"] if "id" in item}
    assert list(fields) == ["mechanism", "customer-impact", "severity", "failure-mode", "ask"]
    assert list(fields["mechanism"]["attributes"]["options"]) == [
        "wbr: Weekly Business Review (WBR/MBR/QBR)",
        "No mechanism exists for this",
    ]
    assert [f["validations"]["required"] for f in fields.values()] == [
        True,
        True,
        True,
        False,
        False,
    ]
    flow = load_roundtrip((repo / ".github/workflows/mechctl-intake.yml").read_text())
    assert list(flow["on"]["issues"]["types"]) == ["opened", "edited", "reopened"]
    steps = flow["jobs"]["intake"]["steps"]
    assert steps[1]["uses"] == "mechctl/mechctl@v1"
    assert dict(steps[1]["with"]) == {"command": "intake"}
    assert dict(steps[1]["env"]) == {"GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}"}
    again = cli("github", "setup", "--check")
    assert again.exit_code == 0, again


def test_setup_check_and_lint_name_the_stale_form(cli: Runner, repo: Path, mechanism: Any) -> None:
    mechanism()
    assert cli("github", "setup").exit_code == 0
    mechanism("oncall", template="wbr", owner="platform")
    done = cli("github", "setup", "--check")
    assert (done.exit_code, done.stderr) == (
        1,
        ".github/workflows/mechctl-intake.yml is up to date\n"
        "error: .github/ISSUE_TEMPLATE/escalate.yml is stale\n"
        "hint: run `mechctl github setup` and commit the files\n",
    )
    linted = cli("lint", "--format", "json")
    assert linted.exit_code == 1
    assert [(f["rule"], f["path"], f["message"]) for f in json.loads(linted.stdout)] == [
        (
            "issue-form-stale",
            ".github/ISSUE_TEMPLATE/escalate.yml",
            ".github/ISSUE_TEMPLATE/escalate.yml is stale: its dropdown lacks active"
            " mechanism(s) oncall; run `mechctl github setup` and commit it",
        )
    ]
    assert cli("github", "setup").exit_code == 0
    assert cli("lint").exit_code == 0
    (repo / ".github/workflows/mechctl-intake.yml").unlink()
    missing = cli("github", "setup", "--check")
    assert missing.stderr.splitlines()[1] == (
        "error: .github/workflows/mechctl-intake.yml is missing"
    )


def test_setup_keeps_a_pinned_action(cli: Runner, repo: Path, mechanism: Any) -> None:
    mechanism()
    assert cli("github", "setup", "--action", "acme/mechctl@v1.2.0").exit_code == 0
    assert cli("github", "setup", "--check").exit_code == 0
    assert cli("github", "setup").exit_code == 0
    text = (repo / ".github/workflows/mechctl-intake.yml").read_text()
    assert "      - uses: acme/mechctl@v1.2.0\n" in text


def test_setup_in_mechctls_own_repository_uses_dot(cli: Runner, repo: Path) -> None:
    (repo / "action.yml").write_text("name: mechctl\nruns: {using: composite, steps: []}\n")
    (repo / "pyproject.toml").write_text('[project]\nname = "mechctl"\n')
    assert cli("github", "setup").exit_code == 0
    assert "      - uses: ./\n" in (repo / ".github/workflows/mechctl-intake.yml").read_text()


# -- parsing -------------------------------------------------------------------------------


def test_lint_knows_the_forms_place() -> None:
    from mechctl.services.lint import files

    assert files.ISSUE_FORM == form.FORM_REL


def test_parse_every_field() -> None:
    got = form.parse(event()["issue"]["title"], event()["issue"]["body"], {"wbr"})
    assert (got.title, got.mechanism, got.severity, got.failure_mode) == (
        "WBR deck showed last week's numbers",
        "wbr",
        "sev2",
        "new-input",
    )
    assert got.impact is not None and got.impact.startswith("Three enterprise customers")
    assert got.ask == (
        "A check in the WBR that the data is from this week, before the deck goes out."
    )
    assert got.problems == []


def test_parse_keeps_a_heading_inside_an_answer_and_crlf() -> None:
    body = body_with({"two made": "two made\n\n### not a field\n\nstill the impact;"})
    got = form.parse("x", body.replace("\n", "\r\n"), {"wbr"})
    assert got.impact is not None and "### not a field\n\nstill the impact;" in got.impact
    assert got.problems == []


# -- intake --------------------------------------------------------------------------------


def test_opened_issue_becomes_one_escalation(intake: Any, repo: Path, github: FakeGitHub) -> None:
    before = commit_count(repo)
    done = intake(event())
    assert done.exit_code == 0, done
    escalation_id = done.stdout.strip()
    assert escalation_id.startswith(ESC_ID) and len(escalation_id) == len(ESC_ID) + 8
    assert done.stderr == (
        f"issue #42 escalated as {escalation_id} (escalations/2026/12/{escalation_id}.yaml)\n"
    )
    assert commit_count(repo) == before + 1
    assert committed_files(repo) == [f"escalations/2026/12/{escalation_id}.yaml"]
    author = git(repo, "log", "-1", "--format=%an <%ae>|%s").strip()
    assert author == (
        "dana-sales <58312907+dana-sales@users.noreply.github.com>"
        "|escalate: WBR deck showed last week's numbers"
    )
    got = record(repo)
    assert {k: got[k] for k in got if k not in ("raised_at", "timeline", "level")} == {
        "id": escalation_id,
        "title": "WBR deck showed last week's numbers",
        "mechanism": "wbr",
        "failure_mode": "new-input",
        "severity": "sev2",
        "status": "open",
        "customer_impact": "Three enterprise customers saw last week's numbers in the review"
        " deck, not this week's; two made staffing decisions on them.",
        "ask": "A check in the WBR that the data is from this week, before the deck goes out.",
        "raised_by": "dana-sales <58312907+dana-sales@users.noreply.github.com>",
        "owner": "finance",
        "links": [URL],
        "tags": [],
    }
    assert got["timeline"][0]["by"] == "dana-sales <58312907+dana-sales@users.noreply.github.com>"
    # Every request: the comments read, the id posted, the labels set; token and version.
    assert github.calls[0].query == {"per_page": "100"}
    assert [(c.method, c.path) for c in github.calls] == [
        ("GET", COMMENTS),
        ("POST", COMMENTS),
        ("POST", LABELS),
    ]
    for call in github.calls:
        assert call.headers["authorization"] == f"Bearer {TOKEN}"
        assert call.headers["accept"] == "application/vnd.github+json"
        assert call.headers["x-github-api-version"] == "2022-11-28"
    assert github.calls[1].body == {
        "body": f"<!-- mechctl:intake {escalation_id} -->\n"
        f"Escalated as **{escalation_id}** (severity sev2, level {got['level']}), recorded in"
        f" `escalations/2026/12/{escalation_id}.yaml`.\n\n"
        "Nobody needs to approve it. This issue hears when it is acknowledged, resolved and"
        " closed."
    }
    assert github.calls[2].body == {"labels": ["escalation", escalation_id]}


def test_rerun_edit_and_reopen_never_escalate_twice(
    intake: Any, repo: Path, github: FakeGitHub
) -> None:
    first = intake(event())
    assert first.exit_code == 0, first
    count = commit_count(repo)
    for name in ("opened", "edited", "reopened"):
        again = intake(event(name))
        assert again.exit_code == 0, again
        assert again.stdout.strip() == first.stdout.strip()
        assert again.stderr == (
            f"issue #42 is already escalated as {first.stdout.strip()}: nothing new recorded\n"
        )
    assert commit_count(repo) == count
    assert len(github.bodies(REPO, 42)) == 1  # the id was posted once
    assert record(repo)["severity"] == "sev2"  # the edit (sev1) is not applied


def test_an_escalation_that_links_the_issue_counts(
    intake: Any, cli: Runner, repo: Path, github: FakeGitHub
) -> None:
    done = cli("escalate", "-m", "wbr", "-t", "By hand", "-i", "Customers hurt", "--link", URL)
    assert done.exit_code == 0, done
    again = intake(event())
    assert again.exit_code == 0, again
    assert again.stdout.strip() == done.stdout.strip()
    assert len(list((repo / "escalations").rglob("*.yaml"))) == 1


def test_no_mechanism(intake: Any, repo: Path) -> None:
    data = event()
    data["issue"]["body"] = body_with(
        {
            "wbr: Weekly Business Review (WBR/MBR/QBR)": "No mechanism exists for this",
            "new-input: it met an input it was not built for": "_No response_",
            "A check in the WBR that the data is from this week, before the deck goes out.": (
                "_No response_"
            ),
        }
    )
    done = intake(data)
    assert done.exit_code == 0, done
    got = record(repo)
    assert (got["mechanism"], got["failure_mode"], "ask" in got) == (
        None,
        "no-mechanism",
        False,
    )


BAD = {
    "impact empty": (
        {
            "Three enterprise customers saw last week's numbers in the review deck, not this"
            " week's; two made staffing decisions on them.": "_No response_"
        },
        "**Customer impact**: say who is affected, how many, and how badly",
    ),
    "unknown mechanism": (
        {"wbr: Weekly Business Review (WBR/MBR/QBR)": "okr: Quarterly goals"},
        "**Mechanism that failed**: 'okr' is not a mechanism of this repository; choose one"
        " of the list, or 'No mechanism exists for this'",
    ),
    "mechanism empty": (
        {"wbr: Weekly Business Review (WBR/MBR/QBR)": "_No response_"},
        "**Mechanism that failed**: choose the mechanism that failed, or 'No mechanism exists"
        " for this'",
    ),
    "severity empty": (
        {"sev2: many customers are badly affected": "_No response_"},
        "**Severity**: choose a severity, sev1 (worst) to sev4",
    ),
    "severity unknown": (
        {"sev2: many customers are badly affected": "urgent"},
        "**Severity**: 'urgent' is not a severity; choose sev1, sev2, sev3 or sev4",
    ),
    "failure mode unknown": (
        {"new-input: it met an input it was not built for": "gremlins"},
        "**How did the mechanism fail?**: 'gremlins' is not a failure mode; choose one of"
        " new-input, output-changed, scale, not-adopted, not-inspected, other",
    ),
    "failure mode without mechanism": (
        {"wbr: Weekly Business Review (WBR/MBR/QBR)": "No mechanism exists for this"},
        "**How did the mechanism fail?**: leave it empty when you chose 'No mechanism exists"
        " for this'",
    ),
    "headings gone": (
        {"### Customer impact": "Customer impact:"},
        "**Customer impact**: say who is affected, how many, and how badly",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_told_on_the_issue(
    case: str, intake: Any, repo: Path, github: FakeGitHub
) -> None:
    replace, line = BAD[case]
    data = event()
    data["issue"]["body"] = body_with(replace)
    before = commit_count(repo)
    done = intake(data)
    assert done.exit_code == 1, done
    assert done.stdout == ""
    assert done.stderr.startswith("error: issue #42 cannot be escalated: ")
    assert len(done.stderr.splitlines()) == 1
    assert commit_count(repo) == before
    assert not (repo / "escalations" / "2026").exists()
    assert github.bodies(REPO, 42) == [
        "<!-- mechctl:intake-problem -->\n"
        "**This issue cannot be escalated as it is.** Please edit it and fix:\n\n"
        f"- {line}\n\n"
        "Nothing was recorded. Save the fixed issue and it is escalated then."
    ]
    assert github.issue(REPO, 42).labels == []


def test_empty_title(intake: Any, github: FakeGitHub) -> None:
    data = event()
    data["issue"]["title"] = "Escalation: "
    done = intake(data)
    assert done.exit_code == 1
    first = github.bodies(REPO, 42)[0]
    assert "- **Title**: give the issue a title that says what went wrong\n" in first


def test_a_problem_then_the_fix(intake: Any, repo: Path, github: FakeGitHub) -> None:
    bad = event()
    bad["issue"]["body"] = body_with({"sev2: many customers are badly affected": "urgent"})
    assert intake(bad).exit_code == 1
    assert intake(bad).exit_code == 1  # the same problem again: the comment is kept, once
    assert len(github.bodies(REPO, 42)) == 1
    assert [c.method for c in github.calls] == ["GET", "POST", "GET"]
    fixed = intake(event("edited"))
    assert fixed.exit_code == 0, fixed
    assert record(repo)["severity"] == "sev1"
    bodies = github.bodies(REPO, 42)
    assert len(bodies) == 1 and bodies[0].startswith("<!-- mechctl:intake esc-")
    assert ("DELETE", "/repos/acme/mechanisms/issues/comments/1001", None) in writes(github)


def test_an_edit_that_breaks_an_escalated_issue(
    intake: Any, repo: Path, github: FakeGitHub
) -> None:
    first = intake(event())
    escalation_id = first.stdout.strip()
    count = commit_count(repo)
    broken = event("edited")
    broken["issue"]["body"] = body_with(
        {"sev2: many customers are badly affected": "_No response_"}
    )
    done = intake(broken)
    assert done.exit_code == 1
    assert done.stderr == (
        "error: issue #42: the edited body no longer parses: Severity: choose a severity,"
        " sev1 (worst) to sev4\n"
    )
    assert commit_count(repo) == count
    assert github.bodies(REPO, 42)[1].endswith(
        f"The escalation **{escalation_id}** stands as it was raised; this edit is not recorded."
    )


@pytest.mark.parametrize("action", ["closed", "labeled", None])
def test_an_event_that_is_not_opened_edited_or_reopened(
    action: str | None, intake: Any, repo: Path, github: FakeGitHub
) -> None:
    data = event()
    data["action"] = action
    before = commit_count(repo)
    done = intake(data)
    what = f"`{action}`" if action else "without an action"
    assert (done.exit_code, done.stderr) == (
        1,
        f"error: issue #42: the event is {what}, not opened, edited or reopened; nothing was"
        " recorded\n",
    )
    assert commit_count(repo) == before
    assert github.bodies(REPO, 42) == [
        "<!-- mechctl:intake-problem -->\n"
        "**This issue cannot be escalated as it is.** Please edit it and fix:\n\n"
        f"- mechctl intake handles issues that are opened, edited or reopened; this event is"
        f" {what}\n\n"
        "Nothing was recorded. The workflow should run on"
        " `issues: types: [opened, edited, reopened]`."
    ]


def test_not_an_issues_event(intake: Any, github: FakeGitHub) -> None:
    done = intake({"action": "opened", "pull_request": {"number": 3}})
    assert (done.exit_code, done.stderr) == (
        1,
        "error: not a GitHub `issues` event (it has no `issue`); run intake from a workflow"
        " `on: issues: types: [opened, edited, reopened]`\n",
    )
    assert github.calls == []


def test_an_issue_not_from_the_form_is_left_alone(
    intake: Any, repo: Path, github: FakeGitHub
) -> None:
    data = event()
    data["issue"]["body"] = "The export button is broken."
    before = commit_count(repo)
    done = intake(data)
    assert (done.exit_code, done.stdout) == (0, "")
    assert done.stderr == ("issue #42 was not opened from the escalation form: nothing to do\n")
    assert commit_count(repo) == before
    assert github.calls == []


def test_unreadable_event_and_no_token(cli: Runner, tmp_path: Path, github: FakeGitHub) -> None:
    missing = cli("intake", "github-issue", str(tmp_path / "nope.json"), env=github.env())
    assert missing.exit_code == 1
    assert (
        missing.stderr
        == f"error: cannot read {tmp_path / 'nope.json'}: No such file or directory\n"
    )
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    bad = cli("intake", "github-issue", str(path), env=github.env())
    assert bad.exit_code == 1 and bad.stderr.startswith(f"error: {path}: not JSON (")
    good = write_event(tmp_path, event())
    no_token = cli("intake", "github-issue", str(good), env={"GITHUB_TOKEN": ""})
    assert no_token.exit_code == 1
    assert no_token.stderr.splitlines()[0] == (
        "error: GITHUB_TOKEN is not set: the GitHub API needs a token"
    )


def test_rate_limit_is_waited_out_then_reported(
    intake: Any, repo: Path, github: FakeGitHub
) -> None:
    github.fail(429, headers={"Retry-After": "0"})
    github.fail(403, headers={"Retry-After": "0"})
    done = intake(event())
    assert done.exit_code == 0, done
    assert [c.method for c in github.calls][:3] == ["GET", "GET", "GET"]
    from mechctl.services.github.api import GitHub, GitHubError

    client = GitHub(github.url, TOKEN, max_wait=1)
    github.fail(429, headers={"Retry-After": "5"}, times=30)
    with pytest.raises(GitHubError) as caught:
        client.issue_comments("acme/mechanisms", 42)
    assert str(caught.value) == (
        "GitHub API GET /repos/acme/mechanisms/issues/42/comments: 429 API rate limit exceeded"
        " (rate limited: waited 0 s, GitHub asks 5 s more, past the 1 s bound)"
    )


def test_api_failure_after_the_commit_is_reported_and_rerun_finishes(
    intake: Any, repo: Path, github: FakeGitHub
) -> None:
    github.fail(500, method="POST", message="boom")
    done = intake(event())
    assert (done.exit_code, done.stderr) == (
        1,
        f"error: GitHub API POST {COMMENTS}: 500 boom\n",
    )
    assert len(list((repo / "escalations").rglob("*.yaml"))) == 1  # the commit stands
    github.failures.clear()
    again = intake(event())
    assert again.exit_code == 0, again
    assert len(github.bodies(REPO, 42)) == 1


# -- two events at once --------------------------------------------------------------------


def _clone(remote: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(remote), str(where)], check=True)
    return where


def test_two_events_at_once_raise_one_escalation(
    repo: Path, mechanism: Any, github: FakeGitHub, tmp_path: Path
) -> None:
    mechanism()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote)], check=True)
    clones = [_clone(remote, tmp_path / f"clone{n}") for n in (1, 2)]
    paths = [
        write_event(tmp_path, event("opened"), "opened.json"),
        write_event(tmp_path, event("edited"), "edited.json"),
    ]
    env = {**os.environ, **github.env(), "PYTHONPATH": str(SRC)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mechctl", "intake", "github-issue", str(path), "--push"],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for clone, path in zip(clones, paths, strict=True)
    ]
    outs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outs
    ids = {out[0].strip() for out in outs}
    assert len(ids) == 1
    (escalation_id,) = ids
    check = _clone(remote, tmp_path / "check")
    assert [p.name for p in (check / "escalations").rglob("*.yaml")] == [f"{escalation_id}.yaml"]
    log = git(check, "log", "--format=%s", "-3").splitlines()
    assert log[0].startswith("escalate: WBR deck") and not log[1].startswith("escalate:")
    notes = sorted(out[1] for out in outs)
    assert any("escalated as" in n for n in notes), notes
    assert len(github.bodies(REPO, 42)) == 1
    for clone in clones:  # each clone ends in step with the remote, nothing left behind
        assert git(clone, "status", "--porcelain") == ""


# -- notify answers on the issue -----------------------------------------------------------


def test_notify_posts_state_changes_on_the_issue_once_and_closes_it(
    intake: Any, cli: Runner, repo: Path, github: FakeGitHub
) -> None:
    escalation_id = intake(event()).stdout.strip()
    steps = [
        ("2026-12-02T17:00:00Z", ["ack", escalation_id, "--note", "On it"]),
        (
            "2026-12-03T09:00:00Z",
            [
                "resolve",
                escalation_id,
                "--summary",
                "Deck checks the data's week",
                "--no-change-reason",
                "A one-off export failure",
            ],
        ),
        ("2026-12-03T10:00:00Z", ["close", escalation_id]),
    ]
    for now, args in steps:
        done = cli("escalation", *args, env={"MECHCTL_NOW": now})
        assert done.exit_code == 0, done
    github.calls.clear()
    env = {**github.env(), "MECHCTL_NOW": "2026-12-03T11:00:00Z"}
    done = cli("notify", env=env)
    assert done.exit_code == 0, done
    assert done.stdout.splitlines() == [
        f"sent    acknowledged       {escalation_id}  {record(repo)['level']} -> github"
        " acme/mechanisms#42",
        f"sent    resolved           {escalation_id}  {record(repo)['level']} -> github"
        " acme/mechanisms#42",
        f"sent    closed             {escalation_id}  {record(repo)['level']} -> github"
        " acme/mechanisms#42",
    ]
    bodies = github.bodies(REPO, 42)[1:]  # after the id's comment
    assert [b.split("\n", 1)[1] for b in bodies] == [
        f"**{escalation_id}** was acknowledged by Test User (2026-12-02T17:00:00Z).\n\n> On it",
        f"**{escalation_id}** was resolved by Test User (2026-12-03T09:00:00Z).\n\n"
        "Resolution: Deck checks the data's week",
        f"**{escalation_id}** was closed by Test User (2026-12-03T10:00:00Z).\n\n"
        "Resolution: Deck checks the data's week\n\n"
        "Thank you for raising it. This issue is closed with the escalation.",
    ]
    assert all(b.startswith("<!-- mechctl:notify ") for b in bodies)
    assert github.issue(REPO, 42).state == "closed"
    assert (
        "PATCH",
        "/repos/acme/mechanisms/issues/42",
        {"state": "closed"},
    ) in writes(github)
    github.calls.clear()
    again = cli("notify", env=env)
    assert again.exit_code == 0, again
    assert again.stdout == ""
    assert github.calls == []
    # Without a token, nothing is posted and notify has nothing to do.
    quiet = cli("notify", env={"MECHCTL_NOW": "2026-12-03T11:00:00Z", "GITHUB_TOKEN": ""})
    assert quiet.stderr == "nothing to do: .mechctl.yaml has no `notify` section\n"


def test_notify_failed_post_is_retried(
    intake: Any, cli: Runner, repo: Path, github: FakeGitHub
) -> None:
    escalation_id = intake(event()).stdout.strip()
    cli("escalation", "ack", escalation_id, env={"MECHCTL_NOW": "2026-12-02T17:00:00Z"})
    github.fail(502, method="POST", message="boom", times=30)
    env = {**github.env(), "MECHCTL_NOW": "2026-12-02T18:00:00Z"}
    failed = cli("notify", env=env)
    assert failed.exit_code == 1
    assert f"failed (acknowledged {escalation_id}): GitHub API POST {COMMENTS}: 502 boom" in (
        failed.stderr
    )
    github.failures.clear()
    done = cli("notify", env=env)
    assert done.exit_code == 0, done
    assert len(github.bodies(REPO, 42)) == 2
