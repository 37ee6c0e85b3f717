"""`mechctl github review`: one comment per pull request, against the fake API (githubkit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Runner, git
from githubkit import TOKEN, FakeGitHub, event, github  # noqa: F401
from mechctl.services.github.review import MARKER

REPO = "acme/mechanisms"
PR = f"/repos/{REPO}/issues/42/comments"


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def write_event(tmp_path: Path, name: str, base: str, tip: str) -> Path:
    payload: dict[str, Any] = event(name)
    payload["pull_request"]["base"]["sha"] = base
    payload["pull_request"]["head"]["sha"] = tip
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def run(cli: Runner, fake: FakeGitHub, path: Path, *args: str) -> Any:
    return cli("github", "review", *args, env=fake.env(GITHUB_EVENT_PATH=str(path)))


def test_created_once_updated_on_the_next_push_never_duplicated(
    cli: Runner, repo: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    base = head(repo)
    github.comment(REPO, 42, "LGTM", user={"login": "someone", "id": 7})
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    opened = write_event(tmp_path, "pull_request_opened.json", base, head(repo))

    first = run(cli, github, opened)
    assert first.exit_code == 0, first
    assert first.stdout == ""
    ours = github.issue(REPO, 42).comments[1]
    assert first.stderr == (
        f"review comment posted on {REPO}#42: "
        f"https://github.com/{REPO}/pull/42#issuecomment-{ours['id']}\n"
    )
    text = ours["body"]
    assert text.startswith(f"{MARKER}\n## mechctl diff\n\nRecord changes in `{base}...")
    assert "| `wbr` | mechanism | added |" in text
    assert [(c.method, c.path, c.body) for c in github.writes()] == [("POST", PR, {"body": text})]
    assert all(c.headers["authorization"] == f"Bearer {TOKEN}" for c in github.calls)

    assert cli("mechanism", "activate", "wbr").exit_code == 0
    pushed = write_event(tmp_path, "pull_request_synchronize.json", base, head(repo))
    github.calls.clear()
    second = run(cli, github, pushed)
    assert second.exit_code == 0, second
    assert second.stderr.startswith(f"review comment updated on {REPO}#42: ")
    bodies = github.bodies(REPO, 42)
    assert len(bodies) == 2 and bodies[0] == "LGTM"
    assert bodies[1] != text and bodies[1].startswith(MARKER)
    assert [(c.method, c.path) for c in github.calls] == [
        ("GET", PR),
        ("PATCH", f"/repos/{REPO}/issues/comments/{ours['id']}"),
    ]
    assert github.calls[1].body == {"body": bodies[1]}

    # A re-run of the same push changes nothing on GitHub.
    github.calls.clear()
    third = run(cli, github, pushed)
    assert third.stderr.startswith(f"review comment on {REPO}#42 is up to date: ")
    assert [c.method for c in github.calls] == ["GET"]
    assert github.bodies(REPO, 42) == bodies


def test_two_marked_comments_keep_the_first_and_delete_the_others(
    cli: Runner, repo: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    base = head(repo)
    keep = github.comment(REPO, 42, f"{MARKER}\nold review")
    extra = github.comment(REPO, 42, f"{MARKER}\nracing review")
    quoted = github.comment(REPO, 42, f"> {MARKER}\nsomeone quoting it")
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    path = write_event(tmp_path, "pull_request_synchronize.json", base, head(repo))
    done = run(cli, github, path, "--json")
    assert done.exit_code == 0, done
    assert json.loads(done.stdout) == {
        "repo": REPO,
        "pr": 42,
        "records": 1,
        "action": "updated",
        "comment_id": keep,
        "url": f"https://github.com/{REPO}/pull/42#issuecomment-{keep}",
        "deleted": [extra],
    }
    assert [(c.method, c.path) for c in github.writes()] == [
        ("DELETE", f"/repos/{REPO}/issues/comments/{extra}"),
        ("PATCH", f"/repos/{REPO}/issues/comments/{keep}"),
    ]
    ids = [c["id"] for c in github.issue(REPO, 42).comments]
    assert ids == [keep, quoted]


def test_no_record_changed_removes_the_comment(
    cli: Runner, repo: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    base = head(repo)
    old = github.comment(REPO, 42, f"{MARKER}\nold review")
    (repo / "notes.txt").write_text("not a record\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-qm", "notes")
    path = write_event(tmp_path, "pull_request_synchronize.json", base, head(repo))
    done = run(cli, github, path)
    assert done.exit_code == 0, done
    assert done.stderr == f"no record changed: review comment removed from {REPO}#42\n"
    assert [(c.method, c.path) for c in github.writes()] == [
        ("DELETE", f"/repos/{REPO}/issues/comments/{old}")
    ]
    assert github.bodies(REPO, 42) == []
    github.calls.clear()
    again = run(cli, github, path)
    assert again.stderr == f"no record changed: no review comment on {REPO}#42\n"
    assert github.writes() == []


def test_dry_run_prints_the_comment_and_calls_nothing(
    cli: Runner, repo: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    base = head(repo)
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    path = write_event(tmp_path, "pull_request_opened.json", base, head(repo))
    done = run(cli, github, path, "--dry-run")
    assert done.exit_code == 0, done
    assert done.stdout.startswith(f"{MARKER}\n## mechctl diff\n")
    diff = cli("diff", f"{base}...{head(repo)}", "--format", "markdown")
    assert done.stdout == f"{MARKER}\n{diff.stdout}"
    assert github.calls == []


def test_flags_without_an_event(cli: Runner, repo: Path, github: FakeGitHub) -> None:
    base = head(repo)
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    args = ("--base", base, "--head", "HEAD", "--pr", "7")
    done = cli("github", "review", *args, env=github.env(GITHUB_REPOSITORY=REPO))
    assert done.exit_code == 0, done
    assert [(c.method, c.path) for c in github.writes()] == [
        ("POST", f"/repos/{REPO}/issues/7/comments")
    ]


def test_bad_input_is_one_line(cli: Runner, github: FakeGitHub, tmp_path: Path) -> None:
    missing = cli("github", "review", env=github.env())
    assert (missing.exit_code, missing.stderr.splitlines()[0]) == (
        2,
        "error: no pull request to review: --repo, --pr, --base, --head not given and not in"
        " the environment (GITHUB_EVENT_PATH is not set)",
    )
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps(event("issues_opened_minimal.json")), encoding="utf-8")
    wrong = run(cli, github, issue)
    assert (wrong.exit_code, wrong.stderr.splitlines()[0]) == (
        2,
        f"error: {issue}: not a pull_request event (no `pull_request` object)",
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    bad = run(cli, github, broken)
    assert bad.exit_code == 2 and bad.stderr.startswith(f"error: {broken}: the event is not JSON")
    assert github.calls == []


def test_no_token_and_a_refusal_are_one_line(
    cli: Runner, repo: Path, github: FakeGitHub, tmp_path: Path
) -> None:
    base = head(repo)
    assert cli("mechanism", "new", "wbr", "--template", "wbr", "--owner", "finance").exit_code == 0
    path = write_event(tmp_path, "pull_request_opened.json", base, head(repo))
    env = github.env(GITHUB_EVENT_PATH=str(path))
    del env["GITHUB_TOKEN"]
    done = cli("github", "review", env=env)
    assert (done.exit_code, done.stderr.splitlines()[0]) == (
        1,
        "error: GITHUB_TOKEN is not set: the GitHub API needs a token",
    )
    github.fail(403, message="Resource not accessible by integration", method="POST")
    refused = run(cli, github, path)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"error: GitHub API POST {PR}: 403 Resource not accessible by integration",
        "hint: the token may lack a permission (review needs `pull-requests: write`)",
    ]
