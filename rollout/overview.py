"""The dashboard's overview of update control: active rollouts with their progress, active pauses
and freezes, recent halts and recalls, and sync health. Served as an htmx fragment the fleet
dashboard (telemetry, a lower layer) loads by URL, and re-fetched when a rollout or pause changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from console.models import Tenant
from console.scoping import READ, TenantPageMixin
from rollout.desired.status import sync_status_for
from rollout.models import Freeze, Rollout, RolloutState
from rollout.rings.progress import LIVE_STATES
from rollout.rings.views import rollout_rows
from rollout.selectors.controls import active_pauses

RECENT = timedelta(days=7)
ACTIVE_SHOWN = 10


def overview_for(tenant: Tenant) -> dict[str, Any]:
    """Everything the overview card shows, read only."""
    now = timezone.now()
    live = list(
        Rollout.objects.filter(tenant=tenant, state__in=LIVE_STATES)
        .select_related("release")
        .order_by("-created_at")[:ACTIVE_SHOWN]
    )
    stopped = list(
        Rollout.objects.filter(tenant=tenant, state__in=(RolloutState.HALTED, RolloutState.ROLLED_BACK))
        .filter(Q(halted_at__gte=now - RECENT) | Q(rolled_back_at__gte=now - RECENT))
        .select_related("release")
        .order_by("-created_at")[:ACTIVE_SHOWN]
    )
    freezes = list(
        Freeze.objects.filter(
            tenant=tenant, starts_at__lte=now, ends_at__gt=now, lifted_at__isnull=True
        ).order_by("ends_at")
    )
    return {
        "active": rollout_rows(live),
        "pauses": active_pauses(tenant, now),
        "freezes": freezes,
        "stopped": [
            {
                "r": r,
                "at": r.rolled_back_at or r.halted_at,
                "recalled": bool(r.release and r.release.stage == "recalled"),
            }
            for r in stopped
        ],
        "sync": sync_status_for(tenant),
    }


class OverviewFragment(TenantPageMixin, View):
    """The overview card alone (htmx)."""

    model = Rollout
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "rollout/_overview.html", {"o": overview_for(self.tenant)})
