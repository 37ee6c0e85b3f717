"""The GitHub REST API, through the standard library (urllib): `GITHUB_API_URL` (default the
public one) with `GITHUB_TOKEN`, so tests run against a server on 127.0.0.1.

urllib has no retry of its own; the one wait here is for rate limits (403/429 with
`Retry-After`, or `x-ratelimit-remaining: 0` until `x-ratelimit-reset`), bounded by
`max_wait` in total, then reported.
"""

from __future__ import annotations

import json as jsonlib
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any

from mechctl.errors import MechctlError

DEFAULT_API_URL = "https://api.github.com"


class GitHubError(MechctlError):
    """One request GitHub refused or did not answer: method, path, status, message."""


def _next_link(header: str | None) -> str | None:
    for part in (header or "").split(","):
        url, _, rest = part.partition(";")
        if 'rel="next"' in rest:
            return url.strip().strip("<>")
    return None


class GitHub:
    def __init__(
        self, api_url: str, token: str, *, timeout: float = 10.0, max_wait: float = 60.0
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_wait = max_wait

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GitHub:
        env = os.environ if environ is None else environ
        token = env.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise MechctlError(
                "GITHUB_TOKEN is not set; mechctl needs it to comment on GitHub issues",
                hint="in a workflow: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`",
            )
        return cls(env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL, token)

    # -- requests ------------------------------------------------------------------------

    def _send(self, method: str, url: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "mechctl",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()

    def _call(
        self, method: str, path_or_url: str, json: Any, params: dict[str, Any] | None
    ) -> tuple[Any, dict[str, str]]:
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        path = urllib.parse.urlsplit(url).path
        body = None if json is None else jsonlib.dumps(json).encode()
        waited = 0.0
        while True:
            try:
                status, headers, data = self._send(method, url, body)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise GitHubError(f"GitHub API {method} {path}: no answer ({reason})") from None
            lower = {k.lower(): v for k, v in headers.items()}
            wait = self._rate_wait(status, lower)
            if wait is None:
                break
            if waited + wait > self.max_wait:
                raise GitHubError(
                    f"GitHub API {method} {path}: {status} rate limited; waited {waited:g}s,"
                    f" the next wait ({wait:g}s) passes the bound of {self.max_wait:g}s"
                )
            time.sleep(wait)
            waited += wait
        if status >= 400:
            try:
                message = jsonlib.loads(data).get("message", "")
            except (ValueError, AttributeError):
                message = data.decode("utf-8", "replace")[:200]
            raise GitHubError(f"GitHub API {method} {path}: {status} {message}".rstrip())
        value = jsonlib.loads(data) if data.strip() else None
        return value, lower

    @staticmethod
    def _rate_wait(status: int, headers: dict[str, str]) -> float | None:
        if status not in (403, 429):
            return None
        if "retry-after" in headers:
            try:
                return max(0.0, float(headers["retry-after"]))
            except ValueError:
                return None
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            try:
                return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
            except ValueError:
                return None
        return None

    def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        return self._call(method, path, json, params)[0]

    def paginate(
        self, path: str, *, params: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url is not None:
            value, headers = self._call("GET", url, None, query)
            yield from value or []
            url, query = _next_link(headers.get("link")), None

    # -- issues --------------------------------------------------------------------------

    def issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self.paginate(f"/repos/{repo}/issues/{number}/comments"))

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return dict(
            self.request("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body})
        )

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return dict(
            self.request(
                "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", json={"body": body}
            )
        )

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self.request("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        self.request("POST", f"/repos/{repo}/issues/{number}/labels", json={"labels": labels})

    def close_issue(self, repo: str, number: int) -> None:
        self.request(
            "PATCH",
            f"/repos/{repo}/issues/{number}",
            json={"state": "closed", "state_reason": "completed"},
        )
