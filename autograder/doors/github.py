"""The GitHub REST calls the classroom grader makes, and nothing else, through httpx.

One small client so the calls are listed in one place, the base URL can point at a fake API
in the tests (a real HTTP server on 127.0.0.1), and errors carry what went wrong. Pagination
follows the `Link: <...>; rel="next"` header, as GitHub documents.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import httpx

API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
# GitHub's rate limits answer 403 or 429 with Retry-After (secondary limits: comments and
# statuses count as content creation) or x-ratelimit-remaining: 0 (primary). We wait as told,
# a few times, never past MAX_WAIT each: a run that must wait longer ends, the next one resumes.
RETRIES = 3
MAX_WAIT = 120.0


class GitHubError(RuntimeError):
    """A call GitHub refused or could not answer: `status` is the HTTP status (0: no answer)."""

    def __init__(self, method: str, path: str, status: int, message: str):
        super().__init__(f"{method} {path}: {status} {message}")
        self.status = status


class TooLarge(GitHubError):
    """A download past the size we accept (a learner can make their repository huge)."""


class GitHub:
    def __init__(
        self,
        token: str,
        base_url: str = API_URL,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            follow_redirects=True,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "nn-kit-autograder",
            },
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------------

    def login(self) -> str:
        """Whom the token acts as (a user token; an App installation token gets 403 here, so
        the workflow names its bot, `<app-slug>[bot]`, instead)."""
        return self._json("GET", "/user")["login"]

    def org_repos(self, org: str) -> list[dict]:
        return list(self._pages(f"/orgs/{org}/repos", {"type": "all"}))

    def open_pulls(self, repo: str) -> list[dict]:
        return list(self._pages(f"/repos/{repo}/pulls", {"state": "open"}))

    def statuses(self, repo: str, sha: str) -> list[dict]:
        """Every status of the commit, newest first (GitHub's order)."""
        return list(self._pages(f"/repos/{repo}/commits/{sha}/statuses", {}))

    def issue_comments(self, repo: str, number: int) -> list[dict]:
        return list(self._pages(f"/repos/{repo}/issues/{number}/comments", {}))

    def tarball(self, repo: str, ref: str, max_bytes: int) -> bytes:
        """The repository at `ref` as a gzipped tar, refused past `max_bytes`. The API answers
        with a redirect to codeload, which httpx follows (the Authorization header is dropped
        on the way to another host, as it should be)."""
        path = f"/repos/{repo}/tarball/{ref}"
        chunks, size = [], 0
        try:
            with self._client.stream("GET", path) as response:
                if response.status_code >= 400:
                    response.read()
                    raise GitHubError("GET", path, response.status_code, _message(response))
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            "GET", path, response.status_code, f"archive larger than {max_bytes} bytes"
                        )
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise GitHubError("GET", path, 0, type(exc).__name__) from exc
        return b"".join(chunks)

    # --- writing -----------------------------------------------------------------------------

    def create_comment(self, repo: str, number: int, body: str) -> dict:
        return self._json("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})

    def update_comment(self, repo: str, comment_id: int, body: str) -> dict:
        return self._json("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body})

    def create_status(self, repo: str, sha: str, state: str, context: str, description: str) -> dict:
        return self._json(
            "POST",
            f"/repos/{repo}/statuses/{sha}",
            {"state": state, "context": context, "description": description},
        )

    # --- plumbing ----------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: dict | None = None, params: dict | None = None
    ) -> httpx.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = self._client.request(method, path, json=body, params=params)
            except httpx.HTTPError as exc:
                raise GitHubError(method, path, 0, type(exc).__name__) from exc
            wait = _rate_limit_wait(response)
            if wait is None or attempt == RETRIES or wait > MAX_WAIT:
                break
            self._sleep(wait)
        if response.status_code >= 400:
            raise GitHubError(method, path, response.status_code, _message(response))
        return response

    def _json(self, method: str, path: str, body: dict | None = None):
        return self._request(method, path, body).json()

    def _pages(self, path: str, params: dict) -> Iterator[dict]:
        url: str | None = path
        query: dict | None = {**params, "per_page": 100}
        while url:
            response = self._request("GET", url, params=query)
            yield from response.json()
            match = _NEXT_LINK.search(response.headers.get("link", ""))
            url, query = (match.group(1), None) if match else (None, None)


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds GitHub asks us to wait, or None when the answer is not a rate limit."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return MAX_WAIT
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
    return None


def _message(response: httpx.Response) -> str:
    """GitHub's own `message`, cut short: enough to act on, never a page of HTML."""
    try:
        message = response.json().get("message", "")
    except ValueError:
        message = ""
    return str(message or response.reason_phrase)[:200]
