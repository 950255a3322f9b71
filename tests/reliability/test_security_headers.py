"""Security headers and settings (issue 7): CSP without inline script, clickjacking protection,
CSRF on every form and htmx request, HSTS and secure cookies in production, ``check --deploy``
clean, secrets never logged, uploads size-limited and parsed without object construction."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from console.models import Role
from tests.conftest import BASE_DIR
from tests.factories import (
    PASSWORD,
    HostFactory,
    TenantFactory,
    api_client_with_token,
    host_group,
    member,
    rollout_catalog,
)

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\s on[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", re.I | re.S)


def _page_routes() -> list[str]:
    """Every page route without URL kwargs (not API, edge, probes, schema, exports)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<" not in route:
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    skip = ("/api/", "/edge/", "/healthz", "/readyz", "/logout/", "/static/")
    return sorted(r for r in found if not r.startswith(skip) and not r.endswith((".csv", ".json")))


@pytest.fixture
def owner_client() -> Client:
    rollout_catalog()
    acme = TenantFactory(slug="acme")
    HostFactory.create_batch(2, tenant=acme, tags=["prod"])
    host_group(acme)
    client = Client()
    client.force_login(member(acme, Role.OWNER, username="owner@acme.example"))
    return client


def test_it_serves_every_page_with_a_strict_csp_and_no_inline_script(owner_client: Client) -> None:
    # given acme's owner
    checked = 0
    for route in _page_routes():
        # when they open every page
        response = owner_client.get(route)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        checked += 1
        html = response.content.decode()
        # then the policy forbids inline script and framing, and the page has none of either
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, route
        assert "frame-ancestors 'none'" in csp, route
        assert response["X-Frame-Options"] == "DENY", route
        assert response["X-Content-Type-Options"] == "nosniff", route
        assert response["Referrer-Policy"] == "same-origin", route
        assert not INLINE_SCRIPT.search(html), f"inline <script> on {route}"
        assert not INLINE_HANDLER.search(html), f"inline event handler on {route}"
        assert not INLINE_STYLE.search(html), f"inline style attribute on {route} (blocked by style-src)"
        # and every POST form carries the CSRF token, and htmx gets it from the meta tag
        for form in POST_FORM.findall(html):
            assert 'name="csrfmiddlewaretoken"' in form, f"POST form without CSRF token on {route}"
        if "<html" in html:  # a whole page (an htmx fragment is loaded into one that has it)
            assert '<meta name="csrf-token"' in html, route
    assert checked >= 10, f"only {checked} pages rendered"


def test_it_serves_the_vendored_scripts_from_static() -> None:
    # given the vendored htmx and chart library
    # when the pages reference them, then they are files of this repository, not a CDN
    base = (BASE_DIR / "templates" / "base.html").read_text()
    dashboard = (BASE_DIR / "templates" / "telemetry" / "dashboard.html").read_text()
    assert "vendor/htmx-" in base and "vendor/chart-" in dashboard
    for template in (BASE_DIR / "templates").rglob("*.html"):
        assert not re.search(r"<script[^>]+src=[\"']https?://", template.read_text()), template
    assert list((BASE_DIR / "static" / "vendor").glob("htmx-*.min.js"))
    assert list((BASE_DIR / "static" / "vendor").glob("chart-*.min.js"))


def test_it_refuses_a_form_post_and_an_htmx_request_without_the_csrf_token() -> None:
    # given acme's owner signed in to a browser that enforces CSRF
    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    # when a page form and an htmx call post without the token
    form = client.post("/members/", {"email": "x@example.test", "role": "viewer"})
    htmx = client.post("/rollout/groups/preview/", {"rule_text": "tag:prod"}, HTTP_HX_REQUEST="true")
    api = client.post("/api/v1/invitations/", {"email": "x@example.test", "role": "viewer"})
    # then all three are refused
    assert form.status_code == 403
    assert htmx.status_code == 403
    assert api.status_code == 403


