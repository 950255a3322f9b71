"""Distribution sync status per tenant, "resync now", and a host's stored desired state (API)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from console.models import Tenant
from console.scoping import OPERATE, READ, TenantAPIView
from rollout.desired.holds import holds_expected
from rollout.desired.publish import assignment_of
from rollout.desired.status import sync_resync, sync_status_for
from rollout.distribution.base import Hold, fallback_document
from rollout.models import DesiredState, TenantRevision
from rollout.resolver import Decision, Resolution
from rollout.selectors.state import host_explain
from telemetry.models import Host


class SyncStatusView(TenantAPIView):
    """Desired, published and acknowledged revision, lag, last error and circuit state."""

    queryset = TenantRevision.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["distribution"],
        description=(
            "`desired_revision`, `published_revision`, `acknowledged_revision`, `lag_revisions`,"
            " `lag_seconds`, `in_sync`, `pending_changes`, `last_error`, `circuit_state`; `failing`"
            " is true from the `sync.failing` notification of an outage until the next successful"
            " publish (`sync.recovered`), with `failing_since` and `failed_attempts`."
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(sync_status_for(self.tenant))


class SyncResyncView(TenantAPIView):
    """Publishes the tenant's whole desired state again under a new revision and re-checks holds."""

    queryset = TenantRevision.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, tags=["distribution"])
    def post(self, request: Request) -> Response:
        return Response(sync_resync(tenant=self.tenant, actor=self.ctx.actor), status=202)


class HostDesiredView(TenantAPIView):
    """What the host may run now and the rule that decided each subject, as last computed."""

    queryset = DesiredState.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    lookup_field = "host_id"
    lookup_url_kwarg = "pk"

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["distribution"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(host_desired(self.tenant, self.get_object()))


def host_desired(tenant: Tenant, row: DesiredState) -> dict[str, Any]:
    """Why a host is on what it is on, from the stored desired state (no resolver run)."""
    return {
        "host_id": str(row.host_id),
        "revision": row.revision,
        "target_revision": row.target_revision,
        "sensor_build": row.sensor_build or None,
        "content": dict(row.content or {}),
        "groups": list(row.groups or ()),
        "rules": {
            subject: {"rule": value[0], "policy_id": value[1] or None}
            for subject, value in sorted((row.rules or {}).items())
        },
        "paused": [h.to_json() for h in holds_expected(str(tenant.pk)).values() if _covers(h, row)],
        "fallback": fallback_document(row.fallback or {}),
        "changed_at": row.changed_at.isoformat(),
    }


def _covers(hold: Hold, row: DesiredState) -> bool:
    return hold.covers(
        assignment_of(row.host_id, row.platform, row.groups, row.sensor_build, row.content, row.rules)
    )


def decision_out(decision: Decision) -> dict[str, Any]:
    return {
        "subject": decision.subject,
        "current": decision.current,
        "target": decision.target,
        "desired": decision.desired,
        "rule": decision.rule,
        "reason": decision.reason,
        "policy": {"id": decision.policy_id, "name": decision.policy_name} if decision.policy_id else None,
        "group": {"id": decision.group_id, "name": decision.group_name} if decision.group_id else None,
        "pause_id": decision.pause_id,
        "freeze_id": decision.freeze_id,
        "window_id": decision.window_id,
    }


def resolution_out(resolution: Resolution) -> dict[str, Any]:
    return {
        "host_id": resolution.host_id,
        "at": resolution.at.isoformat(),
        "sensor": decision_out(resolution.sensor),
        "content": {key: decision_out(d) for key, d in resolution.content.items()},
        "fallback": fallback_document(resolution.fallback),
    }


def desired_agreement(resolution: Resolution, row: DesiredState | None) -> dict[str, Any]:
    """Whether the stored desired state (what the edge serves) says what explain says now: it does
    unless a change has not been recomputed yet. A pause is a hold on the stored state, so a paused
    subject is compared on nothing (the edge keeps the host where it is, as explain says). The
    fallback is compared whole (``"fallback"`` in ``differs``): explain's is the stored one's
    computation (``rv.resolve_with_fallback``), pauses or not."""
    if row is None:
        return {"revision": None, "agrees": False, "differs": []}
    stored = {"sensor": row.sensor_build or None, **dict(row.content or {})}
    differs = [
        d.subject
        for d in (resolution.sensor, *resolution.content.values())
        if d.rule != "pause" and stored.get(d.subject) != d.target
    ]
    if dict(row.fallback or {}) != dict(resolution.fallback):
        differs.append("fallback")
    return {"revision": row.revision, "agrees": not differs, "differs": sorted(differs)}


class HostExplainView(TenantAPIView):
    """Why is this host on X: the resolver's answer with the deciding policy, group and rule."""

    queryset = Host.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["hosts"],
        description=(
            "Per subject (`sensor`, each content category): `current` (what the host runs), `target`"
            " (what it may run now), `rule` (pause, freeze, pin, ring, keep_running, incompatible, window,"
            " update_block, stage, delay, off, no_policy, no_release) and `reason`; `fallback` (what the"
            " host reverts to by itself, as the edge serves it, or null). The same resolution"
            " as the stored desired state and the edge (ring state, holds and recalls included);"
            " `desired_state` says whether the stored state (what the edge serves) agrees yet."
        ),
    )
    def get(self, request: Request, pk: Any) -> Response:
        host = self.get_object()
        resolution = host_explain(self.tenant, host, timezone.now())
        body = resolution_out(resolution)
        body["hostname"] = host.hostname
        body["platform"] = host.platform
        body["desired_state"] = desired_agreement(
            resolution, DesiredState.objects.filter(tenant=self.tenant, host=host).first()
        )
        return Response(body)
