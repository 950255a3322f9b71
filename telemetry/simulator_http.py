"""The simulated fleet's HTTP client: a few keep-alive HTTP/1.1 connections shared by every host.

A real sensor opens its own connection; the simulator stands in for 100,000 of them from one
process, so per-request client overhead decides how large a fleet it can drive. A general client
(httpx) costs about a millisecond of CPU per request and its pool degrades with thousands of queued
requests; this one does only what the console's endpoints need (JSON or empty bodies,
``Content-Length`` or chunked responses, keep-alive) for a few tens of microseconds per request.
Callers wait for a free connection in FIFO order; at most ``size`` requests are on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """No answer: refused, reset, timed out or not HTTP. The request may be retried."""


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict[str, str]  # lower-case names
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpPool:
    """Up to ``size`` persistent connections to one ``http://host:port`` origin."""

    def __init__(self, url: str, *, size: int = 32, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the simulator speaks plain http to one origin, not {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.authority = parts.netloc.encode()
        self.timeout = timeout
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(size)

    async def close(self) -> None:
        while self.idle:
            _, writer = self.idle.pop()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers)

    async def post_json(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Response:
        payload = json.dumps(body, separators=(",", ":")).encode()
        return await self.request(
            "POST", path, {**(headers or {}), "Content-Type": "application/json"}, payload
        )

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.authority]
        head += [f"{name}: {value}".encode() for name, value in (headers or {}).items()]
        if body or method == "POST":
            head.append(b"Content-Length: %d" % len(body))
        wire = b"\r\n".join(head) + b"\r\n\r\n" + body
        async with self.slots:
            # A kept-alive connection the server closed meanwhile fails at once: one fresh retry.
            for fresh in (False, True):
                conn = self.idle.pop() if self.idle and not fresh else None
                try:
                    async with asyncio.timeout(self.timeout):
                        if conn is None:
                            conn = await asyncio.open_connection(self.host, self.port)
                        conn[1].write(wire)
                        response, keep = await _read_response(conn[0], method)
                except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError) as exc:
                    if conn is not None:
                        conn[1].close()
                    if fresh or isinstance(exc, TimeoutError):
                        raise HttpError(f"{method} {path}: {type(exc).__name__} {exc}") from exc
                    continue
                if keep:
                    self.idle.append(conn)
                else:
                    conn[1].close()
                return response
        raise AssertionError("unreachable")  # pragma: no cover


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[Response, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x response: {lines[0][:40]!r}")
    status = int(rest[:3])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        content = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers from our server
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        content = b"".join(parts)
    elif "content-length" in headers:
        content = await reader.readexactly(int(headers["content-length"]))
    else:
        content, keep = await reader.read(), False
    return Response(status, headers, content), keep
