"""Values every page needs: the current tenant, the user's tenants, the support-session banner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def console(request: HttpRequest) -> dict[str, Any]:
    ctx = getattr(request, "tenant_ctx", None)
    return {
        "tenant_ctx": ctx,
        "current_tenant": ctx.tenant if ctx is not None else None,
        "support_session": ctx is not None and ctx.actor.grant_id is not None,
    }
