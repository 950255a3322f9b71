"""Pages for people and access: members and invitations, API clients, vendor support access, the
audit log, tenant security; and the vendor staff's side of support.

Tenant pages subclass ``TenantPageMixin`` and declare ``scope_map`` like the API; the services do
the work and raise ``ApplicationError`` which the page shows next to the form, keeping the input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views import View

from console import selectors, services
from console.access import ADMIN, OWNER, READ, SESSION_GRANT_KEY, SESSION_TENANT_KEY, Actor
from console.errors import ApplicationError, InvalidInput
from console.models import (
    ApiClient,
    Invitation,
    Membership,
    Role,
    SupportGrant,
    SupportRequest,
    SupportRequestStatus,
    SupportScope,
    Tenant,
    User,
    VendorRole,
)
from console.scoping import TenantPageMixin


def _parse_local_datetime(raw: str, field: str) -> datetime | None:
    """An ``<input type=datetime-local>`` value (UTC) or ISO time; blank is None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput("Bad time.", errors={field: ["Use YYYY-MM-DD HH:MM."]})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _form_errors(exc: ApplicationError) -> dict[str, list[str]]:
    """Field errors for the template, plus ``general`` (the summary shown above the form)."""
    return {**exc.errors, "general": [exc.detail]}


def _int(raw: str, field: str, default: int) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput("Not a number.", errors={field: ["Give a whole number."]}) from exc


class ObjectActionPage(TenantPageMixin, View):
    """POST-only action on one tenant object (``pk`` in the URL); redirects back with a message."""

    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}
    success_url = "/"
    done_message = "Done."
    # Most actions are one service call, ``service(tenant=, actor=, <target>=obj)``: declare those
    # two instead of writing ``act``.
    service: ClassVar[Callable[..., Any] | None] = None
    target: ClassVar[str] = ""

    def act(self, obj: Any) -> None:
        service = type(self).service
        if service is None:
            raise NotImplementedError
        service(tenant=self.tenant, actor=self.ctx.actor, **{self.target: obj})

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.get_object(pk=pk)
        try:
            self.act(obj)
        except ApplicationError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, self.done_message)
        return redirect(self.success_url)


# --- members -------------------------------------------------------------------------------------


