"""The GitHub API client against the fake API on 127.0.0.1 (tests/githubkit.py)."""

from __future__ import annotations

import socket
import time

import pytest

from githubkit import TOKEN, FakeGitHub, github  # noqa: F401
from mechctl.services.github.api import GitHub, GitHubError, rate_limit_wait

REPO = "acme/mechanisms"


def client(fake: FakeGitHub, **kw: float) -> GitHub:
    return GitHub(fake.url, TOKEN, **kw)


def test_every_request_carries_the_token_and_the_api_headers(github: FakeGitHub) -> None:
    with client(github) as gh:
        made = gh.create_comment(REPO, 7, "hello")
    call = github.calls[-1]
    assert (call.method, call.path, call.body) == (
        "POST",
        "/repos/acme/mechanisms/issues/7/comments",
        {"body": "hello"},
    )
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["accept"] == "application/vnd.github+json"
    assert call.headers["x-github-api-version"] == "2022-11-28"
    assert call.headers["content-type"] == "application/json"
    assert made["body"] == "hello"
    assert github.bodies(REPO, 7) == ["hello"]


def test_update_delete_label_close(github: FakeGitHub) -> None:
    cid = github.comment(REPO, 3, "old")
    with client(github) as gh:
        assert gh.update_comment(REPO, cid, "new")["body"] == "new"
        gh.add_labels(REPO, 3, ["escalation"])
        gh.close_issue(REPO, 3)
        gh.delete_comment(REPO, cid)
    assert [(c.method, c.path, c.body) for c in github.calls] == [
        ("PATCH", f"/repos/{REPO}/issues/comments/{cid}", {"body": "new"}),
        ("POST", f"/repos/{REPO}/issues/3/labels", {"labels": ["escalation"]}),
        ("PATCH", f"/repos/{REPO}/issues/3", {"state": "closed"}),
        ("DELETE", f"/repos/{REPO}/issues/comments/{cid}", None),
    ]
    issue = github.issue(REPO, 3)
    assert (issue.comments, issue.labels, issue.state) == ([], ["escalation"], "closed")


def test_a_wrong_token_is_one_line(github: FakeGitHub) -> None:
    with GitHub(github.url, "wrong") as gh, pytest.raises(GitHubError) as caught:
        gh.issue_comments(REPO, 1)
    assert str(caught.value) == (
        f"GitHub API GET /repos/{REPO}/issues/1/comments: 401 Bad credentials"
    )
    assert caught.value.status == 401
    assert caught.value.hint is not None and "GITHUB_TOKEN" in caught.value.hint


def test_pagination_follows_link_next(github: FakeGitHub) -> None:
    for n in range(250):
        github.comment(REPO, 9, f"c{n}")
    with client(github) as gh:
        bodies = [c["body"] for c in gh.issue_comments(REPO, 9)]
    assert bodies == [f"c{n}" for n in range(250)]
    assert [(c.path, c.query) for c in github.calls] == [
        (f"/repos/{REPO}/issues/9/comments", {"per_page": "100"}),
        (f"/repos/{REPO}/issues/9/comments", {"per_page": "100", "page": "2"}),
        (f"/repos/{REPO}/issues/9/comments", {"per_page": "100", "page": "3"}),
    ]


def test_params_are_sent_as_the_query(github: FakeGitHub) -> None:
    with client(github) as gh:
        got = gh.request("GET", "/echo", params={"state": "all", "per_page": 5})
    assert got == {"query": {"state": "all", "per_page": "5"}, "body": None}


@pytest.mark.parametrize("status", [403, 429])
def test_retry_after_is_waited_out_within_the_bound(github: FakeGitHub, status: int) -> None:
    github.fail(status, headers={"Retry-After": "1"})
    start = time.monotonic()
    with client(github, max_wait=5) as gh:
        made = gh.create_comment(REPO, 1, "after the wait")
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 3.0
    assert made["body"] == "after the wait"
    # The rate-limited POST is sent again, once, and only one comment exists.
    assert [c.method for c in github.calls] == ["POST", "POST"]
    assert github.bodies(REPO, 1) == ["after the wait"]


