"""The distribution sync page: where the tenant's desired state stands with the backend."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views import View

from console.access import OPERATE, READ
from console.scoping import TenantPageMixin
from rollout.desired import sync_resync, sync_status_for
from rollout.desired_models import TenantRevision


class SyncPage(TenantPageMixin, View):
    model = TenantRevision
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def get(self, request: HttpRequest) -> HttpResponse:
        confirm = request.GET.get("confirm") == "resync"
        return self.page(request, {"status": sync_status_for(self.tenant), "confirm": confirm})

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("confirm") != "yes":
            return self.page(request, {"status": sync_status_for(self.tenant), "confirm": True}, status=400)
        status = sync_resync(tenant=self.tenant, actor=self.ctx.actor)
        return self.page(request, {"status": status, "resynced": True})

    def page(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        can_operate = self.ctx.can(OPERATE)
        return render(request, "rollout/sync.html", {**context, "can_operate": can_operate}, status=status)


urlpatterns: list[Any] = [path("rollout/sync/", SyncPage.as_view(), name="rollout-sync")]
