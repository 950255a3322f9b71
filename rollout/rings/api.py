from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import NotFound
from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.schema import results_of
from console.scoping import OPERATE, READ, WRITE, TenantAPIView, VendorAPIView
from rollout.desired.changes import IF_MATCH, etag_of, if_match_version, input_valid
from rollout.distribution.served import hold_served_at
from rollout.models import ContentRelease, Ring, Rollout
from rollout.rings.admin import (
    ring_create,
    ring_delete,
    ring_dict,
    ring_reorder,
    ring_update,
)
from rollout.rings.health import ring_gate_evaluate, rollout_health, rollout_progress
from rollout.rings.records import rollout_dict, stop_timeline
from rollout.rings.transitions import rollout_halt, rollout_promote, rollout_resume, rollout_rollback
from rollout.rings.vendor import release_halt, release_recall


def rollout_detail(rollout: Rollout) -> dict[str, Any]:
    """A rollout with its per-ring progress, the current gate against its thresholds, soak remaining
    and history: what the API and the detail page show."""
    rings = list(Ring.objects.filter(tenant_id=rollout.tenant_id).select_related("group").order_by("order"))
    out = rollout_dict(rollout)
    out["release_stage"] = rollout.release.stage if rollout.release else None
    out["release_notes"] = rollout.release.notes if rollout.release else ""
    out["rings"] = [
        {**ring_dict(r), **p} for r, p in zip(rings, rollout_progress(rollout, rings), strict=True)
    ]
    gate: dict[str, Any] = dict(rollout.last_gate or {})
    soak_remaining = None
    if rings and rollout.ring_index < len(rings):
        ring = rings[rollout.ring_index]
        if not gate:
            gate = ring_gate_evaluate(ring, rollout_health(rollout, rings), rollout.ring_index).as_dict()
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
    out["stops"] = rollout_stops(rollout)
    return out


def rollout_stops(rollout: Rollout) -> list[dict[str, Any]]:
    """Each halt or rollback with its timeline; a hold not cleared yet reads the edge's mark live."""
    out = []
    for stop in rollout.stops.order_by("committed_at")[:20]:
        served = None
        if stop.edge_served_at is None and stop.hold_cleared_at is None:
            served = hold_served_at(str(stop.tenant_id), f"{stop.hold_scope}:{stop.hold_key}")
        out.append(stop_timeline(stop, served_at=served))
    return out


class RingOut(serializers.Serializer):
    id = serializers.UUIDField()
    order = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    group = serializers.UUIDField(
        allow_null=True, help_text="The ring's host group, or null for a percentage ring."
    )
    percentage = serializers.FloatField(allow_null=True)
    soak_minutes = serializers.IntegerField()
    max_crash_rate = serializers.FloatField()
    max_boot_loop_rate = serializers.FloatField()
    max_silence_rate = serializers.FloatField()
    max_update_failure_rate = serializers.FloatField()
    min_sample = serializers.IntegerField()
    version = serializers.IntegerField()


class RolloutOut(serializers.Serializer):
    id = serializers.UUIDField()
    subject = serializers.CharField(help_text="`content:<category>` or `sensor:<platform>`.")
    version = serializers.CharField()
    previous_version = serializers.CharField(allow_null=True, allow_blank=True)
    state = serializers.CharField(help_text="pending, in_ring, halted, completed or rolled_back.")
    ring_index = serializers.IntegerField()
    ring_entered_at = serializers.DateTimeField(allow_null=True)
    halted_reason = serializers.CharField(allow_blank=True, allow_null=True)


class PromoteOut(RolloutOut):
    approval_requested = serializers.BooleanField(
        help_text="True (and 202) when past a failing gate: a second person's call carries it out."
    )


class RingProgressOut(RingOut):
    index = serializers.IntegerField()
    hosts = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()
    silent = serializers.IntegerField()
    pending = serializers.IntegerField()
    current = serializers.BooleanField()
    reached = serializers.BooleanField()


class RolloutEventOut(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    ring_index = serializers.IntegerField()
    actor = serializers.CharField(allow_blank=True)
    detail = serializers.DictField()


class RolloutDetailOut(RolloutOut):
    release_stage = serializers.CharField(allow_null=True)
    release_notes = serializers.CharField(allow_blank=True)
    rings = RingProgressOut(many=True)
    gate = serializers.DictField(
        help_text="The current ring's gate: verdict, sample, values against thresholds."
    )
    soak_remaining_seconds = serializers.IntegerField(allow_null=True)
    promote_requested_by = serializers.CharField(allow_blank=True)
    events = RolloutEventOut(many=True, help_text="The first 200, oldest first.")
    stops = serializers.ListField(
        child=serializers.DictField(), help_text="Each halt or rollback with its timeline."
    )


class ReleaseHaltOut(serializers.Serializer):
    release = serializers.CharField()
    rollouts_halted = serializers.IntegerField()


class ReleaseRecallOut(serializers.Serializer):
    release = serializers.CharField()
    stage = serializers.CharField()
    tenants_republished = serializers.IntegerField()


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
    statistical_gate = serializers.BooleanField(required=False)


class RingCreateIn(RingIn):
    name = serializers.CharField(max_length=120, allow_blank=True)


class RingOrderIn(serializers.Serializer):
    order = serializers.ListField(child=serializers.UUIDField(), max_length=100)


def _ring_response(ring: Ring, status: int = 200) -> Response:
    response = Response(ring_dict(ring), status=status)
    response["ETag"] = etag_of(ring)
    return response


class RingListView(TenantAPIView):
    """The tenant's rings in order (default: canary 1 % -> early 10 % -> broad 100 %); POST adds one
    last. Hosts that no ring takes receive a release once its rollout has passed the last ring."""

    queryset = Ring.objects.select_related("group")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(
        summary="List rings",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(RingOut, "RingPage"),
        tags=["rollouts"],
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, self.get_queryset(), ordering=("order", "id"), present=ring_dict)

    @extend_schema(summary="Add a ring", request=RingCreateIn, responses={201: RingOut}, tags=["rollouts"])
    def post(self, request: Request) -> Response:
        data = input_valid(RingCreateIn, request.data)
        ring = ring_create(tenant=self.tenant, actor=self.ctx.actor, data=data)
        return _ring_response(ring, status=201)


class RingOrderView(TenantAPIView):
    """Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached)."""

    queryset = Ring.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"PUT": WRITE}

    @extend_schema(
        summary="Set the order of the rings",
        request=RingOrderIn,
        responses=results_of(RingOut, "RingList"),
        tags=["rollouts"],
    )
    def put(self, request: Request) -> Response:
        data = input_valid(RingOrderIn, request.data)
        rings = ring_reorder(tenant=self.tenant, actor=self.ctx.actor, order=data["order"])
        return Response({"results": [ring_dict(r) for r in rings]})


