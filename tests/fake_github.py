"""A fake GitHub REST API on 127.0.0.1, for the classroom grader's end-to-end tests.

A real HTTP server (http.server in a thread) answering the calls autograder/doors/github.py makes
with responses shaped as GitHub's (the fields we read, nested as GitHub nests them): paginated
lists with `Link` headers (pages capped small so pagination is exercised), the tarball as a
redirect to a gzipped tar with GitHub's top folder, comments, statuses. It keeps state, so a
test reads afterwards which comments and statuses exist, and every request made.

Tokens have a login and a right: a read token gets 403 on any write, as a least-privilege
App token would, which proves a phase that must only read never writes.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tarfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Link:
    """A tree entry that is a link: symbolic (`hard=False`) or hard, to `target`."""

    target: str
    hard: bool = False


@dataclass
class Pull:
    number: int
    head_sha: str
    files: dict  # path -> bytes | Link: the repository at the head commit
    title: str = "my submission"
    author: str = ""


@dataclass
class Repo:
    full_name: str
    pulls: list[Pull] = field(default_factory=list)


@dataclass(frozen=True)
class Token:
    login: str
    write: bool
    user_endpoint: bool = True  # an App installation token cannot call GET /user


class FakeGitHub:
    PAGE = 2  # GitHub caps per_page at 100; a small cap here makes every list paginate

    def __init__(self):
        self.repos: dict[str, Repo] = {}
        self.comments: dict[tuple[str, int], list[dict]] = {}
        self.statuses: dict[tuple[str, str], list[dict]] = {}  # newest first, as GitHub lists
        self.tokens: dict[str, Token] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, path, login)
        self.limited: list[dict] = []  # headers of rate-limit answers to give, one per write
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- setting the scene -------------------------------------------------------------------

    def add_repo(self, full_name: str, *pulls: Pull) -> Repo:
        self.repos[full_name] = Repo(full_name, list(pulls))
        for pull in pulls:
            self.comments.setdefault((full_name, pull.number), [])
        return self.repos[full_name]

    def add_comment(self, repo: str, number: int, login: str, body: str) -> dict:
        comment = {"id": next(self._ids), "user": {"login": login, "type": "User"}, "body": body}
        self.comments.setdefault((repo, number), []).append(comment)
        return comment

    def add_status(self, repo: str, sha: str, login: str, **status) -> None:
        self.statuses.setdefault((repo, sha), []).insert(0, {**status, "creator": {"login": login}})

    # --- reading the outcome -----------------------------------------------------------------

    def comments_by(self, repo: str, number: int, login: str) -> list[dict]:
        return [c for c in self.comments.get((repo, number), []) if c["user"]["login"] == login]

    def statuses_by(self, repo: str, sha: str, login: str) -> list[dict]:
        return [s for s in self.statuses.get((repo, sha), []) if s["creator"]["login"] == login]

    def writes(self) -> list[tuple[str, str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    # --- answering ---------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, token: Token | None, body) -> tuple:
        """(status, headers, payload): payload is JSON-able or bytes."""
        if token is None:
            return 401, {}, {"message": "Bad credentials"}
        if method != "GET" and not token.write:
            return 403, {}, {"message": "Resource not accessible by integration"}
        if method != "GET" and self.limited:
            return 403, self.limited.pop(0), {"message": "You have exceeded a secondary rate limit."}
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and handler[0] == method:
                return handler[1](token, query, body, *match.groups())
        return 404, {}, {"message": "Not Found"}

    def _routes(self):
        repo = r"/repos/([^/]+/[^/]+)"
        return [
            (r"/user", ("GET", self._user)),
            (r"/orgs/([^/]+)/repos", ("GET", self._org_repos)),
            (repo + r"/pulls", ("GET", self._pulls)),
            (repo + r"/commits/([0-9a-f]{40})/statuses", ("GET", self._statuses)),
            (repo + r"/tarball/([0-9a-f]{40})", ("GET", self._tarball_redirect)),
            (r"/codeload" + repo[6:] + r"/legacy\.tar\.gz/([0-9a-f]{40})", ("GET", self._tarball)),
            (repo + r"/issues/(\d+)/comments", ("GET", self._comments)),
            (repo + r"/issues/(\d+)/comments", ("POST", self._create_comment)),
            (repo + r"/issues/comments/(\d+)", ("PATCH", self._update_comment)),
            (repo + r"/statuses/([0-9a-f]{40})", ("POST", self._create_status)),
        ]

    def _user(self, token, query, body):
        if not token.user_endpoint:
            return 403, {}, {"message": "Resource not accessible by integration"}
        return 200, {}, {"login": token.login}

    def _page(self, items: list, query: dict, path: str):
        page = int(query.get("page", ["1"])[0])
        start = (page - 1) * self.PAGE
        headers = {}
        if start + self.PAGE < len(items):
            headers["Link"] = f'<{self.url}{path}?page={page + 1}>; rel="next"'
        return 200, headers, items[start : start + self.PAGE]

    def _org_repos(self, token, query, body, org):
        items = [
            {"name": name.split("/")[1], "full_name": name, "private": True}
            for name in sorted(self.repos)
            if name.startswith(org + "/")
        ]
        return self._page(items, query, f"/orgs/{org}/repos")

    def _pulls(self, token, query, body, repo):
        if repo not in self.repos:
            return 404, {}, {"message": "Not Found"}
        items = [
            {
                "number": p.number,
                "state": "open",
                "title": p.title,
                "user": {"login": p.author or repo.split("-", 1)[-1]},
                "head": {"sha": p.head_sha, "ref": "work", "repo": {"full_name": repo}},
                "base": {"ref": "main", "repo": {"full_name": repo}},
            }
            for p in self.repos[repo].pulls
        ]
        return self._page(items, query, f"/repos/{repo}/pulls")

    def _statuses(self, token, query, body, repo, sha):
        return self._page(self.statuses.get((repo, sha), []), query, f"/repos/{repo}/commits/{sha}/statuses")

    def _tarball_redirect(self, token, query, body, repo, sha):
        return 302, {"Location": f"{self.url}/codeload/{repo}/legacy.tar.gz/{sha}"}, b""

    def _tarball(self, token, query, body, repo, sha):
        pull = next((p for p in self.repos[repo].pulls if p.head_sha == sha), None)
        if pull is None:
            return 404, {}, {"message": "Not Found"}
        return 200, {"Content-Type": "application/x-gzip"}, tarball(repo, sha, pull.files)

    def _comments(self, token, query, body, repo, number):
        return self._page(
            self.comments.get((repo, int(number)), []), query, f"/repos/{repo}/issues/{number}/comments"
        )

    def _create_comment(self, token, query, body, repo, number):
        comment = self.add_comment(repo, int(number), token.login, body["body"])
        return 201, {}, comment

    def _update_comment(self, token, query, body, repo, comment_id):
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == int(comment_id):
                    if comment["user"]["login"] != token.login:
                        return 403, {}, {"message": "not yours"}
                    comment["body"] = body["body"]
                    return 200, {}, comment
        return 404, {}, {"message": "Not Found"}

    def _create_status(self, token, query, body, repo, sha):
        assert len(body["description"]) <= 140, body
        self.add_status(
            repo,
            sha,
            token.login,
            state=body["state"],
            context=body["context"],
            description=body["description"],
        )
        return 201, {}, self.statuses[(repo, sha)][0]


def tarball(repo: str, sha: str, files: dict) -> bytes:
    """GitHub's archive layout: everything under `<owner>-<repo>-<sha7>/`."""
    top = f"{repo.replace('/', '-')}-{sha[:7]}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        folder = tarfile.TarInfo(top)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for path, content in files.items():
            info = tarfile.TarInfo(f"{top}/{path}")
            if isinstance(content, Link):
                info.type = tarfile.LNKTYPE if content.hard else tarfile.SYMTYPE
                info.linkname = f"{top}/{content.target}" if content.hard else content.target
                tar.addfile(info)
            else:
                info.size, info.mode = len(content), 0o644
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _handler(fake: FakeGitHub):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str):
            split = urlsplit(self.path)
            auth = self.headers.get("Authorization", "")
            token = fake.tokens.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            with fake._lock:
                fake.requests.append((method, split.path, token.login if token else ""))
                status, headers, payload = fake.answer(method, split.path, parse_qs(split.query), token, body)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if not isinstance(payload, bytes):
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PATCH(self):
            self._serve("PATCH")

        def log_message(self, *args):  # quiet: pytest shows failures, not every request
            pass

    return Handler
