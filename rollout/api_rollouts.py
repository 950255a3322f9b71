"""REST API of staged rollouts (rings, rollouts and their verbs), webhooks, and the vendor's global
halt and recall. Views validate and call a service; errors become problem+json."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import NotFound
from console.scoping import ADMIN, OPERATE, READ, WRITE, TenantAPIView, VendorAPIView
from rollout import ring_services, rollouts, vendor_stages, webhooks
from rollout.api import IF_MATCH, _etag, _if_match
from rollout.gates import gate_evaluate
from rollout.models import ContentRelease, Ring, Rollout, WebhookDelivery, WebhookEndpoint


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def rollout_detail(rollout: Rollout) -> dict[str, Any]:
    """A rollout with its per-ring progress, the current gate against its thresholds, soak remaining
    and history: what the API and the detail page show."""
    rings = list(Ring.objects.filter(tenant_id=rollout.tenant_id).select_related("group").order_by("order"))
    out = rollouts.rollout_dict(rollout)
    out["release_stage"] = rollout.release.stage if rollout.release else None
    out["release_notes"] = rollout.release.notes if rollout.release else ""
    out["rings"] = [
        {**rollouts.ring_dict(r), **p}
        for r, p in zip(rings, rollouts.rollout_progress(rollout, rings), strict=True)
    ]
    gate: dict[str, Any] = dict(rollout.last_gate or {})
    soak_remaining = None
    if rings and rollout.ring_index < len(rings):
        ring = rings[rollout.ring_index]
        if not gate:
            health = rollouts.rollout_health(rollout, rings)
            gate = gate_evaluate(health.upto(rollout.ring_index), rollouts.ring_thresholds(ring)).as_dict()
        if rollout.ring_entered_at is not None and rollout.state == "in_ring":
            left = rollout.ring_entered_at + timedelta(minutes=ring.soak_minutes) - timezone.now()
            soak_remaining = max(int(left.total_seconds()), 0)
    out["gate"] = gate
    out["soak_remaining_seconds"] = soak_remaining
    out["promote_requested_by"] = rollout.promote_requested_by
    out["events"] = [
        {
            "at": e.at.isoformat(),
            "kind": e.kind,
            "ring_index": e.ring_index,
            "actor": e.actor,
            "detail": e.detail,
        }
        for e in rollout.events.order_by("at")[:200]
    ]
    return out


class RingIn(serializers.Serializer):
    """A ring's fields; rates are fractions (0.02 is 2 %), the service names every bad value at once."""

    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    group = serializers.UUIDField(required=False, allow_null=True)
    soak_minutes = serializers.IntegerField(min_value=0, max_value=60 * 24 * 14, required=False)
    max_crash_rate = serializers.FloatField(required=False)
    max_boot_loop_rate = serializers.FloatField(required=False)
    max_silence_rate = serializers.FloatField(required=False)
    max_update_failure_rate = serializers.FloatField(required=False)
    min_sample = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)


class RingCreateIn(RingIn):
    name = serializers.CharField(max_length=120, allow_blank=True)


class RingOrderIn(serializers.Serializer):
    order = serializers.ListField(child=serializers.UUIDField(), max_length=100)


def _ring_response(ring: Ring, status: int = 200) -> Response:
    response = Response(rollouts.ring_dict(ring), status=status)
    response["ETag"] = _etag(ring)
    return response


class RingListView(TenantAPIView):
    """The tenant's rings in order (default: canary 1 % -> early 10 % -> broad 100 %); POST adds one
    last. Hosts that no ring takes receive a release once its rollout has passed the last ring."""

    queryset = Ring.objects.select_related("group")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def get(self, request: Request) -> Response:
        return Response({"results": [rollouts.ring_dict(r) for r in self.get_queryset().order_by("order")]})

    @extend_schema(request=RingCreateIn, responses={201: OpenApiTypes.OBJECT}, tags=["rollouts"])
    def post(self, request: Request) -> Response:
        data = _valid(RingCreateIn, request.data)
        ring = ring_services.ring_create(tenant=self.tenant, actor=self.ctx.actor, data=data)
        return _ring_response(ring, status=201)


