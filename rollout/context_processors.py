"""The paused-tenant banner on every page (and when system-critical content resumes by itself)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from rollout.selectors.controls import active_pauses


def rollout(request: HttpRequest) -> dict[str, Any]:
    ctx = getattr(request, "tenant_ctx", None)
    if ctx is None:
        return {}

    pauses = active_pauses(ctx.tenant, timezone.now())
    tenant_pauses = [p for p in pauses if p.scope == "tenant"]
    return {
        "rollout_tenant_pause": tenant_pauses[0] if tenant_pauses else None,
        "rollout_active_pauses": pauses,
    }
