"""Where a webhook may be sent: public addresses only, unless the operator allows a private range.

A tenant's webhook URL is fetched by our workers from inside our network, so a URL naming (or
resolving to) loopback, link-local, private, shared or reserved addresses would let a tenant
reach internal services or the cloud metadata endpoint (SSRF). The URL is checked when it is saved
and again before every send (DNS may have changed since). ``WEBHOOK_ALLOWED_PRIVATE_NETWORKS``
(CIDRs) admits on-premises receivers; cloud metadata addresses are refused whatever it says.

A name is resolved here and again by the HTTP client, so a resolver that answers differently
within that instant (DNS rebinding) is not covered; egress filtering at the network is the
complete answer.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


def allowed_private_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS]


def address_refusal(address: IPAddress) -> str | None:
    """Why a webhook may not be sent to ``address``; ``None`` when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_global and not address.is_multicast:
        return None
    if any(address in network for network in allowed_private_networks()):
        return None
    if address.is_loopback:
        kind = "a loopback"
    elif address.is_link_local:
        kind = "a link-local"
    elif address.is_private:
        kind = "a private"
    else:
        kind = "a non-public"
    return f"{address} is {kind} address"


def destination_refusal(url: str) -> str | None:
    """Why ``url`` may not receive webhooks (its host, or an address it resolves to); ``None`` when
    it may. A name that does not resolve now is not refused: the send is retried and checked again."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return "The URL has no host."
    try:
        return address_refusal(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return None
    for info in infos:
        refusal = address_refusal(ipaddress.ip_address(info[4][0]))
        if refusal:
            return f"{host} resolves to {refusal}"
    return None
