from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from console.errors import ApplicationError
from console.scoping import ADMIN, READ, TenantPageMixin
from rollout.models import WebhookDelivery, WebhookEndpoint
from rollout.notifications.webhooks import EVENTS, webhook_create, webhook_delete


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

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("form") == "delete":
            endpoint = self.get_queryset().filter(pk=request.POST.get("webhook") or None).first()
            if endpoint is None:
                return HttpResponse(status=404)
            webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=endpoint)
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
