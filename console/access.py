"""Who is acting, in which tenant, with which permissions: resolved once per request.

Permissions are expressed once, here, as sets per role / API scope / support-grant scope. Views
declare which permission each HTTP method needs (``scope_map``); nothing else checks roles.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from console.logs import log_context_bind
from console.models import ActorKind, ApiClient, ApiScope, Membership, Role, SupportGrant, Tenant, User
from console.proxies import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

# Permissions.
READ: Final = "read"  # see everything in the tenant, export the audit log
OPERATE: Final = "operate"  # pause/resume, promote/halt a ring, pin/rollback
WRITE: Final = "write"  # groups, policies, rings, windows, enrolment
ADMIN: Final = "admin"  # members, API clients, support grants, tenant settings
OWNER: Final = "owner"  # ownership transfer, tenant-wide security settings
ALL_PERMISSIONS: Final = frozenset({READ, OPERATE, WRITE, ADMIN, OWNER})

ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    Role.VIEWER: frozenset({READ}),
    Role.OPERATOR: frozenset({READ, OPERATE}),
    Role.ADMIN: frozenset({READ, OPERATE, WRITE, ADMIN}),
    Role.OWNER: ALL_PERMISSIONS,
}

API_SCOPE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    ApiScope.READ: frozenset({READ}),
    ApiScope.WRITE: frozenset({READ, WRITE}),
    ApiScope.PAUSE: frozenset({READ, OPERATE}),
    ApiScope.ADMIN: frozenset({READ, ADMIN}),
}

SUPPORT_SCOPE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset({READ}),
    "operate": frozenset({READ, OPERATE}),
}

SESSION_TENANT_KEY: Final = "console_tenant_id"
SESSION_GRANT_KEY: Final = "console_support_grant_id"


@dataclass(frozen=True)
class Actor:
    """The real actor of a mutation, as the audit log records it."""

    kind: str
    id: str = ""
    label: str = ""
    grant_id: uuid.UUID | None = None
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""
    user: User | None = field(default=None, compare=False, repr=False)
    api_client: ApiClient | None = field(default=None, compare=False, repr=False)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=ActorKind.SYSTEM, id="", label=label)

    @classmethod
    def system_for_request(cls, label: str, request: HttpRequest | None) -> Actor:
        """The console acting on its own about an anonymous request (e.g. locking out a sign-in
        source): the row carries the requester's address, user agent and request id."""
        return cls(kind=ActorKind.SYSTEM, id="", label=label, **_request_meta(request))

    @classmethod
    def for_user(
        cls, user: User, request: HttpRequest | None = None, grant_id: uuid.UUID | None = None
    ) -> Actor:
        kind = ActorKind.SUPPORT if grant_id else ActorKind.USER
        label = user.get_username() + (" (vendor support)" if grant_id else "")
        return cls(
            kind=kind, id=str(user.pk), label=label, grant_id=grant_id, user=user, **_request_meta(request)
        )

    @classmethod
    def for_vendor_staff(cls, user: User, request: HttpRequest | None = None) -> Actor:
        """Vendor staff acting as the vendor (filing a request, breaking glass), not under a grant."""
        return cls(
            kind=ActorKind.USER,
            id=str(user.pk),
            label=f"{user.get_username()} (vendor)",
            user=user,
            **_request_meta(request),
        )

    @classmethod
    def for_api_client(cls, client: ApiClient, request: HttpRequest | None = None) -> Actor:
        return cls(
            kind=ActorKind.API_CLIENT,
            id=str(client.pk),
            label=f"api:{client.name}",
            api_client=client,
            **_request_meta(request),
        )


