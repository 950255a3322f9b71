"""The distribution sync page: where the tenant's desired state stands with the backend."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from console.access import OPERATE, READ
from console.scoping import TenantPageMixin
from rollout.desired.api import desired_agreement, resolution_out
from rollout.desired.changes import RolloutPage
from rollout.desired.status import sync_resync, sync_status_for
from rollout.models import DesiredState, TenantRevision
from rollout.selectors.groups import groups_for_tenant, host_group_ids
from rollout.selectors.state import host_explain
from telemetry.models import Host


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


class HostWhyPage(RolloutPage):
    model = Host
    template_name = "rollout/host_why.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        host = self.get_object(pk=pk)
        resolved = host_explain(self.tenant, host, timezone.now())
        stored = desired_agreement(
            resolved, DesiredState.objects.filter(tenant=self.tenant, host=host).first()
        )
        groups = [g for g in groups_for_tenant(self.tenant) if str(g.pk) in host_group_ids(self.tenant, host)]
        context = {"host": host, "resolution": resolution_out(resolved), "groups": groups, "stored": stored}
        return self.page(request, context)
