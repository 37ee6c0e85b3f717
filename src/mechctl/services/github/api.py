"""The GitHub REST API, reached through urllib3 (docs/design.md §4).

`GITHUB_API_URL` (default the public API) and `GITHUB_TOKEN` come from the environment, so
the tests talk to a server on 127.0.0.1. Rate limits are waited out by urllib3's own `Retry`:
`RateLimitRetry` only teaches it GitHub's two signals (403 or 429 with `Retry-After`, or with
`x-ratelimit-remaining: 0` and `x-ratelimit-reset`) and a bound on the total wait. Past the
bound, or on any other failure, the caller gets one `GitHubError` line: method, path,
status and GitHub's message.
"""

from __future__ import annotations

import json as jsonlib
import re
import time
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from mechctl.errors import MechctlError

PUBLIC_API = "https://api.github.com"
RATE_LIMITED = frozenset({403, 429})
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(MechctlError):
    """A GitHub API call that failed: one line naming method, path, status and message."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None):
        super().__init__(message, hint=hint)
        self.status = status


class RateLimitRetry(Retry):
    """urllib3's `Retry`, retrying only GitHub's rate-limit answers, within `max_wait` s.

    A 403 without a rate-limit signal is a refusal (no permission), not retried. Nothing
    else is retried: a refused connection or a 5xx is reported at once, since a workflow
    run is cheap to re-run and a hidden wait is not."""

    def __init__(self, *args: Any, max_wait: float = 60.0, waited: float = 0.0, **kw: Any):
        super().__init__(*args, **kw)
        self.max_wait = max_wait
        self.waited = waited

    def new(self, **kw: Any) -> Self:
        kw.setdefault("max_wait", self.max_wait)
        kw.setdefault("waited", self.waited)
        return super().new(**kw)

    def get_retry_after(self, response: Any) -> float | None:
        return rate_limit_wait(response.status, response.headers)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # `increment` sees the headers and decides; urllib3 passes only the status here.
        return status_code in RATE_LIMITED

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if response is not None and error is None:
            wait = rate_limit_wait(response.status, response.headers)
            if wait is None or self.waited + wait > self.max_wait:
                # Not a rate limit, or one past the bound: hand the response back as it is.
                raise MaxRetryError(_pool, url or "", ResponseError(f"{response.status}"))
            done = super().increment(method, url, response, error, _pool, _stacktrace)
            done.waited = self.waited + wait
            return done
        return super().increment(method, url, response, error, _pool, _stacktrace)


def rate_limit_wait(
    status: int, headers: Mapping[str, str], now: float | None = None
) -> float | None:
    """Seconds GitHub asks us to wait before trying again, or None when this is no rate limit."""
    if status not in RATE_LIMITED:
        return None
    after = headers.get("Retry-After")
    if after is not None and after.strip().isdigit():
        return float(after.strip())
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        if reset.strip().isdigit():
            return max(0.0, float(reset) - (time.time() if now is None else now))
    return None


class GitHub:
    """A token and a base URL; every call is one line of error or parsed JSON."""

    def __init__(
        self, api_url: str, token: str, *, timeout: float = 10.0, max_wait: float = 60.0
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.max_wait = max_wait
        retry = RateLimitRetry(
            total=None,
            connect=0,
            read=False,
            redirect=0,
            status=20,  # Retry-After: 0 forever must still end
            other=0,
            allowed_methods=None,  # a rate-limited POST was not carried out; safe to repeat
            raise_on_status=False,
            raise_on_redirect=False,
            max_wait=max_wait,
        )
        self._pool = urllib3.PoolManager(
            retries=retry,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "mechctl",
            },
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GitHub:
        import os

        env = os.environ if environ is None else environ
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            raise GitHubError(
                "GITHUB_TOKEN is not set: the GitHub API needs a token",
                hint="in a workflow, pass `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` in `env:`",
            )
        return cls(env.get("GITHUB_API_URL") or PUBLIC_API, token)

    def _url(self, path: str, params: Mapping[str, Any] | None) -> str:
        url = path if "://" in path else f"{self.api_url}/{path.lstrip('/')}"
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        return url

    def _call(
        self, method: str, path: str, json: Any, params: Mapping[str, Any] | None
    ) -> urllib3.BaseHTTPResponse:
        url = self._url(path, params)
        shown = urlsplit(url).path
        try:
            response = self._pool.request(method, url, json=json)
        except MaxRetryError as exc:
            raise GitHubError(
                f"GitHub API {method} {shown}: cannot reach {urlsplit(url).netloc} "
                f"({_reason(exc.reason)})"
            ) from None
        except HTTPError as exc:
            raise GitHubError(
                f"GitHub API {method} {shown}: cannot reach {urlsplit(url).netloc} ({_reason(exc)})"
            ) from None
        if response.status >= 400:
            raise self._failure(method, shown, response)
        return response

    def _failure(self, method: str, shown: str, response: urllib3.BaseHTTPResponse) -> GitHubError:
        message = _message(response.data) or response.reason or "no message"
        where = f"GitHub API {method} {shown}: {response.status} {message}"
        wait = rate_limit_wait(response.status, response.headers)
        retries = response.retries
        waited = retries.waited if isinstance(retries, RateLimitRetry) else 0.0
        if wait is not None:
            return GitHubError(
                f"{where} (rate limited: waited {waited:.0f} s, GitHub asks {wait:.0f} s more, "
                f"past the {self.max_wait:.0f} s bound)",
                hint="re-run the job later",
                status=response.status,
            )
        hint = None
        if response.status == 401:
            hint = "GITHUB_TOKEN is not accepted: check the secret the workflow passes"
        elif response.status in (403, 404):
            hint = "the token may lack a permission (review needs `pull-requests: write`)"
        return GitHubError(where, hint=hint, status=response.status)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        response = self._call(method, path, json, params)
        return _decode(response.data)

    def paginate(
        self, path: str, *, params: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following `Link: rel="next"`."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url is not None:
            response = self._call("GET", url, None, query)
            page = _decode(response.data)
            if not isinstance(page, list):
                raise GitHubError(f"GitHub API GET {urlsplit(url).path}: expected a list")
            yield from page
            found = _NEXT.search(response.headers.get("Link", ""))
            url, query = (found.group(1), None) if found else (None, None)

    def issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self.paginate(f"/repos/{repo}/issues/{number}/comments"))

    def create_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        made: dict[str, Any] = self.request(
            "POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body}
        )
        return made

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        done: dict[str, Any] = self.request(
            "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", json={"body": body}
        )
        return done

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self.request("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        self.request("POST", f"/repos/{repo}/issues/{number}/labels", json={"labels": labels})

    def close_issue(self, repo: str, number: int) -> None:
        self.request("PATCH", f"/repos/{repo}/issues/{number}", json={"state": "closed"})

    def close(self) -> None:
        self._pool.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _decode(data: bytes) -> Any:
    if not data.strip():
        return None
    try:
        return jsonlib.loads(data)
    except ValueError:
        raise GitHubError("GitHub API answered something that is not JSON") from None


def _message(data: bytes) -> str:
    try:
        parsed = jsonlib.loads(data)
    except ValueError:
        return " ".join(data.decode("utf-8", "replace").split())[:200]
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return " ".join(str(parsed["message"]).split())
    return ""


def _reason(exc: BaseException | None) -> str:
    text = str(exc or "no answer")
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    # urllib3 prefixes its own object's repr; the last clause is the one a person reads.
    return text.rsplit(": ", 1)[-1].strip() or text
