"""``GET /api/v1/releases/<id>/forecast`` and ``GET /api/v1/rollouts/<id>/forecast``: the exposure
forecast of a content release for the caller's tenant (``rollout.rings.forecast``). Reads only."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import InvalidInput, NotFound
from console.scoping import READ, TenantAPIView
from rollout.models import ContentRelease, Rollout, SensorUpdatePolicy
from rollout.resolver.forecast import DEFAULT_HORIZON_HOURS, MAX_HORIZON_HOURS
from rollout.rings.forecast import TENANT_VISIBLE_STAGES, forecast_out, release_forecast

HOURS = OpenApiParameter(
    "hours",
    int,
    description=f"The horizon: 1 to {MAX_HORIZON_HOURS} hours (default {DEFAULT_HORIZON_HOURS}).",
)


class ForecastPointOut(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The hour boundary (UTC).")
    hour = serializers.IntegerField(help_text="Hours from the start.")
    hosts = serializers.IntegerField(help_text="Hosts that have the release by then (or already run it).")
    new = serializers.IntegerField(help_text="Of which reached at this boundary.")
    waiting = serializers.DictField(
        child=serializers.IntegerField(), help_text="The other hosts, by the rule that holds them."
    )


class ForecastMilestoneOut(serializers.Serializer):
    share = serializers.FloatField(help_text="Share of the tenant's hosts (0: the first host).")
    hosts = serializers.IntegerField()
    hour = serializers.IntegerField(
        allow_null=True, help_text="Hours until reached; null: not within the horizon."
    )
    at = serializers.DateTimeField(allow_null=True)


class ForecastOut(serializers.Serializer):
    category = serializers.CharField()
    version = serializers.CharField()
    start = serializers.DateTimeField()
    hours = serializers.IntegerField()
    hosts_total = serializers.IntegerField()
    hosts_reached = serializers.IntegerField(
        help_text="Hosts that have the release at the end of the horizon."
    )
    combinations = serializers.IntegerField(help_text="Distinct host combinations resolved.")
    resolutions = serializers.IntegerField(help_text="Resolver calls made for the whole horizon.")
    staged = serializers.BooleanField(help_text="Whether a staged rollout through rings is projected.")
    points = ForecastPointOut(many=True)
    milestones = ForecastMilestoneOut(many=True)


def hours_param(request: Request) -> int:
    raw = str(request.query_params.get("hours", DEFAULT_HORIZON_HOURS))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_HORIZON_HOURS:
        message = f"An integer from 1 to {MAX_HORIZON_HOURS}."
        raise InvalidInput(f"hours is 1 to {MAX_HORIZON_HOURS}.", errors={"hours": [message]})
    return int(raw)


class ReleaseForecastView(TenantAPIView):
    """The forecast of a content release for the caller's tenant, whether or not it is staged there."""

    queryset = SensorUpdatePolicy.objects.all()  # only to resolve the tenant: releases are the vendor's
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="Forecast a release's exposure hour by hour",
        parameters=[HOURS],
        responses=ForecastOut,
        tags=["catalog"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        hours = hours_param(request)
        release = (
            ContentRelease.objects.filter(pk=pk, stage__in=TENANT_VISIBLE_STAGES)
            .select_related("category")
            .first()
        )
        if release is None:
            raise NotFound("No such content release.")
        return Response(forecast_out(release_forecast(self.tenant, release, hours=hours)))


class RolloutForecastView(TenantAPIView):
    """The forecast of the release a tenant's content rollout stages."""

    queryset = Rollout.objects.select_related("release__category")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="Forecast a rollout's exposure hour by hour",
        parameters=[HOURS],
        responses=ForecastOut,
        tags=["rollouts"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        hours = hours_param(request)
        rollout = self.get_object()
        if rollout.release is None:
            raise NotFound("A sensor-build rollout has no content forecast.")
        return Response(forecast_out(release_forecast(self.tenant, rollout.release, hours=hours)))
