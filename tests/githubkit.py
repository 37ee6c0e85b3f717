"""A fake GitHub REST API on 127.0.0.1 for the `mechctl github` tests.

It keeps issues, their comments and labels in memory, records every request (method, path,
query, headers, JSON body), answers 401 to a wrong token, paginates lists by `per_page` with a
`Link: rel="next"` header as GitHub does, and can be told to answer the next requests with a
rate limit (403/429 with `Retry-After`, or `x-ratelimit-remaining: 0`) or any other failure.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

TOKEN = "ghs_test_token_0123456789"
DATA = Path(__file__).parent / "data" / "github"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


def event(name: str) -> dict[str, Any]:
    """A recorded-shape webhook payload from tests/data/github/."""
    loaded: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return loaded


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    def __repr__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    message: str
    times: int
    method: str | None = None


@dataclass
class Issue:
    number: int
    state: str = "open"
    labels: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeGitHub:
    server: ThreadingHTTPServer
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    issues: dict[tuple[str, int], Issue] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self, **extra: str) -> dict[str, str]:
        return {"GITHUB_API_URL": self.url, "GITHUB_TOKEN": self.token, **extra}

    def issue(self, repo: str, number: int) -> Issue:
        with self.lock:
            return self.issues.setdefault((repo, number), Issue(number))

    def comment(self, repo: str, number: int, body: str, user: dict[str, Any] = BOT) -> int:
        """Put a comment there as if someone (the bot, by default) had written it."""
        issue = self.issue(repo, number)
        with self.lock:
            made = self._new_comment(repo, issue, body, user)
        return int(made["id"])

    def bodies(self, repo: str, number: int) -> list[str]:
        return [c["body"] for c in self.issue(repo, number).comments]

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "API rate limit exceeded",
        method: str | None = None,
    ) -> None:
        """Answer the next `times` requests (of `method`, if given) with `status`."""
        self.failures.append(Failure(status, headers or {}, message, times, method))

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method != "GET"]

    def _new_comment(
        self, repo: str, issue: Issue, body: str, user: dict[str, Any]
    ) -> dict[str, Any]:
        self.next_id += 1
        cid = self.next_id
        made = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "url": f"{self.url}/repos/{repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{repo}/pull/{issue.number}#issuecomment-{cid}",
            "issue_url": f"{self.url}/repos/{repo}/issues/{issue.number}",
            "body": body,
            "user": dict(user),
            "created_at": "2026-01-05T10:00:00Z",
            "updated_at": "2026-01-05T10:00:00Z",
            "author_association": "NONE",
        }
        issue.comments.append(made)
        return made

    def _find(self, repo: str, cid: int) -> tuple[Issue, dict[str, Any]] | None:
        for (where, _), issue in self.issues.items():
            if where != repo:
                continue
            for made in issue.comments:
                if made["id"] == cid:
                    return issue, made
        return None

    def handle(self, call: Call) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON) for one request."""
        with self.lock:
            self.calls.append(call)
            if call.headers.get("authorization") != f"Bearer {self.token}":
                return 401, {}, {"message": "Bad credentials"}
            for failure in self.failures:
                if failure.times > 0 and failure.method in (None, call.method):
                    failure.times -= 1
                    return failure.status, failure.headers, {"message": failure.message}
            return self._route(call)

    def _route(self, call: Call) -> tuple[int, dict[str, str], Any]:
        m, p = call.method, call.path
        if found := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", p):
            repo, number = found.group(1), int(found.group(2))
            issue = self.issues.setdefault((repo, number), Issue(number))
            if m == "GET":
                return self._page(call, issue.comments)
            if m == "POST" and isinstance(call.body, dict) and "body" in call.body:
                return 201, {}, self._new_comment(repo, issue, call.body["body"], BOT)
            return 422, {}, {"message": "Validation Failed"}
        if found := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", p):
            hit = self._find(found.group(1), int(found.group(2)))
            if hit is None:
                return 404, {}, {"message": "Not Found"}
            issue, made = hit
            if m == "PATCH" and isinstance(call.body, dict) and "body" in call.body:
                made["body"] = call.body["body"]
                made["updated_at"] = "2026-01-05T11:00:00Z"
                return 200, {}, made
            if m == "DELETE":
                issue.comments.remove(made)
                return 204, {}, None
            if m == "GET":
                return 200, {}, made
            return 422, {}, {"message": "Validation Failed"}
        if found := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/labels", p):
            issue = self.issues.setdefault((found.group(1), int(found.group(2))), Issue(0))
            if m == "POST" and isinstance(call.body, dict):
                for label in call.body.get("labels", []):
                    if label not in issue.labels:
                        issue.labels.append(label)
                return 200, {}, [{"name": name} for name in issue.labels]
            return 422, {}, {"message": "Validation Failed"}
        if found := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", p):
            number = int(found.group(2))
            issue = self.issues.setdefault((found.group(1), number), Issue(number))
            if m == "PATCH" and isinstance(call.body, dict):
                issue.state = call.body.get("state", issue.state)
            if m in ("PATCH", "GET"):
                return 200, {}, {"number": number, "state": issue.state}
        if p == "/echo":  # the client's own tests: what arrived
            return 200, {}, {"query": call.query, "body": call.body}
        return 404, {}, {"message": "Not Found"}

    def _page(self, call: Call, items: list[dict[str, Any]]) -> tuple[int, dict[str, str], Any]:
        per_page = int(call.query.get("per_page", "30"))
        page = int(call.query.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = (
                f'<{self.url}{call.path}?per_page={per_page}&page={page + 1}>; rel="next", '
                f'<{self.url}{call.path}?per_page={per_page}&page=1>; rel="first"'
            )
        return 200, headers, chunk


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    holder: list[FakeGitHub] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            call = Call(self.command, split.path, query, headers, body)
            status, extra, payload = holder[0].handle(call)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            if data:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(FakeGitHub(server))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()
