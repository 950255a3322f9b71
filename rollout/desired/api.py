"""Distribution sync status per tenant, "resync now", and a host's stored desired state (API)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
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


class SyncStatusOut(serializers.Serializer):
    backend = serializers.CharField()
    desired_revision = serializers.IntegerField()
    published_revision = serializers.IntegerField(allow_null=True)
    acknowledged_revision = serializers.IntegerField(allow_null=True)
    lag_revisions = serializers.IntegerField()
    lag_seconds = serializers.FloatField()
    in_sync = serializers.BooleanField()
    pending_changes = serializers.IntegerField()
    digest = serializers.CharField(allow_blank=True)
    last_error = serializers.CharField(allow_blank=True)
    last_error_at = serializers.DateTimeField(allow_null=True)
    last_repair = serializers.CharField(allow_blank=True)
    last_reconciled_at = serializers.DateTimeField(allow_null=True)
    recomputed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    circuit_state = serializers.CharField(
        allow_null=True, help_text="The HTTP backend's circuit breaker; null for the embedded edge."
    )
    failing = serializers.BooleanField()
    failing_since = serializers.DateTimeField(allow_null=True)
    failed_attempts = serializers.IntegerField()


class RecoveryRuleOut(serializers.Serializer):
    failed_boots = serializers.IntegerField()
    within_s = serializers.IntegerField()


class FallbackOut(serializers.Serializer):
    sensor_build = serializers.CharField(allow_null=True)
    content = serializers.DictField(child=serializers.CharField(), help_text="Per category: the version.")
    rule = RecoveryRuleOut()


class SubjectRuleOut(serializers.Serializer):
    rule = serializers.CharField()
    policy_id = serializers.CharField(allow_null=True)


class HostDesiredOut(serializers.Serializer):
    host_id = serializers.UUIDField()
    revision = serializers.IntegerField()
    target_revision = serializers.IntegerField(allow_null=True)
    sensor_build = serializers.CharField(allow_null=True)
    content = serializers.DictField(child=serializers.CharField(allow_null=True))
    groups = serializers.ListField(child=serializers.CharField())
    rules = serializers.DictField(child=SubjectRuleOut(), help_text="Per subject: the deciding rule.")
    paused = serializers.ListField(child=serializers.DictField(), help_text="The holds covering the host.")
    fallback = FallbackOut(allow_null=True)
    changed_at = serializers.DateTimeField()


class RefOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_blank=True)


class DecisionOut(serializers.Serializer):
    subject = serializers.CharField()
    current = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    desired = serializers.CharField(allow_null=True)
    rule = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    policy = RefOut(allow_null=True)
    group = RefOut(allow_null=True)
    pause_id = serializers.CharField(allow_null=True)
    freeze_id = serializers.CharField(allow_null=True)
    window_id = serializers.CharField(allow_null=True)


class AgreementOut(serializers.Serializer):
    revision = serializers.IntegerField(allow_null=True)
    agrees = serializers.BooleanField()
    differs = serializers.ListField(child=serializers.CharField())


class ExplainOut(serializers.Serializer):
    host_id = serializers.CharField()
    at = serializers.DateTimeField()
    sensor = DecisionOut()
    content = serializers.DictField(child=DecisionOut(), help_text="Per content category.")
    fallback = FallbackOut(allow_null=True)
    hostname = serializers.CharField()
    platform = serializers.CharField()
    desired_state = AgreementOut()


class SyncStatusView(TenantAPIView):
    """Desired, published and acknowledged revision, lag, last error and circuit state."""

    queryset = TenantRevision.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="Get the distribution sync status",
        responses=SyncStatusOut,
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

    @extend_schema(
        summary="Resync the whole desired state now",
        request=None,
        responses={202: SyncStatusOut},
        tags=["distribution"],
    )
    def post(self, request: Request) -> Response:
        return Response(sync_resync(tenant=self.tenant, actor=self.ctx.actor), status=202)


class HostDesiredView(TenantAPIView):
    """What the host may run now and the rule that decided each subject, as last computed."""

    queryset = DesiredState.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    lookup_field = "host_id"
    lookup_url_kwarg = "pk"

    @extend_schema(
        summary="Get a host's stored desired state", responses=HostDesiredOut, tags=["distribution"]
    )
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
        summary="Explain why a host is on what it runs",
        responses=ExplainOut,
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
