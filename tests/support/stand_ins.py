"""Local stand-ins for the key tests: an in-memory keyring backend, a web site where an API should be, a closed
port, and a key to plant."""

from __future__ import annotations

import http.server
import json
import socket
import threading

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

PLANTED_KEY = "sk-planted-7Q2xVb9LmN4pR8sT1uW6yZ3a"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its entries in a dict; what a test hands KeyStore instead of the OS's."""

    priority = 0.5  # never chosen by keyring itself: tests hand it in

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("No such password!") from None


class LocalSite:
    """A real HTTP server on 127.0.0.1 whose answers come from `answer(method, target, headers)`, which returns
    (status, content type, body). It records each request's target (path and query) and headers."""

    def __init__(self, answer) -> None:
        self.targets: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []  # each request's body, so `answer` may look at the latest
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                site.targets.append(self.path)
                site.headers.append(headers)
                length = int(headers.get("content-length") or 0)
                site.bodies.append(self.rfile.read(length) if length else b"")
                status, content_type, body = answer(self.command, self.path, headers)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        self._server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-site", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def html_site() -> LocalSite:
    """A web page at every address, as a wrong base URL would give."""
    page = b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
    return LocalSite(lambda method, target, headers: (200, "text/html", page))


def tattle_site() -> LocalSite:
    """An OpenAI-like server that lists models but refuses every chat call with an error quoting the key it got."""

    def answer(method, target, headers):
        if target.startswith("/v1/models"):
            listing = {"object": "list", "data": [{"id": "m1", "object": "model", "created": 0, "owned_by": "x"}]}
            return 200, "application/json", json.dumps(listing).encode()
        quoted = headers.get("authorization", "")
        error = {"message": f"Bad request from {quoted}; key {quoted.removeprefix('Bearer ')} is not allowed here",
                 "type": "invalid_request_error", "param": None, "code": None}  # fmt: skip
        return 400, "application/json", json.dumps({"error": error}).encode()

    return LocalSite(answer)


def grader_tattle_site() -> LocalSite:
    """An OpenAI-like server that answers chat calls, except a grader's (a rubric in the prompt), which it refuses
    with an error body quoting the key it got, as some providers' 400 and 401 bodies do."""
    site: LocalSite

    def answer(method, target, headers):
        body = site.bodies[-1]
        if b"<Rubric>" in body:
            key = headers.get("authorization", "").removeprefix("Bearer ")
            error = {"message": f"Invalid API key: {key} is not valid for grading", "type": "invalid_request_error",
                     "param": None, "code": None}  # fmt: skip
            return 400, "application/json", json.dumps({"error": error}).encode()
        completion = {
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "m1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "An answer."},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }  # fmt: skip
        return 200, "application/json", json.dumps(completion).encode()

    site = LocalSite(answer)
    return site


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