class MembersPage(TenantPageMixin, View):
    """Members, their roles, pending invitations, and the invite form."""

    model = Membership
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    def render_page(
        self,
        request: HttpRequest,
        *,
        form: dict[str, str] | None = None,
        errors: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        invitations = (
            self.scoped(Invitation.objects.all()).order_by("-created_at")[:100] if self.ctx.can(ADMIN) else []
        )
        return render(
            request,
            "console/members.html",
            {
                "members": self.get_queryset().select_related("user").order_by("user__username"),
                "invitations": invitations,
                "roles": Role.choices,
                "can_admin": self.ctx.can(ADMIN),
                "form": form or {"role": Role.VIEWER},
                "errors": errors or {},
                "invite_url": request.session.pop("console_invite_url", None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {"email": request.POST.get("email", ""), "role": request.POST.get("role", "")}
        try:
            expires_at = _parse_local_datetime(request.POST.get("expires_at", ""), "expires_at")
            if not form["email"].strip() or "@" not in form["email"]:
                raise InvalidInput("Bad e-mail.", errors={"email": ["Enter an e-mail address."]})
            issued = services.invitation_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                email=form["email"],
                role=form["role"],
                expires_at=expires_at,
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=_form_errors(exc), status=400)
        request.session["console_invite_url"] = request.build_absolute_uri(issued.path)
        messages.success(request, f"Invitation sent to {issued.invitation.email}.")
        return redirect("console-members")


class MemberRolePage(ObjectActionPage):
    model = Membership
    success_url = "/members/"
    done_message = "Role changed."

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        self.new_role = request.POST.get("role", "")
        return super().post(request, pk)

    def act(self, obj: Membership) -> None:
        services.membership_change_role(
            tenant=self.tenant, actor=self.ctx.actor, membership=obj, role=self.new_role
        )


class MemberRemovePage(ObjectActionPage):
    model = Membership
    success_url = "/members/"
    done_message = "Member removed."
    service = services.membership_remove
    target = "membership"


class InvitationRevokePage(ObjectActionPage):
    model = Invitation
    success_url = "/members/"
    done_message = "Invitation revoked."
    service = services.invitation_revoke
    target = "invitation"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponseBase:
    """The invitation link: sign up (new e-mail) or accept while signed in; single use."""
    invitation = services.invitation_by_token(token)
    if invitation is None or invitation.status != "pending":
        return render(
            request,
            "console/invitation_accept.html",
            {"invalid": True, "status": invitation.status if invitation else "not valid"},
            status=404,
        )
    has_account = User.objects.filter(username__iexact=invitation.email).exists()
    context: dict[str, Any] = {"invitation": invitation, "has_account": has_account, "errors": {}}
    if request.method == "POST":
        try:
            with transaction.atomic():  # a new account exists only if it also joined
                membership = _accept(request, token, has_account)
        except _SignInFirst:
            return redirect(f"/login/?next={request.path}")
        except ApplicationError as exc:
            context["errors"] = _form_errors(exc)
            return render(request, "console/invitation_accept.html", context, status=exc.status)
        request.session[SESSION_TENANT_KEY] = str(membership.tenant_id)
        messages.success(request, f"Welcome to {membership.tenant.name}.")
        return redirect("/")
    return render(request, "console/invitation_accept.html", context)


class _SignInFirst(Exception):
    pass


def _accept(request: HttpRequest, token: str, has_account: bool) -> Membership:
    """Accepts for the signed-in user, or creates the invited account first (new e-mail only)."""
    if request.user.is_authenticated:
        user = request.user
    else:
        if has_account:
            raise _SignInFirst
        password = request.POST.get("password", "")
        if password != request.POST.get("password2", ""):
            raise InvalidInput("Passwords differ.", errors={"password2": ["The passwords differ."]})
        user = services.user_create_for_invitation(
            token=token, password=password, first_name=request.POST.get("first_name", "")[:150]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return services.invitation_accept(token=token, user=user, request_actor=Actor.for_user(user, request))


# --- API clients ---------------------------------------------------------------------------------


class ApiClientsPage(TenantPageMixin, View):
    model = ApiClient
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "POST": ADMIN}

    def render_page(
        self,
        request: HttpRequest,
        *,
        form: dict[str, Any] | None = None,
        errors: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "console/api_clients.html",
            {
                "clients": self.get_queryset().order_by("-created_at"),
                "scopes": sorted(services.TENANT_API_SCOPES),
                "form": form or {"scopes": ["read"]},
                "errors": errors or {},
                "new_token": request.session.pop("console_new_token", None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form: dict[str, Any] = {
            "name": request.POST.get("name", ""),
            "scopes": request.POST.getlist("scopes"),
            "expires_at": request.POST.get("expires_at", ""),
            "allowed_ips": request.POST.get("allowed_ips", ""),
            "rate_limit_per_minute": request.POST.get("rate_limit_per_minute", ""),
        }
        try:
            rate = _int(form["rate_limit_per_minute"], "rate_limit_per_minute", 0) or None
            client, token = services.api_client_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                name=form["name"],
                scopes=form["scopes"],
                expires_at=_parse_local_datetime(form["expires_at"], "expires_at"),
                allowed_ips=[ip for ip in form["allowed_ips"].replace(",", " ").split() if ip],
                rate_limit_per_minute=rate,
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=_form_errors(exc), status=400)
        request.session["console_new_token"] = {"name": client.name, "token": token}
        return redirect("console-api-clients")


class ApiClientRevokePage(ObjectActionPage):
    model = ApiClient
    success_url = "/api-clients/"
    done_message = "API client revoked."
    service = services.api_client_revoke
    target = "client"


class ApiClientRotatePage(ObjectActionPage):
    model = ApiClient
    success_url = "/api-clients/"
    done_message = "New token issued; the old one no longer works."

    def act(self, obj: ApiClient) -> None:
        client, token = services.api_client_rotate(tenant=self.tenant, actor=self.ctx.actor, client=obj)
        self.request.session["console_new_token"] = {"name": client.name, "token": token}


# --- support access (tenant side) ----------------------------------------------------------------


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
            services.support_grant_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                staff_username=form["staff"],
                reason=form["reason"],
                scope=form["scope"],
                duration_hours=_int(form["duration_hours"], "duration_hours", 4),
                case_id=form["case_id"],
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=_form_errors(exc), status=400)
        messages.success(request, f"Access granted to {form['staff']}.")
        return redirect("console-support")


class SupportRequestApprovePage(ObjectActionPage):
    model = SupportRequest
    success_url = "/support/"
    done_message = "Request approved: the grant starts now."
    service = services.support_request_approve
    target = "request"


class SupportRequestDenyPage(ObjectActionPage):
    model = SupportRequest
    success_url = "/support/"
    done_message = "Request denied."
    service = services.support_request_deny
    target = "request"


class SupportGrantRevokePage(ObjectActionPage):
    model = SupportGrant
    success_url = "/support/"
    done_message = "Grant revoked: the vendor's access ended now."
    service = services.support_grant_revoke
    target = "grant"


# --- audit ---------------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 100


class AuditLogPage(TenantPageMixin, View):
    """The audit log with filters (actor, action, target, grant, time range), newest first, paged by id."""

    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            filters = selectors.AuditFilter.from_params(request.GET)
            errors: dict[str, list[str]] = {}
        except InvalidInput as exc:
            filters, errors = selectors.AuditFilter(), exc.errors
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        before = request.GET.get("before", "")
        if before.isdigit():
            events = events.filter(id__lt=int(before))
        page = list(events[: AUDIT_PAGE_SIZE + 1])
        more = len(page) > AUDIT_PAGE_SIZE
        page = page[:AUDIT_PAGE_SIZE]
        query = filters.as_query()
        next_query = {**query, "before": str(page[-1].id)} if more and page else None
        from urllib.parse import urlencode

        template = "console/audit_rows.html" if request.headers.get("HX-Request") else "console/audit.html"
        return render(
            request,
            template,
            {
                "events": page,
                "filters": {**query, **{k: request.GET.get(k, "") for k in ("since", "until")}},
                "errors": errors,
                "next_url": f"?{urlencode(next_query)}" if next_query else "",
                "export_query": urlencode(query),
            },
            status=400 if errors else 200,
        )


class AuditExportPage(TenantPageMixin, View):
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    kind = "csv"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        try:
            filters = selectors.AuditFilter.from_params(request.GET)
        except InvalidInput as exc:
            return HttpResponse(exc.detail, status=400, content_type="text/plain")
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        if self.kind == "csv":
            response = StreamingHttpResponse(
                selectors.audit_export_csv(events), content_type="text/csv; charset=utf-8"
            )
        else:
            response = StreamingHttpResponse(
                selectors.audit_export_json(events), content_type="application/json"
            )
        response["Content-Disposition"] = f'attachment; filename="audit-{self.tenant.slug}.{self.kind}"'
        return response


# --- tenant security -----------------------------------------------------------------------------


class SecurityPage(TenantPageMixin, View):
    """Two-factor status of the members; owners make it mandatory for everyone."""

    model = Membership
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OWNER}

    def get(self, request: HttpRequest) -> HttpResponse:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        members = list(self.get_queryset().select_related("user").order_by("user__username"))
        enrolled = set(
            TOTPDevice.objects.filter(user__in=[m.user_id for m in members], confirmed=True).values_list(
                "user_id", flat=True
            )
        )
        return render(
            request,
            "console/security.html",
            {
                "members": [(m, m.user_id in enrolled) for m in members],
                "is_owner": self.ctx.can(OWNER),
                "tenant": self.tenant,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        services.tenant_update_security(
            tenant=self.tenant, actor=self.ctx.actor, require_2fa=request.POST.get("require_2fa") == "on"
        )
        messages.success(request, "Security settings saved.")
        return redirect("console-security")


# --- vendor staff --------------------------------------------------------------------------------


def _support_staff(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if user.vendor_role not in services.SUPPORT_ROLES:
        raise Http404
    return user


def vendor_home_page(
    request: HttpRequest, *, form: dict[str, Any] | None = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    if not user.is_vendor_staff:
        return redirect("/")
    is_support = user.vendor_role in services.SUPPORT_ROLES
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
        services.support_request_create(
            tenant=tenant,
            staff=staff,
            actor=Actor.for_vendor_staff(staff, request),
            case_id=form["case_id"],
            reason=form["reason"],
            scope=form["scope"],
            duration_hours=_int(form["duration_hours"], "duration_hours", 4),
        )
    except ApplicationError as exc:
        return vendor_home_page(request, form=form, errors=_form_errors(exc), status=400)
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
        services.support_grant_break_glass(
            tenant=tenant,
            staff=staff,
            actor=Actor.for_vendor_staff(staff, request),
            justification=form["justification"],
            duration_hours=_int(form["bg_duration_hours"], "duration_hours", services.BREAK_GLASS_MAX_HOURS),
        )
    except ApplicationError as exc:
        return vendor_home_page(request, form=form, errors=_form_errors(exc), status=exc.status)
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
    services.support_session_start(
        grant=grant, staff=staff, actor=Actor.for_user(staff, request, grant_id=grant.pk)
    )
    request.session[SESSION_GRANT_KEY] = str(grant.pk)
    return redirect("/")


@login_required
def vendor_session_end(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        grant_id = request.session.pop(SESSION_GRANT_KEY, None)
        staff = cast(User, request.user)
        grant = SupportGrant.objects.select_related("tenant").filter(pk=grant_id, staff=staff).first()
        if grant is not None:
            services.support_session_end(grant=grant, actor=Actor.for_user(staff, request, grant_id=grant.pk))
    return redirect("vendor-home")
