"""Sign-in throttling: a lock per (account, address) that cannot lock the owner out from elsewhere,
a slow-down (never a lock) for failures from many addresses, each lock audited; a password reset
ends them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.events import SIGNIN_ADDRESS_LOCKED, SIGNIN_LOCKED, SIGNIN_SLOWED
from console.lockout import signin_refusal, signin_reset, slowdown_delay
from console.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OWNER = "owner@acme.example"


def _login(username: str, password: str, ip: str) -> Any:
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_lets_the_admin_in_from_another_address_and_audits_the_lockout(
    trio: Any, redis_flush: None, settings: Any
) -> None:
    # given five failed sign-ins for acme's owner from one address
    for _ in range(5):
        _login(OWNER, "wrong", ip="203.0.113.5")
    # when the owner signs in from their own address, and the attacker tries the right password
    owner = _login(OWNER, PASSWORD, ip="198.51.100.20")
    attacker = _login(OWNER, PASSWORD, ip="203.0.113.5")
    # then the owner is in, the attacker's address is locked out of that account
    assert owner.status_code == 302
    assert attacker.status_code == 429
    # and acme's audit log shows one lockout, naming the address, the account and the requester
    locks = list(AuditEvent.objects.filter(tenant=trio.tenant, action=SIGNIN_LOCKED))
    assert len(locks) == 1
    assert locks[0].target_id == str(trio.owner.pk)
    assert locks[0].ip == "203.0.113.5"
    assert locks[0].after["address"] == "203.0.113.5"
    assert not AuditEvent.objects.filter(tenant=trio.other_tenant, action=SIGNIN_LOCKED).exists()


def test_it_only_slows_an_account_down_when_many_addresses_fail(
    trio: Any, redis_flush: None, settings: Any
) -> None:
    # given the owner signed in once from home, then failures from four addresses pass the threshold
    settings.CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER = 8
    settings.CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60
    assert _login(OWNER, PASSWORD, ip="198.51.100.20").status_code == 302
    for i in range(10):
        _login(OWNER, "wrong", ip=f"203.0.113.{i % 4}")
    # when a fresh address tries, and the owner tries from home
    fresh = _login(OWNER, PASSWORD, ip="192.0.2.77")
    home = _login(OWNER, PASSWORD, ip="198.51.100.20")
    # then the fresh address is told to wait (not locked), home is not slowed; it is audited once
    assert fresh.status_code == 429
    assert 0 < int(fresh["Retry-After"]) <= 60
    assert signin_refusal(OWNER, "192.0.2.77").reason == "slowed"  # type: ignore[union-attr]
    assert home.status_code == 302
    assert AuditEvent.objects.filter(tenant=trio.tenant, action=SIGNIN_SLOWED).count() == 1


def test_it_grows_the_slow_down_exponentially_up_to_a_ceiling(settings: Any) -> None:
    # given a threshold of 20 failures and a 60 s ceiling
    settings.CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER = 20
    settings.CONSOLE_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60
    # when / then
    assert [slowdown_delay(n) for n in (19, 20, 21, 23, 26, 1000)] == [0, 1, 2, 8, 60, 60]


def test_it_locks_and_audits_an_address_that_tries_many_accounts(
    trio: Any, redis_flush: None, settings: Any
) -> None:
    # given an address failing against three names (two of them not accounts)
    settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a@example.test", "b@example.test", "viewer@acme.example"):
        _login(name, "wrong", ip="203.0.113.9")
    # when it tries a correct password
    refused = _login("viewer@acme.example", PASSWORD, ip="203.0.113.9")
    # then it is refused, and the vendor's chain records the address lock once
    assert refused.status_code == 429
    rows = AuditEvent.objects.filter(tenant__isnull=True, action=SIGNIN_ADDRESS_LOCKED)
    assert [(r.target_id, r.ip) for r in rows] == [("203.0.113.9", "203.0.113.9")]


def test_it_ends_locks_and_slow_downs_with_a_password_reset(
    trio: Any, redis_flush: None, settings: Any
) -> None:
    # given the owner's account is locked from one address and slowed for everyone else
    settings.CONSOLE_LOGIN_ACCOUNT_SLOWDOWN_AFTER = 6
    for i in range(6):
        _login(OWNER, "wrong", ip=f"203.0.113.{i % 2}")
    settings.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP = 3
    assert signin_refusal(OWNER, "203.0.113.0") is not None
    assert signin_refusal(OWNER, "192.0.2.1") is not None
    # when the password is reset
    signin_reset(OWNER)
    # then nothing is refused any more
    assert signin_refusal(OWNER, "203.0.113.0") is None
    assert signin_refusal(OWNER, "192.0.2.1") is None
