from __future__ import annotations

from typing import Any, ClassVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from console import selectors
from console.access import ADMIN, READ, SESSION_GRANT_KEY, Actor
from console.errors import ApplicationError, InvalidInput
from console.models import (
    SupportGrant,
    SupportRequest,
    SupportRequestStatus,
    SupportScope,
    Tenant,
    User,
    VendorRole,
)
from console.pages import ObjectActionPage, form_errors, int_or_none
from console.scoping import TenantPageMixin
from console.support.services import (
    BREAK_GLASS_MAX_HOURS,
    SUPPORT_ROLES,
    support_grant_break_glass,
    support_grant_create,
    support_grant_revoke,
    support_request_approve,
    support_request_create,
    support_request_deny,
    support_session_end,
    support_session_start,
)


class SupportAccessPage(TenantPageMixin, View):
    """Every request and grant, break-glass in red, actions per grant; approve, deny, revoke, grant."""

    model = SupportGrant
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    def render_page(
        self,
        request: HttpRequest,
        *,
        form: dict[str, Any] | None = None,
        errors: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        grants = list(self.get_queryset().select_related("staff", "approved_by", "revoked_by")[:200])
        counts = selectors.support_grant_action_counts(tenant=self.tenant, grants=grants)
        for grant in grants:
            grant.action_count = counts.get(grant.pk, 0)
        return render(
            request,
            "console/support.html",
            {
                "grants": grants,
                "requests": self.scoped(SupportRequest.objects.select_related("staff", "decided_by"))[:200],
                "pending": SupportRequestStatus.PENDING,
                "can_admin": self.ctx.can(ADMIN),
                "scopes": SupportScope.choices,
                "form": form or {"scope": "read", "duration_hours": "4"},
                "errors": errors or {},
                "now": timezone.now(),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {k: request.POST.get(k, "") for k in ("staff", "scope", "reason", "case_id", "duration_hours")}
        try:
            support_grant_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                staff_username=form["staff"],
                reason=form["reason"],
                scope=form["scope"],
                duration_hours=int_or_none(form["duration_hours"], "duration_hours", 4),
                case_id=form["case_id"],
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=form_errors(exc), status=400)
        messages.success(request, f"Access granted to {form['staff']}.")
        return redirect("console-support")


class SupportRequestApprovePage(ObjectActionPage):
    model = SupportRequest
    success_url = "/support/"
    done_message = "Request approved: the grant starts now."
    service = support_request_approve
    target = "request"


class SupportRequestDenyPage(ObjectActionPage):
    model = SupportRequest
    success_url = "/support/"
    done_message = "Request denied."
    service = support_request_deny
    target = "request"


class SupportGrantRevokePage(ObjectActionPage):
    model = SupportGrant
    success_url = "/support/"
    done_message = "Grant revoked: the vendor's access ended now."
    service = support_grant_revoke
    target = "grant"


def _support_staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if user.vendor_role not in SUPPORT_ROLES:
        raise Http404
    return user


def vendor_home_page(
    request: HttpRequest, *, form: dict[str, Any] | None = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_vendor_staff:
        return redirect("/")
    is_support = user.vendor_role in SUPPORT_ROLES
    now = timezone.now()
    return render(
        request,
        "console/vendor_home.html",
        {
            "is_support": is_support,
            "is_lead": user.vendor_role == VendorRole.SUPPORT_LEAD,
            "grants": SupportGrant.objects.filter(staff=user).select_related("tenant")[:100]
            if is_support
            else [],
            "requests": SupportRequest.objects.filter(staff=user).select_related("tenant")[:100]
            if is_support
            else [],
            "tenants": Tenant.objects.order_by("name") if is_support else [],
            "scopes": SupportScope.choices,
            "active_grant_id": request.session.get(SESSION_GRANT_KEY),
            "form": form or {"scope": "read", "duration_hours": "4"},
            "errors": errors or {},
            "now": now,
        },
        status=status,
    )


@login_required
def vendor_request_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("vendor-home")
    staff = _support_staff(request)
    form = {k: request.POST.get(k, "") for k in ("tenant", "case_id", "reason", "scope", "duration_hours")}
    try:
        tenant = Tenant.objects.filter(slug=form["tenant"]).first()
        if tenant is None:
            raise InvalidInput("Unknown tenant.", errors={"tenant": ["Choose a tenant."]})
        support_request_create(
            tenant=tenant,
            staff=staff,
            actor=Actor.for_vendor_staff(staff, request),
            case_id=form["case_id"],
            reason=form["reason"],
            scope=form["scope"],
            duration_hours=int_or_none(form["duration_hours"], "duration_hours", 4),
        )
    except ApplicationError as exc:
        return vendor_home_page(request, form=form, errors=form_errors(exc), status=400)
    messages.success(request, f"Access requested from {tenant.name}; its admins decide.")
    return redirect("vendor-home")


@login_required
def vendor_break_glass(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("vendor-home")
    staff = _support_staff(request)
    form = {k: request.POST.get(k, "") for k in ("bg_tenant", "justification", "bg_duration_hours")}
    try:
        tenant = Tenant.objects.filter(slug=form["bg_tenant"]).first()
        if tenant is None:
            raise InvalidInput("Unknown tenant.", errors={"bg_tenant": ["Choose a tenant."]})
        support_grant_break_glass(
            tenant=tenant,
            staff=staff,
            actor=Actor.for_vendor_staff(staff, request),
            justification=form["justification"],
            duration_hours=int_or_none(form["bg_duration_hours"], "duration_hours", BREAK_GLASS_MAX_HOURS),
        )
    except ApplicationError as exc:
        return vendor_home_page(request, form=form, errors=form_errors(exc), status=exc.status)
    messages.warning(request, f"Break-glass read access to {tenant.name}; its admins have been told.")
    return redirect("vendor-home")


@login_required
def vendor_grant_enter(request: HttpRequest, pk: str) -> HttpResponse:
    """Start acting in the grant's tenant (only the grant's own holder, only while it is active)."""
    if request.method != "POST":
        return redirect("vendor-home")
    staff = _support_staff(request)
    try:
        grant = SupportGrant.objects.select_related("tenant").get(pk=pk, staff=staff)
    except (SupportGrant.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not grant.is_active():
        messages.error(request, "This grant is not active.")
        return redirect("vendor-home")
    support_session_start(grant=grant, staff=staff, actor=Actor.for_user(staff, request, grant_id=grant.pk))
    request.session[SESSION_GRANT_KEY] = str(grant.pk)
    return redirect("/")


@login_required
def vendor_session_end(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        grant_id = request.session.pop(SESSION_GRANT_KEY, None)
        staff = cast(User, request.user)
        grant = SupportGrant.objects.select_related("tenant").filter(pk=grant_id, staff=staff).first()
        if grant is not None:
            support_session_end(grant=grant, actor=Actor.for_user(staff, request, grant_id=grant.pk))
    return redirect("vendor-home")
