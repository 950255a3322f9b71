from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from console.errors import ApplicationError
from console.scoping import ADMIN, READ, TenantPageMixin
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.webhooks import (
    EVENTS,
    webhook_create,
    webhook_delete,
    webhook_delivery_get,
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_test_send,
)


class WebhooksPage(TenantPageMixin, View):
    model = WebhookEndpoint
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    def context(self, **extra: Any) -> dict[str, Any]:
        endpoints = list(self.get_queryset().order_by("name"))
        deliveries = (
            self.scoped(WebhookDelivery.objects.all())
            .select_related("endpoint")
            .order_by("-created_at")[:100]
        )
        return {
            "endpoints": endpoints,
            "deliveries": deliveries,
            "events": EVENTS,
            "form": {},
            "errors": {},
            "can_admin": self.ctx.can(ADMIN),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "rollout/webhooks.html", self.context())

    def endpoint_posted(self, request: HttpRequest) -> WebhookEndpoint | None:
        try:
            return self.get_queryset().filter(pk=request.POST.get("webhook") or None).first()
        except ValidationError:  # not a UUID
            return None

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("form")
        if action in ("delete", "test", "rotate"):
            endpoint = self.endpoint_posted(request)
            if endpoint is None:
                return HttpResponse(status=404)
            if action == "delete":
                webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=endpoint)
            elif action == "test":
                webhook_test_send(tenant=self.tenant, actor=self.ctx.actor, endpoint=endpoint)
            else:
                secret = webhook_secret_rotate(tenant=self.tenant, actor=self.ctx.actor, endpoint=endpoint)
                return render(request, "rollout/webhooks.html", self.context(secret=secret, rotated=endpoint))
            return redirect("/rollout/webhooks/")
        if action == "redeliver":
            delivery = webhook_delivery_get(self.tenant.pk, request.POST.get("delivery"))
            if delivery is None:
                return HttpResponse(status=404)
            webhook_redeliver(tenant=self.tenant, actor=self.ctx.actor, delivery=delivery)
            return redirect("/rollout/webhooks/")
        form = dict(request.POST.items())
        try:
            _, secret = webhook_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                name=request.POST.get("name", ""),
                url=request.POST.get("url", ""),
                events=request.POST.getlist("events"),
            )
        except ApplicationError as exc:
            ctx = self.context(form=form, errors=exc.errors, error="" if exc.errors else exc.detail)
            return render(request, "rollout/webhooks.html", ctx, status=400)
        return render(request, "rollout/webhooks.html", self.context(secret=secret))
