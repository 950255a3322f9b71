"""A reference receiver for the HTTP distribution backend: standard library only, state in memory.

It speaks the wire protocol described in ``rollout.distribution.http`` (signature and timestamp
checked on every request, batches staged then committed atomically, snapshots with the same
digest as the embedded edge) and can be told to misbehave, so the backend's retries, timeouts and
circuit breaker can be exercised against a real server::

    python -m rollout.distribution.http_receiver --port 8099 --secret s3cret

Fault injection (unsigned, so bind it to localhost only; for tests and local use, never production):
``POST /_control/faults {"mode": "fail"|"drop"|"drop_after"|"delay", "count": n, "status": 500,
"seconds": 2.0, "path": "<substring of the request path>"}``; ``DELETE /_control/faults``;
``GET /_control/stats``; ``POST /_control/reset``.
``fail`` answers ``status`` without doing anything; ``drop`` closes the connection without an
answer; ``drop_after`` does the work then closes without an answer (the client cannot know it
worked); ``delay`` waits ``seconds`` before doing the work (longer than the client's timeout = a
timeout).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from console.json_bounds import JsonLimitExceeded, JsonLimits, json_loads_bounded
from rollout.distribution.base import (
    ZERO_DIGEST,
    Assignment,
    Hold,
    PublishFingerprint,
    digest_hex,
    entry_hash,
    holds_applying,
    holds_sorted,
    request_signature,
    state_etag,
)

MAX_BODY = 64 * 1024 * 1024
# A batch is 5,000 assignments of a few dozen elements each; nothing the protocol sends nests deep.
BODY_LIMITS = JsonLimits(max_depth=32, max_elements=2_000_000, max_bytes=MAX_BODY)
_BATCH = re.compile(r"^/v1/tenants/([^/]+)/revisions/(\d+)/batches/(\d+)$")
_COMMIT = re.compile(r"^/v1/tenants/([^/]+)/revisions/(\d+)/commit$")
_SNAPSHOT = re.compile(r"^/v1/tenants/([^/]+)/snapshot$")
_HOLD = re.compile(r"^/v1/tenants/([^/]+)/holds/([^/]+)/([^/]+)$")
_HOST = re.compile(r"^/v1/tenants/([^/]+)/hosts/([^/]+)$")


@dataclass
class Fault:
    mode: str
    count: int = 1
    status: int = 500
    seconds: float = 0.0
    path: str = ""


@dataclass
class TenantState:
    revision: int = 0
    fingerprint: str = ""
    digest: str = ZERO_DIGEST
    hosts: dict[str, str] = field(default_factory=dict)
    holds: dict[str, Hold] = field(default_factory=dict)


class ReceiverState:
    """Everything the receiver knows; one lock, because handlers run on several threads."""

    def __init__(self, secret: str, max_skew: float) -> None:
        self.secret = secret
        self.max_skew = max_skew
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.reset()

    def reset(self) -> None:
        self.tenants: dict[str, TenantState] = {}
        self.stages: dict[tuple[str, int], dict[int, tuple[list[Assignment], list[str]]]] = {}
        self.idempotent: dict[str, tuple[str, int, bytes]] = {}
        self.faults: list[Fault] = []
        self.stats: Counter[str] = Counter()

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and fault.path in path:
                    fault.count -= 1
                    self.stats[f"fault_{fault.mode}"] += 1
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing --------------------------------------------------------------------------------
    def _send(self, status: int, payload: Any, content_type: str = "application/json") -> bytes:
        body = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout); nothing to do
        return body

    def _problem(self, status: int, detail: str) -> tuple[int, Any]:
        return status, {
            "type": "about:blank",
            "title": self.responses[status][0],
            "status": status,
            "detail": detail,
        }

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(*self._problem(413, "body too large"))
            return
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        if target.path.startswith("/_control/"):
            self._send(*self._control(method, target.path, body))
            return
        with state.lock:
            state.stats["requests"] += 1
        fault = state.take_fault(target.path)
        if fault is not None:
            if fault.mode == "drop":
                self.close_connection = True
                return
            if fault.mode == "fail":
                self._send(*self._problem(fault.status, "injected failure"))
                return
            if fault.mode == "delay":
                state.stop.wait(fault.seconds)
        problem = self._verify(body)
        if problem is not None:
            with state.lock:
                state.stats["rejected_signatures"] += 1
            self._send(*problem)
            return
        key = self.headers.get("Idempotency-Key")
        body_sha = hashlib.sha256(body).hexdigest()
        with state.lock:
            replay = state.idempotent.get(key) if key else None
            if replay is not None:
                state.stats["replays"] += 1
                if replay[0] != body_sha:
                    status, payload = self._problem(422, "Idempotency-Key reused with a different request")
                else:
                    status, payload = replay[1], json.loads(replay[2])
            else:
                status, payload = self._route(method, target.path, target.query, body)
                if key and 200 <= status < 300:
                    state.idempotent[key] = (body_sha, status, json.dumps(payload).encode("utf-8"))
        if fault is not None and fault.mode == "drop_after":
            self.close_connection = True
            return
        self._send(status, payload)

    def _verify(self, body: bytes) -> tuple[int, Any] | None:
        state = self.server.state
        timestamp = self.headers.get("X-Timestamp", "")
        signature = self.headers.get("X-Signature", "")
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            return self._problem(401, "missing or malformed X-Timestamp")
        if skew > state.max_skew:
            return self._problem(401, f"timestamp outside the allowed skew of {state.max_skew:.0f}s")
        expected = request_signature(state.secret, timestamp, body or self.path.encode("utf-8"))
        if not hmac.compare_digest(expected, signature):
            return self._problem(401, "bad signature")
        return None

    # --- the protocol ----------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        state = self.server.state
        try:
            payload = json_loads_bounded(body, BODY_LIMITS) if body else {}
        except JsonLimitExceeded as exc:
            return self._problem(400, str(exc))
        except ValueError:
            return self._problem(400, "body is not JSON")
        if (m := _BATCH.match(path)) and method == "POST":
            tenant, revision, number = unquote(m[1]), int(m[2]), int(m[3])
            if payload.get("tenant_id") != tenant or payload.get("revision") != revision:
                return self._problem(400, "tenant_id/revision in the body do not match the path")
            assignments = [Assignment.from_json(a) for a in payload.get("assignments", [])]
            removed = [str(h) for h in payload.get("removed", [])]
            state.stages.setdefault((tenant, revision), {})[number] = (assignments, removed)
            state.stats["batches"] += 1
            return 200, {"stored": number, "hosts": len(assignments)}
        if (m := _COMMIT.match(path)) and method == "POST":
            tenant, revision = unquote(m[1]), int(m[2])
            if payload.get("tenant_id") != tenant or payload.get("revision") != revision:
                return self._problem(400, "tenant_id/revision in the body do not match the path")
            return self._commit(tenant, revision, payload)
        if (m := _SNAPSHOT.match(path)) and method == "GET":
            t = state.tenants.get(unquote(m[1]), TenantState())
            return 200, {
                "revision": t.revision,
                "digest": t.digest,
                "host_count": len(t.hosts),
                "fingerprint": t.fingerprint,
                "holds": [h.to_json() for h in holds_sorted(t.holds.values())],
            }
        if (m := _HOLD.match(path)) and method in ("PUT", "DELETE"):
            tenant, scope, key = unquote(m[1]), unquote(m[2]), unquote(m[3])
            t = state.tenants.setdefault(tenant, TenantState())
            if method == "DELETE":
                t.holds.pop(f"{scope}:{key}", None)
                return 200, {"cleared": f"{scope}:{key}"}
            try:
                hold = Hold.from_json(payload)
            except (KeyError, ValueError) as exc:
                return self._problem(400, f"bad hold: {exc}")
            if (hold.scope, hold.key) != (scope, key) or payload.get("tenant_id") != tenant:
                return self._problem(400, "hold in the body does not match the path")
            t.holds[hold.field_name] = hold
            return 200, hold.to_json()
        if (m := _HOST.match(path)) and method == "GET":
            t = state.tenants.get(unquote(m[1]), TenantState())
            host_id = unquote(m[2])
            encoded = t.hosts.get(host_id)
            if encoded is None:
                return self._problem(404, "no such host")
            at = parse_qs(query).get("at")
            now = datetime.fromisoformat(at[0]) if at else datetime.now(UTC)
            assignment = Assignment.decode(host_id, encoded)
            holds = holds_applying(assignment, t.holds.values(), now)
            return 200, {
                "assignment": assignment.to_json(),
                "holds": [h.to_json() for h in holds],
                "etag": state_etag(t.revision, encoded, holds),
                "revision": t.revision,
            }
        return self._problem(404, f"no route for {method} {path}")

    def _commit(self, tenant: str, revision: int, payload: dict[str, Any]) -> tuple[int, Any]:
        state = self.server.state
        t = state.tenants.setdefault(tenant, TenantState())
        fp = PublishFingerprint(full=bool(payload.get("full")))

        def answer(outcome: str, published: int) -> tuple[int, Any]:
            return 200, {
                "outcome": outcome,
                "revision": t.revision,
                "digest": t.digest,
                "host_count": len(t.hosts),
                "published_hosts": published,
            }

        if revision < t.revision:
            return answer("stale", 0)
        if revision == t.revision:
            if payload.get("fingerprint") == t.fingerprint:
                return answer("duplicate", 0)
            return self._problem(409, f"revision {revision} was already published with other content")
        slots = state.stages.get((tenant, revision), {})
        count = int(payload.get("batches", 0))
        missing = [n for n in range(count) if n not in slots]
        if missing:
            return self._problem(400, f"batches {missing[:10]} were never received")
        hosts = {} if fp.full else dict(t.hosts)
        seen: set[str] = set()
        written = 0
        for n in range(count):
            assignments, removed = slots[n]
            for a in assignments:
                if a.host_id in seen:
                    return self._problem(400, f"host {a.host_id} appears twice")
                seen.add(a.host_id)
                encoded = a.encode()
                fp.add(a.host_id, encoded)
                hosts[a.host_id] = encoded
                written += 1
            for host_id in removed:
                fp.remove(host_id)
                hosts.pop(host_id, None)
        if fp.hexdigest() != payload.get("fingerprint"):
            return self._problem(400, "the batches received do not match the fingerprint")
        t.hosts = hosts
        t.revision = revision
        t.fingerprint = fp.hexdigest()
        t.digest = digest_hex(sum(entry_hash(h, e) for h, e in hosts.items()))
        for stage in [k for k in state.stages if k[0] == tenant and k[1] <= revision]:
            del state.stages[stage]
        state.stats["commits"] += 1
        return answer("published", written)

    # --- control ---------------------------------------------------------------------------------
    def _control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        state = self.server.state
        with state.lock:
            if path == "/_control/faults" and method == "POST":
                data = json_loads_bounded(body or b"{}", BODY_LIMITS)
                state.faults.append(
                    Fault(
                        mode=str(data["mode"]),
                        count=int(data.get("count", 1)),
                        status=int(data.get("status", 500)),
                        seconds=float(data.get("seconds", 0.0)),
                        path=str(data.get("path", "")),
                    )
                )
                return 200, {"faults": len(state.faults)}
            if path == "/_control/faults" and method == "DELETE":
                state.faults.clear()
                return 200, {"faults": 0}
            if path == "/_control/reset" and method == "POST":
                state.reset()
                return 200, {"reset": True}
            if path == "/_control/stats" and method == "GET":
                return 200, {
                    **state.stats,
                    "tenants": {
                        k: {"revision": t.revision, "host_count": len(t.hosts), "holds": sorted(t.holds)}
                        for k, t in state.tenants.items()
                    },
                }
        return self._problem(404, "unknown control endpoint")


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], secret: str, max_skew: float = 300.0) -> None:
        super().__init__(address, _Handler)
        self.state = ReceiverState(secret, max_skew)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReceiverServer:
        """Serves on a background thread (tests, local tools); ``close()`` stops it."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="http-receiver", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self.state.stop.set()
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReceiverServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(secret: str, host: str = "127.0.0.1", port: int = 0, *, max_skew: float = 300.0) -> ReceiverServer:
    """A started receiver on ``host:port`` (0 = any free port); read its address from ``.url``."""
    return ReceiverServer((host, port), secret, max_skew).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reference receiver for the HTTP distribution backend")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--max-skew", type=float, default=300.0)
    args = parser.parse_args(argv)
    server = ReceiverServer((args.host, args.port), args.secret, args.max_skew)
    print(f"listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
