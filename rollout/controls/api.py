from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.scoping import ADMIN, OPERATE, READ, WRITE, TenantAPIView
from rollout.controls.freezes import (
    freeze_bypass_approve,
    freeze_bypass_request,
    freeze_create,
    freeze_lift_approve,
    freeze_lift_request,
)
from rollout.controls.pauses import pause_create, pause_resume
from rollout.controls.windows import window_create, window_delete, window_update
from rollout.desired.changes import (
    DRY_RUN,
    IF_MATCH,
    DeleteOutcome,
    ReasonIn,
    dry_run_requested,
    etag_of,
    if_match_version,
    input_valid,
    outcome_of,
    outcome_response,
)
from rollout.models import Freeze, MaintenanceWindow, Pause
from rollout.resolver.recurrence import Recurrence, next_occurrences, zone
from rollout.selectors.controls import active_pauses


def window_out(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": str(window.pk),
        "name": window.name,
        "weekdays": list(window.weekdays),
        "start": window.start.strftime("%H:%M"),
        "duration_minutes": window.duration_minutes,
        "timezone": window.timezone,
        "version": window.version,
    }


def freeze_out(freeze: Freeze) -> dict[str, Any]:
    return {
        "id": str(freeze.pk),
        "reason": freeze.reason,
        "starts_at": freeze.starts_at.isoformat(),
        "ends_at": freeze.ends_at.isoformat(),
        "created_by": freeze.created_by,
        "lift_requested_by": freeze.lift_requested_by or None,
        "lift_requested_at": freeze.lift_requested_at.isoformat() if freeze.lift_requested_at else None,
        "lift_reason": freeze.lift_reason or None,
        "lifted_by": freeze.lifted_by or None,
        "lifted_at": freeze.lifted_at.isoformat() if freeze.lifted_at else None,
        "bypass_requested_by": freeze.bypass_requested_by or None,
        "bypass_reason": freeze.bypass_reason or None,
        "bypass_approved_by": freeze.bypass_approved_by or None,
        "bypass_approved_at": freeze.bypass_approved_at.isoformat() if freeze.bypass_approved_at else None,
    }


def pause_out(pause: Pause) -> dict[str, Any]:
    return {
        "id": str(pause.pk),
        "scope": pause.scope,
        "group": {"id": str(pause.group.pk), "name": pause.group.name} if pause.group else None,
        "category": pause.category.key if pause.category else None,
        "reason": pause.reason,
        "created_by": pause.created_by,
        "created_at": pause.created_at.isoformat(),
        "expires_at": pause.expires_at.isoformat() if pause.expires_at else None,
        "resumed_at": pause.resumed_at.isoformat() if pause.resumed_at else None,
        "resumed_by": pause.resumed_by or None,
    }


class WindowOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    weekdays = serializers.ListField(child=serializers.IntegerField(), help_text="0 is Monday.")
    start = serializers.CharField(help_text="HH:MM in the window's timezone.")
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField()
    version = serializers.IntegerField()


class OccurrenceOut(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    start_local = serializers.DateTimeField(help_text="In the tenant's timezone.")
    end_local = serializers.DateTimeField()


class WindowDetailOut(WindowOut):
    next_occurrences = OccurrenceOut(many=True, help_text="The next 7 days.")


class FreezeOut(serializers.Serializer):
    id = serializers.UUIDField()
    reason = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_blank=True)
    lift_requested_by = serializers.CharField(allow_null=True)
    lift_requested_at = serializers.DateTimeField(allow_null=True)
    lift_reason = serializers.CharField(allow_null=True)
    lifted_by = serializers.CharField(allow_null=True)
    lifted_at = serializers.DateTimeField(allow_null=True)
    bypass_requested_by = serializers.CharField(allow_null=True)
    bypass_reason = serializers.CharField(allow_null=True)
    bypass_approved_by = serializers.CharField(allow_null=True)
    bypass_approved_at = serializers.DateTimeField(allow_null=True)


class PauseGroupOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PauseOut(serializers.Serializer):
    id = serializers.UUIDField()
    scope = serializers.CharField(help_text="tenant, group, category or sensor.")
    group = PauseGroupOut(allow_null=True)
    category = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    created_by = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    resumed_at = serializers.DateTimeField(allow_null=True)
    resumed_by = serializers.CharField(allow_null=True)


class PauseListItemOut(PauseOut):
    active = serializers.BooleanField()


WindowOutcome = outcome_of(WindowOut, "WindowOutcome")
FreezeOutcome = outcome_of(FreezeOut, "FreezeOutcome")
PauseOutcome = outcome_of(PauseOut, "PauseOutcome")


class WindowIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start = serializers.CharField(max_length=5)
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField(max_length=64)


def _occurrences(window: MaintenanceWindow, tz_name: str, days: int = 7) -> list[dict[str, str]]:

    rec = Recurrence(frozenset(window.weekdays), window.start, window.duration_minutes, window.timezone)
    tz = zone(tz_name)
    return [
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "start_local": start.astimezone(tz).isoformat(),
            "end_local": end.astimezone(tz).isoformat(),
        }
        for start, end in next_occurrences(rec, timezone.now(), days)
    ]


