"""The sensor-facing edge API of the embedded distribution backend (the hot path sensors poll).

Plain Django, no DRF and no ORM: one Redis read to verify the host's credential (cached) and one
round trip for its published state. ``GET /edge/v1/desired-state`` answers::

    {"host_id", "revision", "sensor_build", "content": {category: version},
     "holds": [{"scope", "key", "reason", "until"[, "exempt"][, "leave"]}], "paused": bool,
     "frozen": {"sensor_build": bool, "content": ["*"] | [category, ...]},
     "fallback": null | {"sensor_build", "content": {category: version}, "rule": {"failed_boots", "within_s"}}}

Hold semantics for sensors: ``sensor_build`` / ``content`` are the published desired state and
are sent even while held. When ``paused`` is true the sensor must not take any version it does
not already run for what ``frozen`` names (``"*"`` = every category; ``sensor_build`` = its own
build): it keeps what it has, until a later poll no longer lists the hold. Versions that are not
frozen may still be followed. A tenant or group hold may carry ``"exempt": {category: time}`` (a
system-critical category it stops holding at its pause cap); from that time on the host is served
the narrowed holds instead (its sensor build and each other category), so ``frozen`` follows. A
rollback's or recall's stop hold may carry ``"leave": [version, ...]``: the subject stays frozen, but
a host that runs (or crash-loops on) one of those versions loads its known-good one at once (the
fallback it kept with the change, else ``fallback`` below) and never asks for it again while the
hold stands. The ETag covers the revision, the host's entry and the holds that
apply to it, so a poll with ``If-None-Match`` costs a 304 until one of those changes.

Admission control: routine polls are bounded per web process and answered ``503`` +
``Retry-After`` beyond the bound; hosts that send ``X-Sensor-State: boot_loop | crashed |
recovering`` are always admitted (``rollout.distribution.admission``).

``fallback`` names the last known-good version per subject and the rule for reverting to it without
the console (``rollout.distribution.base.fallback_document``); a sensor keeps the one it received
with the change, so it can recover even when the edge cannot be reached.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from console.errors import json_problem
from rollout.distribution.admission import ADMISSION, is_recovering
from rollout.distribution.credentials import edge_credential_verify
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.distribution.served import holds_served_mark


def _host_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "host":
        return None
    host_id, sep, secret = value.strip().partition(":")
    if not sep or not host_id or not secret:
        return None
    # Host ids are sensor agent UUIDs, published in their canonical lower-case form.
    return host_id.lower(), secret


def _unauthorized(request: HttpRequest, detail: str) -> JsonResponse:
    response = json_problem(request, 401, "Unauthorized", detail)
    response["WWW-Authenticate"] = 'Host realm="edge"'
    return response


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


@csrf_exempt
@never_cache
async def desired_state_admitted(request: HttpRequest) -> HttpResponseBase:
    """``desired_state`` behind admission control (``rollout.distribution.admission``): counted on
    the event loop, before the request queues for the sync thread, so the bound is real."""
    if is_recovering(request.headers.get("X-Sensor-State", "")):
        return await sync_to_async(desired_state)(request)
    if not ADMISSION.try_enter():
        response = json_problem(
            request,
            503,
            "Edge busy",
            "Too many routine polls right now; keep what you run and ask again after Retry-After.",
        )
        response["Retry-After"] = str(ADMISSION.retry_after())
        return response
    try:
        return await sync_to_async(desired_state)(request)
    finally:
        ADMISSION.leave()


@csrf_exempt  # header-authenticated machines, no cookies: nothing for CSRF to protect
@never_cache
def desired_state(request: HttpRequest) -> HttpResponseBase:
    """What the calling host may run now, and the holds that keep it where it is."""
    if request.method not in ("GET", "HEAD"):
        response = json_problem(request, 405, "Method not allowed", f"{request.method} is not allowed here.")
        response["Allow"] = "GET, HEAD"
        return response
    if getattr(settings, "DISTRIBUTION_BACKEND", "edge") != "edge":
        return json_problem(
            request,
            404,
            "Not found",
            "This console does not serve desired state; sensors use the vendor backend.",
        )
    credentials = _host_credentials(request)
    if credentials is None:
        return _unauthorized(request, "Send 'Authorization: Host <host_id>:<secret>'.")
    host_id, secret = credentials
    tenant_id = edge_credential_verify(host_id, secret)
    if tenant_id is None:
        return _unauthorized(request, "Unknown host or wrong secret.")
    state = EmbeddedEdgeBackend().host_state(tenant_id, host_id)
    if state is None:
        return json_problem(
            request, 404, "Not found", "No desired state has been published for this host yet."
        )
    etag = f'"{state.etag}"'
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        return not_modified
    holds_served_mark(tenant_id, state.holds)  # the stop timeline's "edge served" stage
    response = JsonResponse(state.to_json())
    response["ETag"] = etag
    return response
