from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.conventions import input_valid
from console.scoping import ADMIN, READ, TenantAPIView
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.webhooks import EVENTS, webhook_create, webhook_delete, webhook_dict


class WebhookIn(serializers.Serializer):
    # Blank values reach the service, which names every bad field at once.
    name = serializers.CharField(max_length=120, allow_blank=True)
    url = serializers.CharField(max_length=500, allow_blank=True)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Events to send (empty: all): " + ", ".join(EVENTS),
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
        return Response({"results": [webhook_dict(w) for w in self.get_queryset()]})

    @extend_schema(request=WebhookIn, responses=OpenApiTypes.OBJECT, tags=["webhooks"])
    def post(self, request: Request) -> Response:
        data = input_valid(WebhookIn, request.data)
        endpoint, secret = webhook_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            url=data["url"],
            events=data["events"],
        )
        return Response({**webhook_dict(endpoint), "secret": secret}, status=201)


class WebhookDetailView(TenantAPIView):
    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "DELETE": ADMIN}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["webhooks"])
    def get(self, request: Request, pk: Any) -> Response:
        endpoint = self.get_object()
        deliveries = endpoint.deliveries.order_by("-created_at")[:100]
        return Response({**webhook_dict(endpoint), "deliveries": [delivery_out(d) for d in deliveries]})

    @extend_schema(responses=None, tags=["webhooks"])
    def delete(self, request: Request, pk: Any) -> Response:
        webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=self.get_object())
        return Response(status=204)
