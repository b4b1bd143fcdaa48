"""HTTP/1.1 over asyncio streams: read one request, write one response, keep the connection alive.

Written by hand rather than with a framework because the server's job is to control the wire exactly (cut a body
short, send a malformed one, stream chunk by chunk) and to stay fast under thousands of pooled requests. Only what
the openai client and http.client send is understood: requests with a Content-Length body or none.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

MAX_HEAD_BYTES = 1 << 20
_connection_ids = itertools.count(1)


class BadRequest(Exception):
    """The bytes on the wire are not an HTTP request this server understands."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    target: str
    path: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


@dataclass
class Connection:
    """One client connection: its streams plus a byte read ahead while watching for a disconnect."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    id: int = field(default_factory=lambda: next(_connection_ids))
    read_ahead: bytes = b""

    async def read_request(self) -> Request | None:
        """The next request, or None when the client closed the connection between requests."""
        try:
            head = self.read_ahead + await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not (self.read_ahead + error.partial).strip():
                return None
            raise BadRequest(400, "the connection closed in the middle of a request head") from None
        except asyncio.LimitOverrunError:
            raise BadRequest(431, "request head too large") from None
        self.read_ahead = b""
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ")
        except ValueError:
            raise BadRequest(400, f"malformed request line {lines[0]!r}") from None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise BadRequest(400, f"malformed header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise BadRequest(411, "chunked request bodies are not supported; send a Content-Length")
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise BadRequest(400, "Content-Length is not a number") from None
        try:
            body = await self.reader.readexactly(length) if length else b""
        except asyncio.IncompleteReadError:
            raise BadRequest(400, "the connection closed in the middle of a request body") from None
        return Request(method, target, target.split("?", 1)[0], version, headers, body)

    async def client_stays(self, seconds: float) -> bool:
        """Wait `seconds`; False as soon as the client disconnects (so a hang or latency ends early).

        Watching for the disconnect means reading, so a byte of a pipelined next request may arrive here; it is
        kept in read_ahead for read_request.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            if self.read_ahead:
                await asyncio.sleep(left)
                return True
            try:
                data = await asyncio.wait_for(self.reader.read(1), left)
            except TimeoutError:
                return True
            if not data:
                return False
            self.read_ahead += data
        return True

    def write_head(self, status: int, headers: dict[str, str]) -> None:
        reason = reason_phrase(status)
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def send(self, status: int, headers: dict[str, str], body: bytes, keep_alive: bool = True) -> None:
        """A whole response with a Content-Length."""
        headers = {**headers, "content-length": str(len(body))}
        if not keep_alive:
            headers["connection"] = "close"
        self.write_head(status, headers)
        self.writer.write(body)
        await self.writer.drain()

    async def send_json(self, status: int, headers: dict[str, str], payload: Any, keep_alive: bool = True) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        await self.send(status, {"content-type": "application/json", **headers}, body, keep_alive)

    def start_chunked(self, status: int, headers: dict[str, str]) -> None:
        self.write_head(status, {**headers, "transfer-encoding": "chunked"})

    def write_chunk(self, data: bytes) -> None:
        if data:
            self.writer.write(b"%x\r\n%s\r\n" % (len(data), data))

    async def end_chunked(self) -> None:
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()

    async def close(self) -> None:
        """Close the socket and wait until the transport is really gone (no unclosed-transport warning later).

        The last step of a connection's handler, so a cancellation (stop()) arriving here just ends the wait.
        """
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