def _request_meta(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip": None, "user_agent": "", "request_id": ""}
    return {
        "ip": client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
        "request_id": getattr(request, "request_id", ""),
    }


@dataclass(frozen=True)
class TenantContext:
    """The tenant a request acts in, the actor, and what that actor may do there."""

    tenant: Tenant
    actor: Actor
    permissions: frozenset[str]
    role: str = ""  # the membership role, empty for API clients and support staff
    grant_expires_at: object = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def membership_for(user: User, tenant_id: uuid.UUID | str) -> Membership | None:
    return Membership.objects.select_related("tenant").filter(user=user, tenant_id=tenant_id).first()


def user_tenants(user: User) -> list[Tenant]:
    return [
        m.tenant
        for m in Membership.objects.select_related("tenant").filter(user=user).order_by("tenant__name")
    ]


class NoTenantSelected(Exception):
    """A signed-in user with several tenants (or none) has not chosen one."""


def resolve_context(
    *,
    user: Any,
    api_client: ApiClient | None,
    session: Any,
    request: HttpRequest | None,
    tenant_hint: str | None = None,
) -> TenantContext | None:
    """The tenant context of a request or websocket (see ``_resolve``); its tenant and actor are
    added to the log context, so later log lines name them."""
    ctx = _resolve(
        user=user, api_client=api_client, session=session, request=request, tenant_hint=tenant_hint
    )
    if ctx is not None:
        log_context_bind(tenant_id=ctx.tenant.pk, actor=f"{ctx.actor.kind}:{ctx.actor.id}")
    return ctx


def _resolve(
    *,
    user: Any,
    api_client: ApiClient | None,
    session: Any,
    request: HttpRequest | None,
    tenant_hint: str | None = None,
) -> TenantContext | None:
    """The tenant context of a request or websocket, or None when the caller may not act in any tenant.

    - a tenant API client acts in its own tenant with its scopes' permissions;
    - vendor staff act only under an active support grant kept in the session (checked each time);
    - a member acts in the tenant chosen in the session (or named by ``tenant_hint``, a slug),
      defaulting to their only tenant.
    Raises ``NoTenantSelected`` when a member belongs to several tenants and chose none.
    """
    from django.utils import timezone

    if api_client is not None:
        if api_client.tenant is None:
            return None
        perms: set[str] = set()
        for scope in api_client.scopes:
            perms |= API_SCOPE_PERMISSIONS.get(scope, frozenset())
        return TenantContext(
            tenant=api_client.tenant,
            actor=Actor.for_api_client(api_client, request),
            permissions=frozenset(perms),
        )
    if user is None or not user.is_authenticated:
        return None
    if user.is_vendor_staff:
        grant_id = (session or {}).get(SESSION_GRANT_KEY)
        if not grant_id:
            return None
        now = timezone.now()
        grant = (
            SupportGrant.objects.select_related("tenant")
            .filter(pk=grant_id, staff=user, revoked_at__isnull=True, starts_at__lte=now, expires_at__gt=now)
            .first()
        )
        if grant is None:
            return None
        return TenantContext(
            tenant=grant.tenant,
            actor=Actor.for_user(user, request, grant_id=grant.pk),
            permissions=SUPPORT_SCOPE_PERMISSIONS[grant.scope],
            grant_expires_at=grant.expires_at,
        )
    membership: Membership | None = None
    if tenant_hint:
        membership = (
            Membership.objects.select_related("tenant").filter(user=user, tenant__slug=tenant_hint).first()
        )
        if membership is None:
            return None
    else:
        tenant_id = (session or {}).get(SESSION_TENANT_KEY)
        if tenant_id:
            membership = membership_for(user, tenant_id)
        if membership is None:
            memberships = list(Membership.objects.select_related("tenant").filter(user=user)[:2])
            if len(memberships) == 1:
                membership = memberships[0]
            elif memberships:
                raise NoTenantSelected
            else:
                return None
    return TenantContext(
        tenant=membership.tenant,
        actor=Actor.for_user(user, request),
        permissions=ROLE_PERMISSIONS[membership.role],
        role=membership.role,
    )


def two_factor_required(ctx: TenantContext) -> bool:
    """Whether the person behind ``ctx`` must have signed in with a second factor.

    Tenants can make it mandatory for every member; ``CONSOLE_REQUIRE_2FA_FOR_ADMINS`` (on in
    production by default) makes it mandatory for owners and admins everywhere. Machine clients
    and vendor staff under a grant are not members, so this does not apply to them.
    """
    from django.conf import settings

    if ctx.actor.kind != ActorKind.USER or not ctx.role:
        return False
    if ctx.tenant.require_2fa:
        return True
    return bool(getattr(settings, "CONSOLE_REQUIRE_2FA_FOR_ADMINS", False)) and ctx.role in (
        Role.OWNER,
        Role.ADMIN,
    )


def two_factor_missing(user: Any, ctx: TenantContext) -> bool:
    if not two_factor_required(ctx):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


_NEEDS: Final[dict[str, str]] = {
    READ: "a member's access",
    OPERATE: "an operator, admin or owner (or an operate support grant)",
    WRITE: "an admin or owner",
    ADMIN: "an admin or owner",
}


def access_label(ctx: TenantContext) -> str:
    """Who ``ctx`` is, in words for a page: "viewer", "read-only support session"."""
    if ctx.actor.grant_id is not None:
        return "read-only support session" if OPERATE not in ctx.permissions else "support session"
    return ctx.role or "API client"


def refusal_reason(ctx: TenantContext, permission: str) -> str:
    """Why ``ctx`` may not do what needs ``permission``, said to a person."""
    if not permission:
        return "This page only shows information; it takes no action."
    who = access_label(ctx)
    where = f"You are in a {who}" if "session" in who else f"You are signed in as {who}"
    return f"{where}: this action needs {_NEEDS.get(permission, permission)}."
