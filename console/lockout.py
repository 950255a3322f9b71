"""Sign-in throttling that nobody can turn against an account's owner.

Counters live in Redis (shared by every web process), each in a sliding window of
``CONSOLE_LOGIN_LOCKOUT_SECONDS``:

- **(account, address)**: ``CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP`` failures lock that address
  out of that account. The account stays open from everywhere else, so five wrong passwords for
  an admin typed from one place cannot lock the admin out.
- **address**: ``CONSOLE_LOGIN_MAX_FAILURES_PER_IP`` failures against any accounts lock the address.
- **account**: after ``CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER`` failures from anywhere (necessarily
  from several addresses, given the first rule), each further attempt from an address that has
  never signed into the account must wait an exponentially growing delay since the last failure
  (at most ``CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS``; answered 429 with ``Retry-After``). A
  slow-down, never a lock: a distributed guesser gets a handful of tries a minute, the owner
  from an address they used before is not slowed at all.

Each lock and the start of a slow-down are audited once (in every tenant the account belongs to,
or the vendor's chain), with the requester's address.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from console.access import Actor, client_ip
from console.audit import audit_record
from console.events import SIGNIN_ADDRESS_LOCKED, SIGNIN_LOCKED, SIGNIN_SLOWED
from console.models import Membership, Tenant
from console.redis import redis_client

KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600
_PREFIX = "console:login"


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in attempt is refused without looking at the password, and for how long."""

    seconds: int
    reason: str  # "locked" (this address, this account), "address" (this address), "slowed" (account)


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _pair_key(account: str, ip: str | None) -> str:
    return f"{_PREFIX}:fail:pair:{account}:{ip or 'unknown'}"


def _ip_key(ip: str | None) -> str:
    return f"{_PREFIX}:fail:ip:{ip or 'unknown'}"


def _account_key(account: str) -> str:
    return f"{_PREFIX}:fail:acct:{account}"


def _known_key(account: str) -> str:
    return f"{_PREFIX}:known:{account}"


def _redis() -> Any:
    return redis_client(settings.REDIS_CACHE_URL)


def slowdown_delay(failures: int) -> int:
    """Seconds an unknown address waits after the last failure, given the account's failure count."""
    over = failures - settings.CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER
    if over < 0:
        return 0
    return int(min(2 ** min(over, 30), settings.CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS))


def signin_refusal(username: str, ip: str | None) -> Refusal | None:
    """Why an attempt for ``username`` from ``ip`` is refused right now, or None when it may proceed."""
    r = _redis()
    account = _account(username)
    pair_key, ip_key, account_key = _pair_key(account, ip), _ip_key(ip), _account_key(account)
    pair, by_ip = r.mget(pair_key, ip_key)
    if pair is not None and int(pair) >= settings.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP:
        return Refusal(max(int(r.ttl(pair_key)), 1), "locked")
    if by_ip is not None and int(by_ip) >= settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP:
        return Refusal(max(int(r.ttl(ip_key)), 1), "address")
    failures, last = r.hmget(account_key, "count", "last")
    delay = slowdown_delay(int(failures or 0))
    if delay and last is not None and not (ip and r.sismember(_known_key(account), ip)):
        remaining = float(last) + delay - time.time()
        if remaining > 0:
            return Refusal(math.ceil(remaining), "slowed")
    return None


def signin_failed(username: str, request: HttpRequest) -> None:
    """Counts a wrong password or code; audits a lock or slow-down the moment it begins."""
    ip = client_ip(request)
    account = _account(username)
    window = settings.CONSOLE_LOGIN_LOCKOUT_SECONDS
    pipe = _redis().pipeline()
    for key in (_pair_key(account, ip), _ip_key(ip)):
        pipe.incr(key)
        pipe.expire(key, window)
    pipe.hincrby(_account_key(account), "count", 1)
    pipe.hset(_account_key(account), "last", repr(time.time()))
    pipe.expire(_account_key(account), window)
    results = pipe.execute()
    pair, by_ip, failures = int(results[0]), int(results[2]), int(results[4])
    if pair == settings.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP:
        _audit_account(username, request, SIGNIN_LOCKED, {"address": ip, "failures": pair, "seconds": window})
    if failures == settings.CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER:
        _audit_account(username, request, SIGNIN_SLOWED, {"failures": failures, "seconds": window})
    if by_ip == settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP:
        audit_record(
            tenant=None,
            actor=Actor.system_for_request("sign-in protection", request),
            action=SIGNIN_ADDRESS_LOCKED,
            target_type="address",
            target_id=ip or "unknown",
            target_label=ip or "unknown",
            after={"address": ip, "failures": by_ip, "seconds": window},
        )


def _audit_account(username: str, request: HttpRequest, action: str, after: dict[str, Any]) -> None:
    """Into each tenant the account belongs to (their admins see it), else the vendor's chain.
    Attempts on names that are not accounts are not audited: nobody can fill the log with them."""
    user_model = get_user_model()
    user = user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username.strip()}).first()
    if user is None:
        return
    actor = Actor.system_for_request("sign-in protection", request)
    tenants: list[Tenant | None] = [
        m.tenant for m in Membership.objects.select_related("tenant").filter(user=user)
    ]
    for tenant in tenants or [None]:
        audit_record(tenant=tenant, actor=actor, action=action, target=user, after=after)


def signin_succeeded(username: str, ip: str | None) -> None:
    """Clears this address's failures for the account and remembers the address as the owner's."""
    account = _account(username)
    pipe = _redis().pipeline()
    pipe.delete(_pair_key(account, ip))
    if ip:
        pipe.sadd(_known_key(account), ip)
        pipe.expire(_known_key(account), KNOWN_ADDRESS_SECONDS)
    pipe.execute()


def signin_reset(username: str) -> None:
    """Ends every lock and slow-down on the account (after a password reset: the mailbox's owner
    proved themselves)."""
    account = _account(username)
    r = _redis()
    keys = [_account_key(account), *r.scan_iter(match=_pair_key(account, "*"), count=500)]
    r.delete(*keys)
