"""The consent pieces of tenant pages (the pause page and a rollout's page): the requests to decide,
the standing rules, and the POST verbs that decide them. Admins decide; everyone else reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from console.access import ADMIN, TenantContext
from console.editing import is_uuid
from console.errors import ApplicationError
from console.models import Tenant
from rollout.consent.selectors import override_requests_for, override_rules_for
from rollout.consent.services import (
    override_approve,
    override_decline,
    override_rule_create,
    override_rule_revoke,
)
from rollout.models import ContentCategory, ContentRelease, OverrideKind, OverrideRequest, OverrideRule
from rollout.resolver.recurrence import local_to_utc, zone

VERBS = ("override_approve", "override_decline", "override_rule", "override_rule_revoke")


def consent_context(
    tenant: Tenant, ctx: TenantContext, *, release: ContentRelease | None = None
) -> dict[str, Any]:
    now = timezone.now()
    return {
        "override_requests": override_requests_for(tenant, now, release=release),
        "override_rules": override_rules_for(tenant, now) if release is None else [],
        "override_kinds": OverrideKind.choices,
        "override_categories": ContentCategory.objects.all(),
        "can_consent": ctx.can(ADMIN),
    }


def consent_post(tenant: Tenant, ctx: TenantContext, request: HttpRequest, back: str) -> HttpResponse | None:
    """Handles a consent verb posted to a page (None: not one of ours). A page answers with a redirect
    to ``back`` and a message, as the freeze verbs do."""
    verb = request.POST.get("form", "")
    if verb not in VERBS:
        return None
    if not ctx.can(ADMIN):
        return HttpResponse("Only admins decide vendor overrides.", status=403)
    target_id = request.POST.get(
        "request" if verb in ("override_approve", "override_decline") else "rule", ""
    )
    try:
        if verb in ("override_approve", "override_decline"):
            found = (
                OverrideRequest.objects.filter(tenant=tenant, pk=target_id).first()
                if is_uuid(target_id)
                else None
            )
            if found is None:
                return HttpResponse(status=404)
            if verb == "override_approve":
                outcome = override_approve(tenant=tenant, actor=ctx.actor, request=found)
                messages.success(request, f"Approved: {found.release} may pass. {outcome.blast.summary()}")
            else:
                override_decline(tenant=tenant, actor=ctx.actor, request=found)
                messages.info(request, "Declined: nothing changes for your hosts.")
        elif verb == "override_rule_revoke":
            rule = (
                OverrideRule.objects.filter(tenant=tenant, pk=target_id).first()
                if is_uuid(target_id)
                else None
            )
            if rule is None:
                return HttpResponse(status=404)
            override_rule_revoke(tenant=tenant, actor=ctx.actor, rule=rule)
            messages.info(request, "Standing rule revoked: the next vendor request waits for an admin.")
        else:
            raw = parse_datetime(request.POST.get("until", "") or "")
            until = (
                local_to_utc(raw, zone(tenant.timezone)) if raw is not None and raw.tzinfo is None else raw
            )
            override_rule_create(
                tenant=tenant,
                actor=ctx.actor,
                overrides=request.POST.getlist("overrides"),
                categories=[c for c in request.POST.getlist("categories") if c],
                until=until,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "Standing rule saved.")
    except ApplicationError as exc:
        errors = getattr(exc, "errors", None) or {}
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) if errors else exc.detail
        messages.error(request, detail)
    return redirect(back)
