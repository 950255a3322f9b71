"""Signing in: lockout per account and per IP, password reset by e-mail, TOTP two-factor, and
two-factor made mandatory by a tenant (or for owners and admins)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.console.conftest import api_as, api_bearer
from tests.factories import PASSWORD, api_client_with_token

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _code(device: TOTPDevice) -> str:
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(
        device.digits
    )


def _unthrottle(device: TOTPDevice) -> None:
    """django-otp slows down guessing after a wrong code and refuses a code already used in this
    30 s step (replay); the test does not wait for either."""
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp, device.last_t = 0, None, -1
    device.save()


def test_it_locks_one_address_out_of_an_account_but_not_the_owner_elsewhere(
    trio: Any, redis_flush: None, settings: Any
) -> None:
    # given five wrong passwords for acme's owner from one address
    for _ in range(settings.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_IP):
        assert _login(Client(), "owner@acme.example", "wrong", ip="10.0.0.2").status_code == 200
    # when the right password comes next from that address, and from the owner's own
    locked = _login(Client(), "owner@acme.example", PASSWORD, ip="10.0.0.2")
    elsewhere = _login(Client(), "owner@acme.example", PASSWORD, ip="10.9.9.9")
    # then that address is refused for a while, saying so; the owner gets in from elsewhere
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert elsewhere.status_code == 302
    assert _login(Client(), "viewer@acme.example", PASSWORD, ip="10.0.0.2").status_code == 302


def test_it_locks_an_address_that_tries_many_accounts(trio: Any, redis_flush: None, settings: Any) -> None:
    # given one address failing against several accounts
    settings.CONSOLE_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a@example.test", "b@example.test", "c@example.test"):
        _login(Client(), name, "wrong", ip="10.6.6.6")
    # when a correct login comes from it, and from elsewhere
    from_bad = _login(Client(), "viewer@acme.example", PASSWORD, ip="10.6.6.6")
    from_good = _login(Client(), "viewer@acme.example", PASSWORD, ip="10.7.7.7")
    # then only the noisy address is locked out
    assert from_bad.status_code == 429
    assert from_good.status_code == 302


def test_it_resets_a_password_by_e_mail(trio: Any, redis_flush: None) -> None:
    # given the viewer forgot their password
    client = Client()
    assert client.post("/password-reset/", {"email": "viewer@acme.example"}).status_code == 302
    assert client.post("/password-reset/", {"email": "nobody@example.test"}).status_code == 302  # no leak
    # when they follow the mailed link and choose a new password
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand-new-pass-2024", "new_password2": "brand-new-pass-2024"},
    )
    # then the new password works and the old one does not
    assert done.status_code == 302
    assert _login(Client(), "viewer@acme.example", "brand-new-pass-2024").status_code == 302
    assert _login(Client(), "viewer@acme.example", PASSWORD).status_code == 200


def test_it_enrols_totp_and_asks_for_a_code_at_the_next_sign_in(trio: Any, redis_flush: None) -> None:
    # given the owner turns on two-factor sign-in
    client = Client()
    client.force_login(trio.owner)
    setup = client.get("/account/two-factor/")
    assert b"data:image/svg+xml;base64," in setup.content
    device = TOTPDevice.objects.get(user=trio.owner, confirmed=False)
    assert client.post("/account/two-factor/", {"otp_token": "000000"}).status_code == 400
    _unthrottle(device)
    assert client.post("/account/two-factor/", {"otp_token": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # when they sign in again with their password
    fresh = Client()
    step1 = _login(fresh, "owner@acme.example", PASSWORD)
    # then a code is asked for before they are in
    assert step1["Location"] == "/login/two-factor/"
    assert fresh.get("/members/").status_code == 302
    assert fresh.post("/login/two-factor/", {"otp_token": "123456"}).status_code == 400
    _unthrottle(device)
    assert fresh.post("/login/two-factor/", {"otp_token": _code(device)}).status_code == 302
    assert fresh.get("/members/").status_code == 200


def test_it_enforces_a_tenants_mandatory_two_factor_on_members_only(trio: Any) -> None:
    # given acme's owner makes two-factor mandatory
    owner = Client()
    owner.force_login(trio.owner)
    api_owner = api_as(trio.owner, trio.tenant)
    assert api_owner.patch("/api/v1/tenant/", {"require_2fa": True}, format="json").status_code == 200
    # when acme's viewer (no second factor) and globex's owner use the console
    viewer = Client()
    viewer.force_login(trio.member)
    page = viewer.get("/members/")
    api = api_as(trio.member, trio.tenant).get("/api/v1/members/")
    outsider = Client()
    outsider.force_login(trio.outsider)
    # then acme's viewer is sent to set up two-factor, the API refuses the session, globex is unaffected
    assert page.status_code == 302 and page["Location"].startswith("/account/two-factor/")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert outsider.get("/members/").status_code == 200
    # and automation (API tokens) is not a person: it keeps working
    _, token = api_client_with_token(trio.tenant, ["read"])
    assert api_bearer(token).get("/api/v1/members/").status_code == 200


def test_it_requires_two_factor_of_owners_and_admins_when_configured(trio: Any, settings: Any) -> None:
    settings.CONSOLE_REQUIRE_2FA_FOR_ADMINS = True
    owner, viewer = Client(), Client()
    owner.force_login(trio.owner)
    viewer.force_login(trio.member)
    assert owner.get("/members/")["Location"].startswith("/account/two-factor/")
    assert viewer.get("/members/").status_code == 200


def test_it_lets_a_verified_member_through_mandatory_two_factor(trio: Any, redis_flush: None) -> None:
    # given acme requires two factors and its owner has an authenticator
    trio.tenant.require_2fa = True
    trio.tenant.save()
    device = TOTPDevice.objects.create(user=trio.owner, name="phone", confirmed=True)
    client = Client()
    # when the owner signs in with password and code
    assert _login(client, "owner@acme.example", PASSWORD)["Location"] == "/login/two-factor/"
    assert client.post("/login/two-factor/", {"otp_token": _code(device)}).status_code == 302
    # then pages and the session API are open to them
    assert client.get("/members/").status_code == 200
    assert client.get("/api/v1/members/").status_code == 200
    # while a member without a second factor is still sent to set one up, and globex is untouched
    viewer = Client()
    viewer.force_login(trio.member)
    assert viewer.get("/audit/")["Location"].startswith("/account/two-factor/")
    assert _login(Client(), "owner@globex.example", PASSWORD)["Location"] == "/"
