from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.conventions import input_valid
from console.errors import NotFound
from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.scoping import ADMIN, READ, TenantAPIView
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.webhooks import (
    EVENTS,
    webhook_create,
    webhook_delete,
    webhook_delivery_get,
    webhook_dict,
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_test_send,
)


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


class WebhookOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField(), help_text="Empty: every event.")
    active = serializers.BooleanField()
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="While a rotated-out secret still signs alongside the new one."
    )


class WebhookSecretOut(WebhookOut):
    secret = serializers.CharField(help_text="The `whsec_` signing secret, shown this once.")


class DeliveryOut(serializers.Serializer):
    id = serializers.UUIDField()
    webhook_id = serializers.CharField(help_text="The Standard Webhooks `webhook-id` (kept on redelivery).")
    redelivery_of = serializers.UUIDField(allow_null=True)
    event = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class WebhookDetailOut(WebhookOut):
    deliveries = DeliveryOut(many=True, help_text="The latest 100.")


def delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.pk),
        "webhook_id": str(d.redelivery_of_id or d.pk),
        "redelivery_of": str(d.redelivery_of_id) if d.redelivery_of_id else None,
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

    @extend_schema(
        summary="List webhooks",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(WebhookOut, "WebhookPage"),
        tags=["webhooks"],
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, self.get_queryset(), ordering=("name", "id"), present=webhook_dict)

    @extend_schema(
        summary="Create a webhook", request=WebhookIn, responses={201: WebhookSecretOut}, tags=["webhooks"]
    )
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

    @extend_schema(
        summary="Get a webhook and its latest deliveries", responses=WebhookDetailOut, tags=["webhooks"]
    )
    def get(self, request: Request, pk: Any) -> Response:
        endpoint = self.get_object()
        deliveries = endpoint.deliveries.order_by("-created_at")[:100]
        return Response({**webhook_dict(endpoint), "deliveries": [delivery_out(d) for d in deliveries]})

    @extend_schema(summary="Delete a webhook", responses={204: None}, tags=["webhooks"])
    def delete(self, request: Request, pk: Any) -> Response:
        webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=self.get_object())
        return Response(status=204)


class RotateIn(serializers.Serializer):
    grace_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        required=False,
        default=24,
        help_text="How long the old secret keeps signing alongside the new one (hours, 0 to 168).",
    )


class WebhookTestView(TenantAPIView):
    """Sends a ``webhook.test`` event to this webhook now (logged and retried like any event)."""

    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(summary="Send a test event", request=None, responses={202: DeliveryOut}, tags=["webhooks"])
    def post(self, request: Request, pk: Any) -> Response:
        delivery = webhook_test_send(tenant=self.tenant, actor=self.ctx.actor, endpoint=self.get_object())
        return Response(delivery_out(delivery), status=202)


class WebhookRedeliverView(TenantAPIView):
    """Sends one logged delivery of this webhook again, with its original ``webhook-id``."""

    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Redeliver a delivery", request=None, responses={202: DeliveryOut}, tags=["webhooks"]
    )
    def post(self, request: Request, pk: Any, delivery_pk: Any) -> Response:
        endpoint = self.get_object()
        delivery = webhook_delivery_get(self.tenant.pk, delivery_pk)
        if delivery is None or delivery.endpoint_id != endpoint.pk:
            raise NotFound("No such delivery.")
        again = webhook_redeliver(tenant=self.tenant, actor=self.ctx.actor, delivery=delivery)
        return Response(delivery_out(again), status=202)


class WebhookRotateSecretView(TenantAPIView):
    """A new ``whsec_`` secret (returned once); the old one keeps signing for ``grace_hours``."""

    queryset = WebhookEndpoint.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Rotate a webhook's secret", request=RotateIn, responses=WebhookSecretOut, tags=["webhooks"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        endpoint = self.get_object()  # another tenant's: 404 before the body is read
        data = input_valid(RotateIn, request.data or {})
        secret = webhook_secret_rotate(
            tenant=self.tenant,
            actor=self.ctx.actor,
            endpoint=endpoint,
            grace=timedelta(hours=data["grace_hours"]),
        )
        return Response({**webhook_dict(endpoint), "secret": secret})
