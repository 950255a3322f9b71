from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, InvalidInput
from console.events import API_CLIENT_CREATED, API_CLIENT_REVOKED, API_CLIENT_ROTATED
from console.models import ApiClient, ApiScope, Tenant
from console.services import expiry_check, sockets_notify
from console.tokens import token_generate

TENANT_API_SCOPES: Final = frozenset({ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN})


TENANT_API_SCOPE_CHOICES: Final = [(s.value, s.label) for s in ApiScope if s in TENANT_API_SCOPES]


def _validate_client(
    *, name: str, scopes: list[str], expires_at: datetime | None, allowed_ips: list[str]
) -> list[str]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the client a name."]
    bad = [s for s in scopes if s not in TENANT_API_SCOPES]
    if not scopes or bad:
        errors["scopes"] = [f"Choose from {', '.join(sorted(TENANT_API_SCOPES))}."]
    networks: list[str] = []
    for entry in allowed_ips:
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            errors.setdefault("allowed_ips", []).append(f"{entry!r} is not an IP address or network.")
    if errors:
        raise InvalidInput("The API client has invalid fields.", errors=errors)
    expiry_check(expires_at, "expires_at")
    return networks


def _client_state(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "prefix": client.prefix,
        "scopes": list(client.scopes),
        "allowed_ips": list(client.allowed_ips),
        "expires_at": client.expires_at,
        "rate_limit_per_minute": client.rate_limit_per_minute,
    }


def api_client_create(
    *,
    tenant: Tenant,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    allowed_ips: list[str] | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[ApiClient, str]:
    """A new tenant API client and its token (returned once; only its hash is kept)."""
    networks = _validate_client(
        name=name, scopes=scopes, expires_at=expires_at, allowed_ips=allowed_ips or []
    )
    token, lookup, digest = token_generate()
    with transaction.atomic():
        client = ApiClient.objects.create(
            tenant=tenant,
            name=name.strip(),
            prefix=lookup,
            token_hash=digest,
            scopes=sorted(set(scopes)),
            allowed_ips=networks,
            expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute,
            created_by=actor.user,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action=API_CLIENT_CREATED,
            target=client,
            after=_client_state(client),
        )
    return client, token


def api_client_revoke(*, tenant: Tenant, actor: Actor, client: ApiClient) -> ApiClient:
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk, tenant=tenant)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(tenant=tenant, actor=actor, action=API_CLIENT_REVOKED, target=client)
        sockets_notify(tenant, "api_client.revoked", client=str(client.pk))
    return client


def api_client_rotate(*, tenant: Tenant, actor: Actor, client: ApiClient) -> tuple[ApiClient, str]:
    """A new token for the same client; the old one stops working at once."""
    token, lookup, digest = token_generate()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk, tenant=tenant)
        if not client.is_active():
            raise Conflict("A revoked or expired client cannot be rotated; create a new one.")
        before = {"prefix": client.prefix}
        client.prefix, client.token_hash = lookup, digest
        client.save(update_fields=["prefix", "token_hash"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=API_CLIENT_ROTATED,
            target=client,
            before=before,
            after={"prefix": lookup},
        )
        sockets_notify(tenant, "api_client.rotated", client=str(client.pk))
    return client, token