class WindowListView(TenantAPIView):
    queryset = MaintenanceWindow.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(
        summary="List maintenance windows",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(WindowOut, "WindowPage"),
        tags=["windows"],
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, self.get_queryset(), ordering=("name", "id"), present=window_out)

    @extend_schema(
        summary="Create a maintenance window",
        request=WindowIn,
        responses={200: WindowOutcome, 201: WindowOutcome},
        parameters=[DRY_RUN],
        tags=["windows"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(WindowIn, request.data)
        outcome = window_create(
            tenant=self.tenant, actor=self.ctx.actor, data=data, dry_run=dry_run_requested(request)
        )
        return outcome_response(outcome, None if outcome.dry_run else window_out(outcome.obj), status=201)


class WindowDetailView(TenantAPIView):
    queryset = MaintenanceWindow.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(summary="Get a maintenance window", responses=WindowDetailOut, tags=["windows"])
    def get(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        body = window_out(window)
        body["next_occurrences"] = _occurrences(window, self.tenant.timezone)
        response = Response(body)
        response["ETag"] = etag_of(window)
        return response

    @extend_schema(
        summary="Update a maintenance window",
        request=WindowIn(partial=True),
        responses=WindowOutcome,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["windows"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        expected = if_match_version(request)
        data = input_valid(WindowIn, request.data, partial=True)
        outcome = window_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            window=window,
            expected_version=expected,
            data=data,
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else window_out(outcome.obj))

    @extend_schema(
        summary="Delete a maintenance window",
        responses={200: DeleteOutcome},
        parameters=[DRY_RUN, IF_MATCH],
        tags=["windows"],
    )
    def delete(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        outcome = window_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            window=window,
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None)


class FreezeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class FreezeListView(TenantAPIView):
    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(
        summary="List freezes",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(FreezeOut, "FreezePage"),
        tags=["windows"],
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, self.get_queryset(), ordering=("-starts_at", "id"), present=freeze_out
        )

    @extend_schema(
        summary="Create a freeze",
        request=FreezeIn,
        responses={200: FreezeOutcome, 201: FreezeOutcome},
        parameters=[DRY_RUN],
        tags=["windows"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(FreezeIn, request.data)
        outcome = freeze_create(
            tenant=self.tenant, actor=self.ctx.actor, dry_run=dry_run_requested(request), **data
        )
        return outcome_response(outcome, None if outcome.dry_run else freeze_out(outcome.obj), status=201)


class FreezeDetailView(TenantAPIView):
    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(summary="Get a freeze", responses=FreezeOut, tags=["windows"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(freeze_out(self.get_object()))


class FreezeLiftRequestView(TenantAPIView):
    """First admin asks to lift a freeze early."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Request to lift a freeze", request=ReasonIn, responses=FreezeOut, tags=["windows"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        data = input_valid(ReasonIn, request.data)
        return Response(
            freeze_out(freeze_lift_request(tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, **data))
        )


class FreezeLiftApproveView(TenantAPIView):
    """A second admin approves: the freeze ends now."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Approve lifting a freeze",
        request=None,
        responses=FreezeOutcome,
        parameters=[DRY_RUN],
        tags=["windows"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        outcome = freeze_lift_approve(
            tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, dry_run=dry_run_requested(request)
        )
        return outcome_response(outcome, None if outcome.dry_run else freeze_out(outcome.obj))


class FreezeBypassRequestView(TenantAPIView):
    """First admin asks to let vendor-marked critical content through a freeze."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Request a freeze bypass for critical content",
        request=ReasonIn,
        responses=FreezeOut,
        tags=["windows"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        data = input_valid(ReasonIn, request.data)
        return Response(
            freeze_out(freeze_bypass_request(tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, **data))
        )


class FreezeBypassApproveView(TenantAPIView):
    """A second admin approves the bypass."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Approve a freeze bypass",
        request=None,
        responses=FreezeOutcome,
        parameters=[DRY_RUN],
        tags=["windows"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        outcome = freeze_bypass_approve(
            tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, dry_run=dry_run_requested(request)
        )
        return outcome_response(outcome, None if outcome.dry_run else freeze_out(outcome.obj))


class PauseIn(serializers.Serializer):
    scope = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=300)
    group = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    category = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PauseListView(TenantAPIView):
    queryset = Pause.objects.select_related("group", "category")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    @extend_schema(
        summary="List pauses",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(PauseListItemOut, "PausePage"),
        tags=["pauses"],
    )
    def get(self, request: Request) -> Response:
        active = {p.pk for p in active_pauses(self.tenant, timezone.now())}
        return paginated(
            request,
            self,
            self.get_queryset(),
            ordering=("-created_at", "id"),
            present=lambda p: {**pause_out(p), "active": p.pk in active},
        )

    @extend_schema(
        summary="Pause updates",
        request=PauseIn,
        responses={200: PauseOutcome, 201: PauseOutcome},
        parameters=[DRY_RUN],
        tags=["pauses"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(PauseIn, request.data)
        outcome = pause_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            scope=data["scope"],
            reason=data["reason"],
            group_id=data["group"],
            category_key=data["category"],
            expires_at=data["expires_at"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else pause_out(outcome.obj), status=201)


class PauseResumeView(TenantAPIView):
    queryset = Pause.objects.select_related("group", "category")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(
        summary="Resume a pause", request=None, responses=PauseOutcome, parameters=[DRY_RUN], tags=["pauses"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        pause = self.get_object()
        outcome = pause_resume(
            tenant=self.tenant, actor=self.ctx.actor, pause=pause, dry_run=dry_run_requested(request)
        )
        return outcome_response(outcome, None if outcome.dry_run else pause_out(outcome.obj))
