from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from console.access import ADMIN, OWNER, READ, SESSION_TENANT_KEY, Actor
from console.errors import ApplicationError, InvalidInput
from console.models import Invitation, Membership, Role, User
from console.pages import ObjectActionPage, form_errors, parse_local_datetime
from console.people.services import (
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    tenant_update_security,
    user_create_for_invitation,
)
from console.scoping import TenantPageMixin


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
            expires_at = parse_local_datetime(request.POST.get("expires_at", ""), "expires_at")
            if not form["email"].strip() or "@" not in form["email"]:
                raise InvalidInput("Bad e-mail.", errors={"email": ["Enter an e-mail address."]})
            issued = invitation_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                email=form["email"],
                role=form["role"],
                expires_at=expires_at,
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=form_errors(exc), status=400)
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
        membership_change_role(tenant=self.tenant, actor=self.ctx.actor, membership=obj, role=self.new_role)


class MemberRemovePage(ObjectActionPage):
    model = Membership
    success_url = "/members/"
    done_message = "Member removed."
    service = membership_remove
    target = "membership"


class InvitationRevokePage(ObjectActionPage):
    model = Invitation
    success_url = "/members/"
    done_message = "Invitation revoked."
    service = invitation_revoke
    target = "invitation"


def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponseBase:
    """The invitation link: sign up (new e-mail) or accept while signed in; single use."""
    invitation = invitation_by_token(token)
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
            context["errors"] = form_errors(exc)
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
        user = user_create_for_invitation(
            token=token, password=password, first_name=request.POST.get("first_name", "")[:150]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return invitation_accept(token=token, user=user, request_actor=Actor.for_user(user, request))


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
        tenant_update_security(
            tenant=self.tenant, actor=self.ctx.actor, require_2fa=request.POST.get("require_2fa") == "on"
        )
        messages.success(request, "Security settings saved.")
        return redirect("console-security")