def _production(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_ANCHOR_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "console.example.com",
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "STATIC_NO_MANIFEST": "1",  # no collectstatic manifest in a test checkout
            **extra,
        }
    )
    env.pop("PYTEST_VERSION", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in tests, never in production
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deploy_check_at_warning_level() -> None:
    # given production settings (DEBUG off) in a fresh process
    # when Django's deploy check runs at WARNING level (as `make checks` does)
    check = _production(
        "import django;django.setup();from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    # then it is clean
    assert check.returncode == 0, check.stdout + check.stderr


def test_it_warns_in_the_deploy_check_without_an_audit_anchor_key() -> None:
    # given production settings without AUDIT_ANCHOR_KEY
    check = _production(
        "import django;django.setup();from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        AUDIT_ANCHOR_KEY="",
    )
    # then the deploy check fails at WARNING level, naming the key
    assert check.returncode != 0
    assert "console.W001" in check.stdout + check.stderr


def test_it_sends_hsts_redirects_to_https_and_sets_secure_cookies_in_production() -> None:
    # given production settings (DEBUG off) in a fresh process
    # when a browser asks for the sign-in page over HTTP and over HTTPS
    probe = _production(
        "import django;django.setup();from django.test import Client;"
        "c=Client(HTTP_HOST='console.example.com');"
        "plain=c.get('/login/');r=c.get('/login/',secure=True);"
        "print(plain.status_code, plain.get('Location'));"
        "print(r.get('Strict-Transport-Security'));"
        "print(r.cookies['csrftoken']['secure'] if 'csrftoken' in r.cookies else 'no-csrf-cookie');"
        "from django.conf import settings;print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)"
    )
    # then plain HTTP is redirected, HTTPS carries HSTS, and cookies are Secure (session HttpOnly)
    assert probe.returncode == 0, probe.stderr
    lines = probe.stdout.strip().splitlines()
    assert lines[0] == "301 https://console.example.com/login/", lines
    assert lines[1].startswith("max-age=31536000") and "includeSubDomains" in lines[1], lines
    assert lines[2] == "True", lines
    assert lines[3] == "True True", lines


def test_it_never_logs_secrets(caplog: pytest.LogCaptureFixture) -> None:
    # given acme, an admin token and full logging
    caplog.set_level(logging.DEBUG)
    acme = TenantFactory(slug="acme")
    owner = member(acme, Role.OWNER, username="owner@acme.example")
    _, admin_token = api_client_with_token(acme, ["read", "write", "admin"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {admin_token}")
    # when secrets are issued, rotated and used, and a password is typed (right and wrong)
    created = api.post(
        "/api/v1/api-clients/", {"name": "ci", "scopes": ["read"]}, content_type="application/json"
    )
    issued = created.json()["token"]
    rotated = api.post(f"/api/v1/api-clients/{created.json()['id']}/rotate/").json()["token"]
    enrol = api.post("/api/v1/enrolment-tokens/", {"name": "fleet"}, content_type="application/json")
    enrol_secret = enrol.json()["token"]
    Client(HTTP_AUTHORIZATION=f"Bearer {issued}").get("/api/v1/hosts/")
    Client(HTTP_AUTHORIZATION=f"Bearer {rotated}").get("/api/v1/hosts/")
    Client().post("/login/", {"username": owner.username, "password": PASSWORD})
    Client().post("/login/", {"username": owner.username, "password": "wrong-" + PASSWORD})
    # then no log record carries any of them
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    for secret in (admin_token, issued, rotated, enrol_secret, PASSWORD):
        assert secret not in logged


def test_it_parses_policy_yaml_without_constructing_objects_and_limits_its_size(tmp_path: Any) -> None:
    # given acme's admin token
    acme = TenantFactory(slug="acme")
    _, token = api_client_with_token(acme, ["read", "write", "admin"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    marker = tmp_path / "constructed"
    evil = f"!!python/object/apply:os.system ['touch {marker}']\n"
    # when a document asks for object construction, and one is over the size limit
    constructed = api.post(
        "/api/v1/policy/import?dry_run=true", {"document": evil}, content_type="application/json"
    )
    huge = api.post(
        "/api/v1/policy/import?dry_run=true",
        {"document": "groups: []\n" + "#" * (3 * 1024 * 1024)},
        content_type="application/json",
    )
    # then both are refused as bad input (problem+json), and nothing ran
    assert constructed.status_code == 400, constructed.content[:300]
    assert constructed["Content-Type"].startswith("application/problem+json")
    assert not marker.exists()
    assert huge.status_code in (400, 413), huge.status_code
    assert huge["Content-Type"].startswith("application/problem+json")


def test_it_limits_the_size_of_an_uploaded_host_csv() -> None:
    # given acme's admin signed in, and a group
    acme = TenantFactory(slug="acme")
    group = host_group(acme)
    _, token = api_client_with_token(acme, ["read", "write", "admin"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    # when a CSV larger than the request limit is posted
    big = "hostname\n" + "host-00001\n" * 600_000
    response = api.post(
        f"/api/v1/host-groups/{group.pk}/members", {"csv": big}, content_type="application/json"
    )
    # then it is refused as bad input, not a 500
    assert response.status_code in (400, 413), response.status_code
    assert response["Content-Type"].startswith("application/problem+json")