class RingDetailView(TenantAPIView):
    """One ring. PATCH changes its hosts (group or percentage), soak or gate thresholds; DELETE removes
    it (409 for the last ring and for a ring a running rollout has reached). Both need ``If-Match``."""

    queryset = Ring.objects.select_related("group")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(summary="Get a ring", responses=RingOut, tags=["rollouts"])
    def get(self, request: Request, pk: Any) -> Response:
        return _ring_response(self.get_object())

    @extend_schema(
        summary="Update a ring", request=RingIn, responses=RingOut, parameters=[IF_MATCH], tags=["rollouts"]
    )
    def patch(self, request: Request, pk: Any) -> Response:
        ring = self.get_object()
        expected = if_match_version(request)
        data = input_valid(RingIn, request.data)
        ring = ring_update(
            tenant=self.tenant, actor=self.ctx.actor, ring=ring, data=data, expected_version=expected
        )
        return _ring_response(ring)

    @extend_schema(summary="Delete a ring", responses={204: None}, parameters=[IF_MATCH], tags=["rollouts"])
    def delete(self, request: Request, pk: Any) -> Response:
        ring = self.get_object()
        ring_delete(
            tenant=self.tenant, actor=self.ctx.actor, ring=ring, expected_version=if_match_version(request)
        )
        return Response(status=204)


class RolloutListView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="List rollouts",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(RolloutOut, "RolloutPage"),
        tags=["rollouts"],
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, self.get_queryset(), ordering=("-created_at", "id"), present=rollout_dict
        )


class RolloutDetailView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="Get a rollout with its rings, gate and history",
        responses=RolloutDetailOut,
        tags=["rollouts"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        return Response(rollout_detail(self.get_object()))


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=False, trim_whitespace=True)


class RolloutHaltView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(summary="Halt a rollout", request=ReasonIn, responses=RolloutOut, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        rollout = self.get_object()
        data = input_valid(ReasonIn, request.data)
        done = rollout_halt(tenant=self.tenant, actor=self.ctx.actor, rollout=rollout, reason=data["reason"])
        return Response(rollout_dict(done))


class RolloutResumeView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(summary="Resume a halted rollout", request=None, responses=RolloutOut, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        done = rollout_resume(tenant=self.tenant, actor=self.ctx.actor, rollout=self.get_object())
        return Response(rollout_dict(done))


class RolloutPromoteView(TenantAPIView):
    """Skips the rest of the soak; past a failing gate the first call only requests (202) and a
    second person's call carries it out."""

    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(
        summary="Promote a rollout to its next ring",
        request=None,
        responses={200: PromoteOut, 202: PromoteOut},
        tags=["rollouts"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        before = self.get_object()
        done = rollout_promote(tenant=self.tenant, actor=self.ctx.actor, rollout=before)
        requested = (
            done.ring_index == before.ring_index
            and done.state == before.state
            and bool(done.promote_requested_by_id)
        )
        return Response(
            {**rollout_dict(done), "approval_requested": requested}, status=202 if requested else 200
        )


class RolloutRollbackView(TenantAPIView):
    queryset = Rollout.objects.select_related("release")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(summary="Roll a rollout back", request=ReasonIn, responses=RolloutOut, tags=["rollouts"])
    def post(self, request: Request, pk: Any) -> Response:
        rollout = self.get_object()
        data = input_valid(ReasonIn, request.data)
        done = rollout_rollback(
            tenant=self.tenant, actor=self.ctx.actor, rollout=rollout, reason=data["reason"]
        )
        return Response(rollout_dict(done))


def _release(pk: Any) -> ContentRelease:
    release = ContentRelease.objects.select_related("category").filter(pk=pk).first()
    if release is None:
        raise NotFound("No such release.")
    return release


class VendorReleaseHaltView(VendorAPIView):
    """Halts every tenant's rollout of the release (nobody else receives it)."""

    @extend_schema(
        summary="Halt a content release everywhere",
        request=ReasonIn,
        responses=ReleaseHaltOut,
        tags=["vendor"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        data = input_valid(ReasonIn, request.data)
        halted = release_halt(release=release, actor=self.actor, reason=data["reason"])
        return Response({"release": release.version, "rollouts_halted": halted})


class VendorReleaseRecallView(VendorAPIView):
    """Recalls the release everywhere: every tenant goes back to the last known-good version."""

    @extend_schema(
        summary="Recall a content release everywhere",
        request=ReasonIn,
        responses=ReleaseRecallOut,
        tags=["vendor"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        data = input_valid(ReasonIn, request.data)
        tenants = release_recall(release=release, actor=self.actor, reason=data["reason"])
        return Response({"release": release.version, "stage": "recalled", "tenants_republished": tenants})
