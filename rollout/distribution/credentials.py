"""Verifying a sensor's ``Authorization: Host <host_id>:<secret>`` without the ORM on the hot path.

The credential (tenant id + SHA-256 of the host's secret) is cached in the Redis hash
``edge:cred:<host_id>``. On a miss the registered loader (the owner of the host-credential model
registers it; it may use the ORM) is asked once and its answer cached: a hit for
``CACHE_SECONDS``, an unknown host for ``NEGATIVE_CACHE_SECONDS`` so that unknown ids cannot
hammer PostgreSQL. A wrong secret against a cached entry re-asks the loader at most once per
``REFRESH_SECONDS`` per host (the secret may just have been rotated), then fails.
Rotation or revocation elsewhere should call ``edge_credential_forget``; the TTL bounds how long a
revoked secret can still be used if nobody does.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from typing import cast

import redis

from console.redis import redis_client

CredentialLoader = Callable[[str], "tuple[str, str] | None"]
"""``loader(host_id) -> (tenant_id, sha256_hex_of_secret) | None``."""

CACHE_SECONDS = 300
NEGATIVE_CACHE_SECONDS = 30
REFRESH_SECONDS = 30
_HOST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")  # no ":" (it ends the id in the header)

_loader: CredentialLoader | None = None


def edge_credential_loader_register(fn: CredentialLoader | None) -> None:
    """Installs the fallback that reads a host's credential from the database (None removes it)."""
    global _loader
    _loader = fn


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def cred_key(host_id: str) -> str:
    return f"edge:cred:{host_id}"


def edge_credential_cache(
    host_id: str, tenant_id: str, secret_sha256: str, *, client: redis.Redis | None = None
) -> None:
    """Primes the cache (enrolment, rotation) so the first poll does not need the database."""
    c = client or redis_client()
    pipe = c.pipeline(transaction=True)
    pipe.delete(cred_key(host_id))
    pipe.hset(
        cred_key(host_id),
        mapping={"tenant_id": tenant_id, "secret_sha256": secret_sha256, "loaded_at": repr(time.time())},
    )
    pipe.expire(cred_key(host_id), CACHE_SECONDS)
    pipe.execute()


def edge_credential_forget(host_id: str, *, client: redis.Redis | None = None) -> None:
    (client or redis_client()).delete(cred_key(host_id))


def _load_and_cache(c: redis.Redis, host_id: str) -> tuple[str, str] | None:
    found = _loader(host_id) if _loader is not None else None
    if found is None:
        pipe = c.pipeline(transaction=True)
        pipe.delete(cred_key(host_id))
        pipe.hset(cred_key(host_id), mapping={"missing": "1", "loaded_at": repr(time.time())})
        pipe.expire(cred_key(host_id), NEGATIVE_CACHE_SECONDS)
        pipe.execute()
        return None
    edge_credential_cache(host_id, found[0], found[1], client=c)
    return found


def edge_credential_verify(host_id: str, secret: str, *, client: redis.Redis | None = None) -> str | None:
    """The host's tenant id if ``secret`` is its credential, else None (one Redis read when cached)."""
    if not _HOST_ID_RE.match(host_id) or not secret:
        return None
    c = client or redis_client()
    raw = cast(
        list[bytes | None],
        c.hmget(cred_key(host_id), ["tenant_id", "secret_sha256", "missing", "loaded_at"]),
    )
    offered = secret_hash(secret)
    if raw[0] is not None and raw[1] is not None:
        if hmac.compare_digest(raw[1].decode(), offered):
            return raw[0].decode()
        if time.time() - float(raw[3] or 0) < REFRESH_SECONDS:
            return None
    elif raw[2] is not None:
        return None  # recently looked up and unknown
    found = _load_and_cache(c, host_id)
    if found is not None and hmac.compare_digest(found[1], offered):
        return found[0]
    return None
