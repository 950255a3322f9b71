"""``Authorization: Bearer <token>`` for API clients (tenant automation and the vendor)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from console.access import client_ip
from console.models import ApiClient
from console.tokens import token_matches, token_split

LAST_USED_RESOLUTION = timedelta(seconds=60)


class MachinePrincipal:
    """Stands in for ``request.user`` when a machine calls (an API client, a sensor): authenticated,
    never staff, named ``<kind>:<name>`` in logs and audit."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_vendor_staff = False
    kind = "machine"

    def __init__(self, pk: Any, name: str) -> None:
        self.pk = pk
        self.id = pk
        self.name = name

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"

    def get_username(self) -> str:
        return str(self)


class ApiClientPrincipal(MachinePrincipal):
    """An API client calling with its bearer token."""

    kind = "api"

    def __init__(self, client: ApiClient) -> None:
        super().__init__(client.pk, client.name)
        self.client = client


def ip_allowed(ip: str | None, allowed: list[str]) -> bool:
    if not allowed:
        return True
    if ip is None:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def api_client_authenticate(token: str, request: HttpRequest) -> ApiClient:
    """The active client owning ``token``; raises AuthenticationFailed with a clear reason."""
    lookup = token_split(token)
    if lookup is None:
        raise exceptions.AuthenticationFailed("Malformed token.")
    client = ApiClient.objects.select_related("tenant").filter(prefix=lookup).first()
    if client is None or not token_matches(token, client.token_hash):
        raise exceptions.AuthenticationFailed("Invalid token.")
    now = timezone.now()
    if client.revoked_at is not None:
        raise exceptions.AuthenticationFailed("Token revoked.")
    if client.expires_at is not None and client.expires_at <= now:
        raise exceptions.AuthenticationFailed("Token expired.")
    ip = client_ip(request)
    if not ip_allowed(ip, list(client.allowed_ips)):
        raise exceptions.AuthenticationFailed("Source address not allowed for this token.")
    if (
        client.last_used_at is None
        or now - client.last_used_at > LAST_USED_RESOLUTION
        or client.last_used_ip != ip
    ):
        # Bounded write rate: at most one row update per client per minute (or when the IP moves).
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now, last_used_ip=ip)
        client.last_used_at, client.last_used_ip = now, ip
    return client


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiClient] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        client = api_client_authenticate(parts[1], request._request)
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
