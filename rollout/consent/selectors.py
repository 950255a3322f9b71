from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from console.models import Tenant
from rollout.consent.services import override_state_at
from rollout.models import ContentRelease, OverrideRequest, OverrideRule, OverrideState


def override_requests_for(
    tenant: Tenant, at: datetime, *, release: ContentRelease | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The tenant's override requests, newest first, each with the state a reader sees at ``at``
    (``pending`` only while it can still be decided)."""
    rows: QuerySet[OverrideRequest] = OverrideRequest.objects.filter(tenant=tenant).select_related(
        "release__category"
    )
    if release is not None:
        rows = rows.filter(release=release)
    return [
        {"request": r, "state": override_state_at(r, at)}
        for r in rows.order_by("-requested_at", "pk")[:limit]
    ]


def override_rules_for(tenant: Tenant, at: datetime) -> list[dict[str, Any]]:
    rules = OverrideRule.objects.filter(tenant=tenant).order_by("-created_at", "pk")[:20]
    return [{"rule": r, "live": r.revoked_at is None and r.until > at} for r in rules]


def override_states_by_tenant(release: ContentRelease, at: datetime) -> list[dict[str, Any]]:
    """The vendor's view of one release: per tenant, its latest request's state."""
    latest: dict[Any, dict[str, Any]] = {}
    rows = (
        OverrideRequest.objects.filter(release=release)
        .select_related("tenant")
        .order_by("-requested_at", "pk")
    )
    for row in rows[:500]:
        latest.setdefault(row.tenant_id, {"request": row, "state": override_state_at(row, at)})
    return sorted(latest.values(), key=lambda item: item["request"].tenant.name)


def pending_count(tenant: Tenant, at: datetime) -> int:
    return OverrideRequest.objects.filter(
        tenant=tenant, state=OverrideState.PENDING, expires_at__gt=at
    ).count()
