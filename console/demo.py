"""Demo data of the foundation: the vendor's staff, tenants acme and globex, a user per role,
an API client per tenant. Idempotent: running it again changes nothing and prints the same."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from console.access import Actor
from console.models import (
    ApiClient,
    ApiScope,
    Membership,
    Role,
    SupportRequest,
    SupportRequestStatus,
    Tenant,
    User,
    VendorRole,
)
from console.support.services import support_request_create
from console.tenancy import tenant_ensure
from console.tokens import TOKEN_PREFIX, token_hash

SYSTEM = Actor.system("seed_demo")

DEMO_PASSWORD = "demo-password-2024"  # noqa: S105 - printed demo login, dev only
TENANTS = {"acme": ("Acme Corporation", "America/New_York"), "globex": ("Globex Industries", "Europe/Berlin")}
VENDOR_STAFF = {
    "support@vendor.example": VendorRole.SUPPORT_ENGINEER,
    "support-lead@vendor.example": VendorRole.SUPPORT_LEAD,
    "release@vendor.example": VendorRole.RELEASE_ENGINEER,
}


def demo_token(name: str) -> tuple[str, str]:
    """A stable token for a demo client (derived from SECRET_KEY), as ``(token, lookup)``."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-token:{name}".encode(), hashlib.sha256).hexdigest()
    lookup = digest[:12]
    return f"{TOKEN_PREFIX}_{lookup}_{digest[12:56]}", lookup


def _user(username: str, *, vendor_role: str = "", first_name: str = "") -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": username, "vendor_role": vendor_role, "first_name": first_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _client(name: str, tenant: Tenant | None, scopes: list[str]) -> dict[str, Any]:
    token, lookup = demo_token(name)
    ApiClient.objects.update_or_create(
        prefix=lookup,
        defaults={"name": name, "tenant": tenant, "scopes": scopes, "token_hash": token_hash(token)},
    )
    return {"tenant": tenant.slug if tenant else "vendor", "name": name, "token": token, "scopes": scopes}


DEMO_CASE_ID = "CASE-24071"


def _pending_support_request() -> None:
    """One request from vendor support to acme, waiting for acme's owner/admin (made once)."""
    from django.utils import timezone

    tenant = Tenant.objects.get(slug="acme")
    staff = User.objects.get(username="support@vendor.example")
    exists = SupportRequest.objects.filter(
        tenant=tenant,
        case_id=DEMO_CASE_ID,
        status=SupportRequestStatus.PENDING,
        answer_by__gt=timezone.now(),
    ).exists()
    if not exists:
        support_request_create(
            tenant=tenant,
            staff=staff,
            case_id=DEMO_CASE_ID,
            reason="Sensor on FIN-LAPTOP-17 reports content load errors; we need to see its update policy.",
            scope="read",
            duration_hours=4,
        )


@transaction.atomic
def seed_console() -> dict[str, Any]:
    logins: list[dict[str, str]] = []
    tokens: list[dict[str, Any]] = []
    for username, vendor_role in VENDOR_STAFF.items():
        _user(username, vendor_role=vendor_role)
        logins.append(
            {"username": username, "password": DEMO_PASSWORD, "what": f"vendor {vendor_role.label.lower()}"}
        )
    for slug, (name, tz) in TENANTS.items():
        tenant, _ = tenant_ensure(slug=slug, name=name, timezone=tz, actor=SYSTEM)
        for role in (Role.OWNER, Role.ADMIN, Role.OPERATOR, Role.VIEWER):
            username = f"{role.value}@{slug}.example"
            user = _user(username)
            Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": role})
            logins.append({"username": username, "password": DEMO_PASSWORD, "what": f"{slug} {role.value}"})
        tokens.append(_client(f"{slug}-automation", tenant, [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE]))
    _pending_support_request()
    tokens.append(_client("vendor-release-pipeline", None, [ApiScope.VENDOR]))
    tokens.append(_client("vendor-telemetry-pipeline", None, [ApiScope.TELEMETRY]))
    return {
        "logins": logins,
        "api_tokens": tokens,
        "tenants": list(TENANTS),
        "pending_support_request": {
            "tenant": "acme",
            "case_id": DEMO_CASE_ID,
            "staff": "support@vendor.example",
        },
    }