def test_ratelimit_reset_is_waited_out_when_none_remain(github: FakeGitHub) -> None:
    reset = str(int(time.time()) + 1)
    github.fail(403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
    with client(github, max_wait=5) as gh:
        assert gh.issue_comments(REPO, 2) == []
    assert len(github.calls) == 2


def test_a_wait_past_the_bound_is_reported_at_once_as_one_line(github: FakeGitHub) -> None:
    github.fail(429, headers={"Retry-After": "120"})
    start = time.monotonic()
    with client(github, max_wait=2) as gh, pytest.raises(GitHubError) as caught:
        gh.create_comment(REPO, 1, "x")
    assert time.monotonic() - start < 1.0
    assert str(caught.value) == (
        f"GitHub API POST /repos/{REPO}/issues/1/comments: 429 API rate limit exceeded "
        "(rate limited: waited 0 s, GitHub asks 120 s more, past the 2 s bound)"
    )
    assert "\n" not in str(caught.value)
    assert len(github.calls) == 1


def test_the_bound_counts_every_wait_together(github: FakeGitHub) -> None:
    github.fail(429, headers={"Retry-After": "1"}, times=5)
    start = time.monotonic()
    with client(github, max_wait=2.5) as gh, pytest.raises(GitHubError) as caught:
        gh.issue_comments(REPO, 1)
    assert 2.0 <= time.monotonic() - start < 4.0
    assert "(rate limited: waited 2 s, GitHub asks 1 s more, past the 2 s bound)" in str(
        caught.value
    )
    assert len(github.calls) == 3


def test_a_plain_403_is_a_refusal_not_retried(github: FakeGitHub) -> None:
    github.fail(403, message="Resource not accessible by integration")
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.create_comment(REPO, 1, "x")
    assert str(caught.value) == (
        f"GitHub API POST /repos/{REPO}/issues/1/comments: 403 "
        "Resource not accessible by integration"
    )
    assert caught.value.hint == (
        "the token may lack a permission (review needs `pull-requests: write`)"
    )
    assert len(github.calls) == 1


def test_a_server_error_is_reported_not_retried(github: FakeGitHub) -> None:
    github.fail(502, message="Server Error")
    with client(github) as gh, pytest.raises(GitHubError) as caught:
        gh.issue_comments(REPO, 1)
    assert str(caught.value) == f"GitHub API GET /repos/{REPO}/issues/1/comments: 502 Server Error"
    assert len(github.calls) == 1


def test_connection_refused_is_one_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    with GitHub(f"http://127.0.0.1:{port}", TOKEN) as gh, pytest.raises(GitHubError) as caught:
        gh.issue_comments(REPO, 1)
    assert time.monotonic() - start < 2.0
    assert str(caught.value) == (
        f"GitHub API GET /repos/{REPO}/issues/1/comments: cannot reach 127.0.0.1:{port} "
        "(connection refused)"
    )


def test_from_env_needs_a_token() -> None:
    with pytest.raises(GitHubError) as caught:
        GitHub.from_env({"GITHUB_API_URL": "http://127.0.0.1:1"})
    assert str(caught.value) == "GITHUB_TOKEN is not set: the GitHub API needs a token"
    gh = GitHub.from_env({"GITHUB_TOKEN": "t"})
    assert (gh.api_url, gh.token) == ("https://api.github.com", "t")
    gh = GitHub.from_env({"GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://ghe.example/api/v3/"})
    assert gh.api_url == "https://ghe.example/api/v3"


def test_rate_limit_wait_reads_githubs_two_signals() -> None:
    assert rate_limit_wait(429, {"Retry-After": "7"}) == 7.0
    assert (
        rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "110"}, 100.0)
        == 10.0
    )
    assert (
        rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "90"}, 100.0)
        == 0.0
    )
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "12"}) is None
    assert rate_limit_wait(500, {"Retry-After": "7"}) is None
