from __future__ import annotations

from typing import Any, ClassVar

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console import selectors
from console.access import READ
from console.models import AuditEvent
from console.pagination import CursorPagination
from console.scoping import TenantAPIView


class AuditCursorPagination(CursorPagination):
    ordering = "-id"


class AuditEventOut(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = (
            "seq",
            "created_at",
            "actor_kind",
            "actor_id",
            "actor_label",
            "grant_id",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
            "request_id",
            "ip",
            "user_agent",
            "hash",
        )


def paginated(view: Any, queryset: Any, serializer: type[serializers.BaseSerializer[Any]]) -> Response:
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer(page, many=True).data)


AUDIT_FILTER_PARAMETERS = [
    OpenApiParameter("actor", str, description="Actor label (contains) or actor id"),
    OpenApiParameter("action", str, description="Exact action, or a prefix ending in '.'"),
    OpenApiParameter("target", str, description="Target id, type, or label (contains)"),
    OpenApiParameter("grant", OpenApiTypes.UUID, description="Actions taken under this support grant"),
    OpenApiParameter("since", OpenApiTypes.DATETIME),
    OpenApiParameter("until", OpenApiTypes.DATETIME),
]


class AuditEventListApi(TenantAPIView):
    """The tenant's audit log, newest first."""

    queryset = AuditEvent.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    pagination_class = AuditCursorPagination

    @extend_schema(parameters=AUDIT_FILTER_PARAMETERS, responses=AuditEventOut(many=True), tags=["audit"])
    def get(self, request: Request) -> Response:
        filters = selectors.AuditFilter.from_params(request.query_params)
        return paginated(self, selectors.audit_event_list(tenant=self.tenant, filters=filters), AuditEventOut)


class _AuditExportApi(TenantAPIView):
    queryset = AuditEvent.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    pagination_class = None  # the whole filtered log, streamed (and so documented)
    kind = "csv"

    def get(self, request: Request) -> StreamingHttpResponse:
        filters = selectors.AuditFilter.from_params(request.query_params)
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        if self.kind == "csv":
            body, content_type = selectors.audit_export_csv(events), "text/csv; charset=utf-8"
        else:
            body, content_type = selectors.audit_export_json(events), "application/json"
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="audit-{self.tenant.slug}.{self.kind}"'
        return response


class AuditExportCsvApi(_AuditExportApi):
    """The filtered audit log as CSV, streamed."""

    kind = "csv"

    @extend_schema(
        parameters=AUDIT_FILTER_PARAMETERS, responses={(200, "text/csv"): OpenApiTypes.STR}, tags=["audit"]
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class AuditExportJsonApi(_AuditExportApi):
    """The filtered audit log as one JSON array, streamed."""

    kind = "json"

    @extend_schema(parameters=AUDIT_FILTER_PARAMETERS, responses=AuditEventOut(many=True), tags=["audit"])
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)
