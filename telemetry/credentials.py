"""Enrolment tokens and per-host credentials: recognisable prefixes, only a SHA-256 stored.

``uce_<lookup>_<secret>`` enrols a sensor into the one tenant that owns the token;
``uch_<lookup>_<secret>`` is a host's own credential (heartbeats, and the edge's desired-state
poll). Neither is an API-client token: the console's API rejects them everywhere else.
"""

from __future__ import annotations

import secrets
from typing import Any, Final

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from console.authentication import MachinePrincipal
from console.tokens import token_hash, token_matches
from telemetry.models import Host

ENROLMENT_PREFIX: Final = "uce"
HOST_PREFIX: Final = "uch"


def credential_generate(kind: str) -> tuple[str, str, str]:
    """A new secret of ``kind`` (``uce`` / ``uch``) as ``(token, lookup, sha256)``; shown once."""
    lookup = secrets.token_hex(6)
    token = f"{kind}_{lookup}_{secrets.token_urlsafe(32)}"
    return token, lookup, token_hash(token)


def credential_lookup(token: str, kind: str) -> str | None:
    """The lookup part of a well-formed ``kind`` token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != kind or len(parts[1]) != 12 or len(parts[2]) < 20:
        return None
    if not all(c in "0123456789abcdef" for c in parts[1]):
        return None
    return parts[1]


def host_authenticate(token: str) -> Any:
    """The ``Host`` owning a host credential, or None (malformed, unknown or wrong secret)."""

    lookup = credential_lookup(token, HOST_PREFIX)
    if lookup is None:
        return None
    host = Host.objects.select_related("tenant").filter(credential_prefix=lookup).first()
    if host is None or not token_matches(token, host.credential_hash):
        return None
    return host


def host_credential_load(host_id: str) -> tuple[str, str] | None:
    """``(tenant_id, sha256 of the credential)`` of a host, for caches that verify credentials
    without the ORM (the edge registers this as its loader); None for an unknown host."""
    import uuid

    try:
        pk = uuid.UUID(host_id)
    except ValueError:
        return None
    row = (
        Host.objects.filter(pk=pk, credential_prefix__isnull=False)
        .values_list("tenant_id", "credential_hash")
        .first()
    )
    return (str(row[0]), row[1]) if row else None


def host_authenticate_pair(host_id: str, token: str) -> Any:
    """The host for ``Authorization: Host <host_id>:<credential>`` (the edge's scheme), or None."""
    host = host_authenticate(token)
    return host if host is not None and str(host.pk) == host_id.strip().lower() else None


class HostPrincipal(MachinePrincipal):
    """A sensor calling with its own credential."""

    kind = "host"

    def __init__(self, host: Any) -> None:
        super().__init__(host.pk, host.hostname)
        self.host = host


class HostCredentialAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer uch_...`` or ``Host <host_id>:uch_...`` (the edge's scheme); any
    other bearer token is left to the next authenticator."""

    def authenticate(self, request: Request) -> tuple[HostPrincipal, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        parts = header.split()
        if len(parts) != 2:
            return None
        scheme = parts[0].lower()
        if scheme == "host" and ":" in parts[1]:
            host_id, _, token = parts[1].partition(":")
            host = host_authenticate_pair(host_id, token)
        elif scheme == "bearer" and parts[1].startswith(f"{HOST_PREFIX}_"):
            host = host_authenticate(parts[1])
        else:
            return None
        if host is None:
            raise exceptions.AuthenticationFailed("Invalid host credential.")
        return HostPrincipal(host), host

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="sensor"'
