"""Values every page needs: the current tenant, the user's tenants, the support-session banner."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from console.access import SESSION_GRANT_KEY, NoTenantSelected, resolve_context


def console(request: HttpRequest) -> dict[str, Any]:
    ctx = getattr(request, "tenant_ctx", None)
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if (
        ctx is None
        and user is not None
        and getattr(user, "is_vendor_staff", False)
        and session is not None
        and session.get(SESSION_GRANT_KEY)
    ):
        # Vendor pages too show the support banner while a grant is being used.
        try:
            ctx = resolve_context(user=user, api_client=None, session=session, request=request)
        except NoTenantSelected:
            ctx = None
    return {
        "tenant_ctx": ctx,
        "current_tenant": ctx.tenant if ctx is not None else None,
        "tenant_permissions": ctx.permissions if ctx is not None else frozenset(),
        "support_session": ctx is not None and ctx.actor.grant_id is not None,
    }
