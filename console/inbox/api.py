from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import OPERATE, READ
from console.api import paginated
from console.errors import InvalidInput
from console.inbox.selectors import notification_list
from console.inbox.services import notification_mark_read, notifications_mark_all_read
from console.models import Notification
from console.scoping import TenantAPIView

TAGS = ["notifications"]


class NotificationOut(serializers.ModelSerializer[Notification]):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = (
            "id",
            "event",
            "title",
            "link",
            "severity",
            "payload",
            "created_at",
            "read",
            "read_at",
            "read_by",
        )

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class MarkedReadOut(serializers.Serializer[Any]):
    marked_read = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class NotificationListApi(TenantAPIView):
    """The tenant's notification centre, newest first."""

    queryset = Notification.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    class NotificationListInput(serializers.Serializer[Any]):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        summary="List notifications",
        parameters=[OpenApiParameter("unread", bool, description="Only the unread ones")],
        responses=NotificationOut(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = self.NotificationListInput(data=request.query_params)
        if not query.is_valid():
            raise InvalidInput("Bad query parameters.", errors=query.errors)
        items = notification_list(self.tenant, unread_only=query.validated_data["unread"])
        return paginated(self, items, NotificationOut)


class NotificationReadApi(TenantAPIView):
    """Marks one notification read for the whole tenant (audited)."""

    queryset = Notification.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(summary="Mark a notification read", request=None, responses=NotificationOut, tags=TAGS)
    def post(self, request: Request, pk: str) -> Response:
        notification = notification_mark_read(
            tenant=self.tenant, actor=self.ctx.actor, notification=self.get_object()
        )
        return Response(NotificationOut(notification).data)


class NotificationReadAllApi(TenantAPIView):
    """Marks every unread notification of the tenant read (one audit row)."""

    queryset = Notification.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(summary="Mark all notifications read", request=None, responses=MarkedReadOut, tags=TAGS)
    def post(self, request: Request) -> Response:
        count = notifications_mark_all_read(tenant=self.tenant, actor=self.ctx.actor)
        return Response(MarkedReadOut({"marked_read": count}).data)
