"""Safe retries: ``Idempotency-Key`` on every API ``POST`` (creates and actions).

The first request with a key runs; its 2xx response (status, body, ``Content-Type``, ``Location``,
``ETag``) is kept in Redis for ``IDEMPOTENCY_TTL_SECONDS`` (24 h) with a fingerprint of the request
(method, path with query, body). A later request with the same key:

- same fingerprint, first one finished: the stored response again, with ``Idempotent-Replayed: true``;
- different fingerprint: 422 problem (the key was reused for another request);
- first one still running: 409 problem (retry after it finishes), never a second object.

A response that is not 2xx is not kept: the client may correct the request and retry with the same
key. Keys are scoped per credential and tenant: the SHA-256 of the ``Authorization`` header (a
token belongs to one tenant), else the session and its current tenant. A request with neither
(anonymous enrolment, sign-in) is not deduplicated. This is a middleware (after authentication and
sessions) so that every DRF view is covered without each opting in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from console.access import SESSION_TENANT_KEY
from console.errors import PROBLEM_CONTENT_TYPE, problem
from console.redis import redis_client

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
KEPT_HEADERS: Final = ("Content-Type", "Location", "ETag")
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
_RUNNING: Final = "running"


def _problem(request: HttpRequest, status: int, title: str, detail: str) -> JsonResponse:
    body = problem(status, title, detail, instance=request.path, errors={HEADER: [detail]})
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def idempotency_scope(request: HttpRequest) -> str | None:
    """Who the key belongs to: the credential (and tenant), or ``None`` for an anonymous caller."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode("utf-8", "surrogateescape")).hexdigest()
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is not None and session.session_key and user is not None and user.is_authenticated:
        tenant = session.get(SESSION_TENANT_KEY, "")
        raw = f"{session.session_key}:{user.pk}:{tenant}"
        return "session:" + hashlib.sha256(raw.encode()).hexdigest()
    return None


def request_fingerprint(request: HttpRequest, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), body):
        chunk = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(chunk).to_bytes(8, "big"))
        digest.update(chunk)
    return digest.hexdigest()


def _stored(response: HttpResponse, fingerprint: str) -> str:
    return json.dumps(
        {
            "fingerprint": fingerprint,
            "status": response.status_code,
            "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
            "body": base64.b64encode(response.content).decode("ascii"),
        }
    )


def _replay(record: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(base64.b64decode(record["body"]), status=int(record["status"]))
    for name, value in record["headers"].items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyKeyMiddleware:
    """Replays, refuses or runs an API ``POST`` carrying ``Idempotency-Key`` (see the module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        raw_key = request.headers.get(HEADER)
        if raw_key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        # RFC draft: an sf-string ("..."); the bare token most clients send is accepted too.
        key = raw_key.strip()
        if len(key) >= 2 and key[0] == key[-1] == '"':
            key = key[1:-1]
        if not _KEY_RE.match(key):
            return _problem(
                request, 400, "Invalid input", f"{HEADER} is 1 to 255 printable ASCII characters."
            )
        scope = idempotency_scope(request)
        if scope is None:
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return self.get_response(request)  # the view answers the size problem
        fingerprint = request_fingerprint(request, body)
        store = redis_client()
        slot = f"console:idempotency:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
        running = json.dumps({"fingerprint": fingerprint, "status": _RUNNING})
        for _ in range(2):  # a second round only if the record expired between SET and GET
            if store.set(slot, running, nx=True, ex=settings.IDEMPOTENCY_LOCK_SECONDS):
                return self._run(request, store, slot, fingerprint)
            existing = store.get(slot)
            if existing is None:
                continue
            record = json.loads(existing)
            if record["fingerprint"] != fingerprint:
                return _problem(
                    request,
                    422,
                    "Idempotency key reused",
                    f"This {HEADER} was used for a different request; use a new key for a new request.",
                )
            if record["status"] == _RUNNING:
                conflict = _problem(
                    request,
                    409,
                    "Request in progress",
                    f"A request with this {HEADER} is still running; retry when it has finished.",
                )
                conflict["Retry-After"] = "1"
                return conflict
            return _replay(record)
        return self.get_response(request)

    def _run(self, request: HttpRequest, store: Any, slot: str, fingerprint: str) -> HttpResponseBase:
        try:
            response = self.get_response(request)
        except BaseException:
            store.delete(slot)
            raise
        if isinstance(response, HttpResponse) and 200 <= response.status_code < 300:
            store.set(slot, _stored(response, fingerprint), ex=settings.IDEMPOTENCY_TTL_SECONDS)
        else:
            store.delete(slot)  # not kept: the client may correct the request and reuse the key
        return response
