"""Which address a request comes from, and whether it came over TLS, behind reverse proxies.

``TRUSTED_PROXIES`` (settings, from the environment: comma-separated addresses or CIDRs, default
none) names the proxies in front of the console. ``X-Forwarded-For`` and ``X-Forwarded-Proto``
are honoured only when the direct peer (``REMOTE_ADDR``) is one of them; the client is then the
right-most address in ``X-Forwarded-For`` that is not a trusted proxy (the left part of the
header is whatever the client sent, so it is never believed). With no trusted proxy the
console uses ``REMOTE_ADDR`` and drops forwarding headers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Forwarding headers a request may carry only when it comes from a trusted proxy.
FORWARDING_META_KEYS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # Checked at start-up (console.env.env_networks); a test may override the setting.
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | IPAddress | None) -> bool:
    if isinstance(address, str):
        address = _address(address)
    if address is None:
        return False
    return any(address in network for network in trusted_networks())


def forwarded_client(remote_addr: str, forwarded_for: str) -> str | None:
    """The client address given the direct peer and its ``X-Forwarded-For`` header."""
    peer = _address(remote_addr)
    if peer is None:
        return remote_addr or None
    if not is_trusted_proxy(peer) or not forwarded_for:
        return str(peer)
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: believe nothing left of it, keep the last proxy we trust
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str | None:
    meta = request.META
    return forwarded_client(meta.get("REMOTE_ADDR") or "", meta.get("HTTP_X_FORWARDED_FOR", ""))


class ProxyHeadersMiddleware:
    """Drops forwarding headers (``X-Forwarded-Proto`` above all: ``SECURE_PROXY_SSL_HEADER`` reads
    it) from requests whose direct peer is not a trusted proxy, so nobody can claim HTTPS or an
    address by sending them straight to the app."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR") or None):
            for key in FORWARDING_META_KEYS:
                request.META.pop(key, None)
        return self.get_response(request)
