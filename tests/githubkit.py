"""A fake GitHub REST API on 127.0.0.1 (http.server in a thread) for the tests: issues,
comments and labels in memory; every request recorded (method, path, headers, JSON body);
the token checked; and, when told, 403/429 answers with Retry-After."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

TOKEN = "ghs_test_token"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: Any


@dataclass
class FakeGitHub:
    server: ThreadingHTTPServer
    calls: list[Call] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # issue -> comments
    labels: dict[int, list[str]] = field(default_factory=dict)
    states: dict[int, str] = field(default_factory=dict)
    limited: list[tuple[int, str]] = field(default_factory=list)  # (status, Retry-After) next
    fail: dict[str, int] = field(default_factory=dict)  # "METHOD path" -> status
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"GITHUB_API_URL": self.url, "GITHUB_TOKEN": TOKEN}

    def writes(self) -> list[tuple[str, str, Any]]:
        """Every request that changed something: (method, path, body)."""
        return [(c.method, c.path, c.body) for c in self.calls if c.method != "GET"]

    def bodies(self, number: int) -> list[str]:
        return [str(c["body"]) for c in self.comments.get(number, [])]


_COMMENTS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_COMMENT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
_LABELS = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/labels$")
_ISSUE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)$")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    holder: list[FakeGitHub] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, data: Any = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
            body = b"" if data is None else json.dumps(data).encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _handle(self, method: str) -> None:
            fake = holder[0]
            length = int(self.headers.get("Content-Length", "0") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path = urlsplit(self.path).path
            with fake.lock:
                fake.calls.append(
                    Call(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(401, {"message": "Bad credentials"})
                if self.headers.get("X-GitHub-Api-Version") != "2022-11-28":
                    return self._answer(400, {"message": "no API version"})
                if fake.limited:
                    status, after = fake.limited.pop(0)
                    return self._answer(status, {"message": "rate limited"}, {"Retry-After": after})
                if f"{method} {path}" in fake.fail:
                    return self._answer(fake.fail[f"{method} {path}"], {"message": "boom"})
                return self._route(fake, method, path, body)

        def _route(self, fake: FakeGitHub, method: str, path: str, body: Any) -> None:
            if (m := _COMMENTS.match(path)) and method == "GET":
                return self._answer(200, fake.comments.get(int(m.group(2)), []))
            if (m := _COMMENTS.match(path)) and method == "POST":
                fake.next_id += 1
                comment = {"id": fake.next_id, "body": body["body"]}
                fake.comments.setdefault(int(m.group(2)), []).append(comment)
                return self._answer(201, comment)
            if (m := _COMMENT.match(path)) and method in ("PATCH", "DELETE"):
                wanted = int(m.group(2))
                for comments in fake.comments.values():
                    for comment in comments:
                        if comment["id"] == wanted:
                            if method == "DELETE":
                                comments.remove(comment)
                                return self._answer(204)
                            comment["body"] = body["body"]
                            return self._answer(200, comment)
                return self._answer(404, {"message": "Not Found"})
            if (m := _LABELS.match(path)) and method == "POST":
                have = fake.labels.setdefault(int(m.group(2)), [])
                have += [label for label in body["labels"] if label not in have]
                return self._answer(200, [{"name": label} for label in have])
            if (m := _ISSUE.match(path)) and method == "PATCH":
                fake.states[int(m.group(2))] = body.get("state", "open")
                return self._answer(200, {"number": int(m.group(2)), "state": body.get("state")})
            return self._answer(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(FakeGitHub(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder[0]
    server.shutdown()
    server.server_close()
