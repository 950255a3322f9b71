from __future__ import annotations

from datetime import datetime

from console.models import Tenant
from rollout import resolver as rv
from rollout.models import Pause


def active_pauses(tenant: Tenant, at: datetime) -> list[Pause]:
    """Pauses holding now (a system-critical category's cap ends its pauses early)."""
    out = []
    for pause in Pause.objects.filter(tenant=tenant, resumed_at__isnull=True).select_related(
        "category", "group"
    ):
        category = pause.category
        facts = rv.Pause(str(pause.pk), pause.scope, pause.reason, pause.created_at, pause.expires_at)
        cat = (
            rv.Category(category.key, category.system_critical, category.max_pause_hours)
            if category
            else None
        )
        if rv.pause_active(facts, at, cat):
            out.append(pause)
    return out