class RingOrderView(TenantAPIView):
    """Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached)."""

    queryset = Ring.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"PUT": WRITE}

    @extend_schema(request=RingOrderIn, responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def put(self, request: Request) -> Response:
        data = _valid(RingOrderIn, request.data)
        rings = ring_services.ring_reorder(tenant=self.tenant, actor=self.ctx.actor, order=data["order"])
        return Response({"results": [rollouts.ring_dict(r) for r in rings]})


class RingDetailView(TenantAPIView):
    """One ring. PATCH changes its hosts (group or percentage), soak or gate thresholds; DELETE removes
    it (409 for the last ring and for a ring a running rollout has reached). Both need ``If-Match``."""

    queryset = Ring.objects.select_related("group")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def get(self, request: Request, pk: Any) -> Response:
        return _ring_response(self.get_object())

    @extend_schema(request=RingIn, responses=OpenApiTypes.OBJECT, parameters=[IF_MATCH], tags=["rollouts"])
    def patch(self, request: Request, pk: Any) -> Response:
        ring = self.get_object()
        expected = _if_match(request)
        data = _valid(RingIn, request.data)
        ring = ring_services.ring_update(
            tenant=self.tenant, actor=self.ctx.actor, ring=ring, data=data, expected_version=expected
        )
        return _ring_response(ring)

    @extend_schema(responses={204: None}, parameters=[IF_MATCH], tags=["rollouts"])
    def delete(self, request: Request, pk: Any) -> Response:
        ring = self.get_object()
        ring_services.ring_delete(
            tenant=self.tenant, actor=self.ctx.actor, ring=ring, expected_version=_if_match(request)
        )
        return Response(status=204)


class RolloutListView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def get(self, request: Request) -> Response:
        items = self.get_queryset().order_by("-created_at")[:200]
        return Response({"results": [rollouts.rollout_dict(r) for r in items]})


class RolloutDetailView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(rollout_detail(self.get_object()))


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=False, trim_whitespace=True)


class RolloutHaltView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        rollout = self.get_object()
        data = _valid(ReasonIn, request.data)
        done = rollouts.rollout_halt(
            tenant=self.tenant, actor=self.ctx.actor, rollout=rollout, reason=data["reason"]
        )
        return Response(rollouts.rollout_dict(done))


class RolloutResumeView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        done = rollouts.rollout_resume(tenant=self.tenant, actor=self.ctx.actor, rollout=self.get_object())
        return Response(rollouts.rollout_dict(done))


class RolloutPromoteView(TenantAPIView):
    """Skips the rest of the soak; past a failing gate the first call only requests (202) and a
    second person's call carries it out."""

    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        before = self.get_object()
        done = rollouts.rollout_promote(tenant=self.tenant, actor=self.ctx.actor, rollout=before)
        requested = (
            done.ring_index == before.ring_index
            and done.state == before.state
            and bool(done.promote_requested_by_id)
        )
        return Response(
            {**rollouts.rollout_dict(done), "approval_requested": requested}, status=202 if requested else 200
        )


class RolloutRollbackView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        rollout = self.get_object()
        data = _valid(ReasonIn, request.data)
        done = rollouts.rollout_rollback(
            tenant=self.tenant, actor=self.ctx.actor, rollout=rollout, reason=data["reason"]
        )
        return Response(rollouts.rollout_dict(done))


# --- webhooks ------------------------------------------------------------------------------------


class WebhookIn(serializers.Serializer):
    # Blank values reach the service, which names every bad field at once.
    name = serializers.CharField(max_length=120, allow_blank=True)
    url = serializers.CharField(max_length=500, allow_blank=True)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Events to send (empty: all): " + ", ".join(webhooks.EVENTS),
    )


def delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": d.created_at.isoformat(),
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }


class WebhookListView(TenantAPIView):
    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["webhooks"])
    def get(self, request: Request) -> Response:
        return Response({"results": [webhooks.webhook_dict(w) for w in self.get_queryset()]})

    @extend_schema(request=WebhookIn, responses=OpenApiTypes.OBJECT, tags=["webhooks"])
    def post(self, request: Request) -> Response:
        data = _valid(WebhookIn, request.data)
        endpoint, secret = webhooks.webhook_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            url=data["url"],
            events=data["events"],
        )
        return Response({**webhooks.webhook_dict(endpoint), "secret": secret}, status=201)


class WebhookDetailView(TenantAPIView):
    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "DELETE": ADMIN}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["webhooks"])
    def get(self, request: Request, pk: Any) -> Response:
        endpoint = self.get_object()
        deliveries = endpoint.deliveries.order_by("-created_at")[:100]
        return Response(
            {**webhooks.webhook_dict(endpoint), "deliveries": [delivery_out(d) for d in deliveries]}
        )

    @extend_schema(responses=None, tags=["webhooks"])
    def delete(self, request: Request, pk: Any) -> Response:
        webhooks.webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=self.get_object())
        return Response(status=204)


# --- vendor: global halt and recall ---------------------------------------------------------------


def _release(pk: Any) -> ContentRelease:
    release = ContentRelease.objects.select_related("category").filter(pk=pk).first()
    if release is None:
        raise NotFound("No such release.")
    return release


class VendorReleaseHaltView(VendorAPIView):
    """Halts every tenant's rollout of the release (nobody else receives it)."""

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        data = _valid(ReasonIn, request.data)
        halted = vendor_stages.release_halt(release=release, actor=self.actor, reason=data["reason"])
        return Response({"release": release.version, "rollouts_halted": halted})


class VendorReleaseRecallView(VendorAPIView):
    """Recalls the release everywhere: every tenant goes back to the last known-good version."""

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        data = _valid(ReasonIn, request.data)
        tenants = vendor_stages.release_recall(release=release, actor=self.actor, reason=data["reason"])
        return Response({"release": release.version, "stage": "recalled", "tenants_republished": tenants})
