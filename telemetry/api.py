"""REST endpoints of the telemetry app: enrolment, heartbeat ingest, hosts, enrolment tokens, fleet health."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from console.access import ADMIN, READ, WRITE, client_ip
from console.authentication import BearerTokenAuthentication
from console.errors import Forbidden, InvalidInput
from console.models import ApiClient, ApiScope
from console.pagination import CursorPagination
from console.scoping import TenantAPIView
from console.throttling import AnonymousRateThrottle
from telemetry import ingest, selectors, services
from telemetry.credentials import HostCredentialAuthentication
from telemetry.models import EnrolmentToken, Host


class HostCursorPagination(CursorPagination):
    # (hostname, id) is what every host index ends with, so each page is one index range scan.
    ordering = ("hostname", "id")  # type: ignore[assignment]

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # the total of the whole filtered list, not of the page (exact up to a bound)
        self.total, self.total_is_lower_bound = selectors.host_count(queryset)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data = {
            "count": self.total,
            "count_is_lower_bound": self.total_is_lower_bound,
            **response.data,
        }
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        page = super().get_paginated_response_schema(schema)
        page["properties"] = {
            "count": {
                "type": "integer",
                "example": 1234,
                "description": f"Hosts matching the filters, exact up to {selectors.HOST_COUNT_EXACT_UP_TO}.",
            },
            "count_is_lower_bound": {
                "type": "boolean",
                "description": "True when more hosts match than `count` says.",
            },
            **page["properties"],
        }
        page["required"] = ["count", "count_is_lower_bound", *page["required"]]
        return page


class HostOutput(serializers.ModelSerializer[Host]):
    class Meta:
        model = Host
        fields = (
            "id",
            "hostname",
            "platform",
            "os_version",
            "tags",
            "site",
            "sensor_build",
            "content_versions",
            "status",
            "reported_status",
            "last_seen_at",
            "status_changed_at",
            "heartbeat_interval_s",
            "enrolled_at",
            "last_crash_at",
        )


class CrashOutput(serializers.Serializer[Any]):
    occurred_at = serializers.DateTimeField()
    component = serializers.CharField()
    category = serializers.CharField()
    content_version = serializers.CharField()
    sensor_build = serializers.CharField()


class HostDetailOutput(HostOutput):
    recent_crashes = serializers.SerializerMethodField()

    class Meta(HostOutput.Meta):
        fields = (*HostOutput.Meta.fields, "recent_crashes")  # type: ignore[assignment]

    def get_recent_crashes(self, host: Host) -> list[dict[str, Any]]:
        events = selectors.host_crash_events(tenant_id=host.tenant_id, host_id=host.pk)
        return list(CrashOutput(events, many=True).data)


# ------------------------------------------------------------------------------ sensor-facing


class EnrolView(APIView):
    """``POST /api/v1/telemetry/enrol``: a sensor presents its tenant's enrolment token, gets a host credential."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousRateThrottle]
    throttle_endpoint = "enrol"

    class EnrolInput(serializers.Serializer[Any]):
        enrolment_token = serializers.CharField(max_length=200)
        agent_id = serializers.UUIDField(required=False)
        hostname = serializers.CharField(max_length=255)
        platform = serializers.CharField(max_length=16)
        os_version = serializers.CharField(max_length=64, required=False, allow_blank=True)
        tags = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False, max_length=32
        )
        site = serializers.CharField(max_length=64, required=False, allow_blank=True)
        sensor_build = serializers.CharField(max_length=32, required=False, allow_blank=True)
        content_versions = serializers.DictField(child=serializers.CharField(max_length=32), required=False)

    @extend_schema(
        request=EnrolInput,
        responses={
            201: inline_serializer(
                "EnrolOutput",
                {
                    "host_id": serializers.UUIDField(),
                    "tenant": serializers.CharField(),
                    "credential": serializers.CharField(),
                    "heartbeats_url": serializers.CharField(),
                },
            )
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.EnrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        attributes = services.host_attributes_validate(data.validated_data)
        host, credential = services.host_enrol(
            enrolment_secret=data.validated_data["enrolment_token"],
            attributes=attributes,
            agent_id=data.validated_data.get("agent_id"),
            ip=client_ip(request._request),
        )
        return Response(
            {
                "host_id": str(host.pk),
                "tenant": host.tenant.slug,
                "credential": credential,
                "heartbeats_url": "/api/v1/telemetry/heartbeats",
            },
            status=status.HTTP_201_CREATED,
        )


class HeartbeatIngestView(APIView):
    """``POST /api/v1/telemetry/heartbeats``: a batch from the vendor's telemetry pipeline or one host.

    Answers 202 with ``accepted`` and the ``rejected`` items (index + errors per field); good items
    are kept. Retrying a batch is harmless. 503 + Retry-After when staging (Redis) is down.
    """

    authentication_classes = [HostCredentialAuthentication, BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=inline_serializer(
            "HeartbeatBatch",
            {"heartbeats": serializers.ListField(child=serializers.DictField(), max_length=1000)},
        ),
        responses={
            202: inline_serializer(
                "HeartbeatBatchResult",
                {
                    "accepted": serializers.IntegerField(),
                    "rejected": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        only_host: str | None = None
        if isinstance(request.auth, Host):
            only_host = str(request.auth.pk)
        elif not (
            isinstance(request.auth, ApiClient)
            and request.auth.tenant_id is None
            and ApiScope.TELEMETRY in request.auth.scopes
        ):
            raise Forbidden(
                "Heartbeats come from the vendor's telemetry pipeline or a host's own credential."
            )
        body = request.data
        if not isinstance(body, dict) or set(body) - {"heartbeats"}:
            raise InvalidInput(
                'The body is {"heartbeats": [...]}.', errors={"heartbeats": ["A list of heartbeats."]}
            )
        result = ingest.heartbeats_ingest(body.get("heartbeats"), only_host_id=only_host)
        return Response(result.as_dict(), status=status.HTTP_202_ACCEPTED)


# ------------------------------------------------------------------------------------- tenant


_HOST_FILTER_PARAMS = [
    OpenApiParameter("status", str, description="online, offline, crashed, boot_loop, silent, recovering"),
    OpenApiParameter("platform", str, description="windows, macos, linux"),
    OpenApiParameter("sensor_build", str),
    OpenApiParameter("content", str, description="<category>:<version>"),
    OpenApiParameter("site", str),
    OpenApiParameter("tag", str),
    OpenApiParameter("q", str, description="Any part of a hostname (any case), or a host id."),
    OpenApiParameter("group", OpenApiTypes.UUID, description="host group id"),
]


class HostListView(TenantAPIView, generics.ListAPIView[Host]):
    """``GET /api/v1/hosts/``: the tenant's hosts by hostname, cursor-paginated, with filters."""

    queryset = Host.objects.all()
    serializer_class = HostOutput
    pagination_class = HostCursorPagination
    scope_map = {"GET": READ, "HEAD": READ, "OPTIONS": READ}

    def filter_queryset_for_view(self, queryset: Any) -> Any:
        return selectors.host_filters_apply(
            queryset, tenant_id=self.tenant.pk, params=self.request.query_params
        )

    @extend_schema(parameters=_HOST_FILTER_PARAMS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class HostDetailView(TenantAPIView, generics.RetrieveDestroyAPIView[Host]):
    """``GET / DELETE /api/v1/hosts/<id>/``: one host with its recent crashes; delete retires it."""

    queryset = Host.objects.all()
    serializer_class = HostDetailOutput
    scope_map = {"GET": READ, "HEAD": READ, "OPTIONS": READ, "DELETE": WRITE}

    def perform_destroy(self, instance: Host) -> None:
        services.host_delete(tenant=self.tenant, actor=self.ctx.actor, host=instance)
        ingest.host_cache_forget(instance.pk)


class EnrolmentTokenOutput(serializers.ModelSerializer[EnrolmentToken]):
    active = serializers.SerializerMethodField()

    class Meta:
        model = EnrolmentToken
        fields = (
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "hosts_enrolled",
            "active",
        )

    def get_active(self, token: EnrolmentToken) -> bool:
        return token.is_active()


class EnrolmentTokenListView(TenantAPIView, generics.ListAPIView[EnrolmentToken]):
    """``GET / POST /api/v1/enrolment-tokens/``: tenant admins list and create enrolment tokens."""

    queryset = EnrolmentToken.objects.all()
    serializer_class = EnrolmentTokenOutput
    scope_map = {"GET": ADMIN, "HEAD": ADMIN, "OPTIONS": ADMIN, "POST": ADMIN}

    class EnrolmentTokenInput(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(
        request=EnrolmentTokenInput,
        responses={
            201: inline_serializer(
                "EnrolmentTokenCreated", {"id": serializers.UUIDField(), "token": serializers.CharField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = self.EnrolmentTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.enrolment_token_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data.validated_data["name"],
            expires_at=data.validated_data.get("expires_at"),
        )
        body = dict(EnrolmentTokenOutput(token).data)
        body["token"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class EnrolmentTokenDetailView(TenantAPIView, generics.RetrieveDestroyAPIView[EnrolmentToken]):
    """``GET / DELETE /api/v1/enrolment-tokens/<id>/``: DELETE revokes (the row stays for the record)."""

    queryset = EnrolmentToken.objects.all()
    serializer_class = EnrolmentTokenOutput
    scope_map = {"GET": ADMIN, "HEAD": ADMIN, "OPTIONS": ADMIN, "DELETE": ADMIN}

    def perform_destroy(self, instance: EnrolmentToken) -> None:
        services.enrolment_token_revoke(tenant=self.tenant, actor=self.ctx.actor, token=instance)


class BuildShareOut(serializers.Serializer[Any]):
    platform = serializers.CharField()
    build = serializers.CharField(allow_blank=True, allow_null=True)
    hosts = serializers.IntegerField()
    share = serializers.FloatField()


class ContentShareOut(serializers.Serializer[Any]):
    category = serializers.CharField()
    version = serializers.CharField()
    hosts = serializers.IntegerField()
    share = serializers.FloatField()
    crashed_hosts = serializers.IntegerField(help_text="Hosts that reported a crash on it in the last hour.")
    crash_rate = serializers.FloatField()


class PlatformHealthOut(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    status = serializers.DictField(child=serializers.IntegerField(), help_text="Hosts per status.")


class GroupRefOut(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    name = serializers.CharField()


class FleetHealthOut(serializers.Serializer[Any]):
    tenant_id = serializers.UUIDField()
    group_id = serializers.UUIDField(allow_null=True)
    platform = serializers.CharField(allow_null=True)
    as_of = serializers.DateTimeField()
    total = serializers.IntegerField()
    status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Hosts per status (online, offline, crashed, ...)."
    )
    platforms = serializers.DictField(child=PlatformHealthOut())
    sensor_builds = BuildShareOut(many=True)
    content = ContentShareOut(many=True)
    crashes_last_hour = serializers.IntegerField()
    groups = GroupRefOut(many=True, help_text="The tenant's host groups (to filter by).")
    flushed_at = serializers.FloatField(allow_null=True, help_text="Unix time of the last heartbeat flush.")


class FleetSeriesOut(serializers.Serializer[Any]):
    minutes = serializers.IntegerField()
    samples = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per minute, oldest first: `minute` and the sample's counters.",
    )


class FleetHealthView(TenantAPIView):
    """``GET /api/v1/fleet/health/``: the tenant's fleet health now (per group / platform on request)."""

    queryset = Host.objects.all()
    scope_map = {"GET": READ, "HEAD": READ, "OPTIONS": READ}

    @extend_schema(
        parameters=[
            OpenApiParameter("group", OpenApiTypes.UUID, description="host group id"),
            OpenApiParameter("platform", str, description="windows, macos, linux"),
        ],
        summary="Get fleet health now",
        responses={200: FleetHealthOut},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        group_id: uuid.UUID | None = None
        if params.get("group"):
            ref = selectors.host_group_sql(self.tenant.pk, params["group"])
            if ref is None:
                raise InvalidInput("No such host group.", errors={"group": ["No such host group."]})
            group_id = uuid.UUID(params["group"])
        platform = params.get("platform") or None
        if platform is not None and platform not in dict(Host._meta.get_field("platform").choices or []):
            raise InvalidInput("Unknown platform.", errors={"platform": ["One of windows, macos, linux."]})
        snapshot = selectors.fleet_snapshot(self.tenant.pk, group_id=group_id, platform=platform)
        snapshot["groups"] = [
            {"id": str(g.id), "name": g.name} for g in selectors.host_groups(self.tenant.pk)
        ]
        snapshot["flushed_at"] = ingest.last_flush_at()
        return Response(snapshot)


class FleetSeriesView(TenantAPIView):
    """``GET /api/v1/fleet/series/?minutes=60``: per-minute fleet-health samples, oldest first."""

    queryset = Host.objects.all()
    scope_map = {"GET": READ, "HEAD": READ, "OPTIONS": READ}

    @extend_schema(
        summary="Get the fleet-health time series",
        parameters=[OpenApiParameter("minutes", int, description="1 to 1440 (default 60)")],
        responses={200: FleetSeriesOut},
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("minutes", "60")
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 24 * 60:
            raise InvalidInput("minutes is 1 to 1440.", errors={"minutes": ["An integer from 1 to 1440."]})
        return Response(
            {"minutes": int(raw), "samples": selectors.fleet_series(self.tenant.pk, minutes=int(raw))}
        )


class HostCredentialScheme(OpenApiAuthenticationExtension):
    """Documents the sensors' own credential in the OpenAPI schema."""

    target_class = "telemetry.credentials.HostCredentialAuthentication"
    name = "hostCredential"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A host's own credential (uch_...), or 'Authorization: Host <host_id>:<credential>'.",
        }
