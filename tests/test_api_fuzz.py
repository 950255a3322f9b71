"""Schemathesis against our own OpenAPI schema (DESIGN rule 8): no 5xx, every 2xx body matches the
schema, every error is problem+json, for every kind of caller of a seeded tenant: a read-only
token, an all-scopes token, a session of each role, and a vendor release-engineering token.

Runs in-process through the WSGI application on pytest-django's test database. Django closes the
database connection when a request finishes (``close_old_connections`` on ``request_finished``),
which would close the test's transaction under it, so the test disconnects that handler (as
Django's own test client does). Path ids are the seeded objects' ids most of the time, so the
fuzzer reaches real objects, not only 404s.

``FUZZ_EXAMPLES`` sets the examples per operation: small in ``make test``, large in ``make soak``.

The stateful phase follows the schema's OpenAPI links (``console.schema.link_created_objects``):
create an object, then read, change, act on and delete it through the id the create answered,
checking also that a created object is there (``ensure_resource_availability``) and a deleted
one is gone (``use_after_free``). ``FUZZ_STATEFUL_EXAMPLES`` sets its number of scenarios.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, note
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.specs.openapi.checks import ensure_resource_availability, use_after_free

from console.access import SESSION_TENANT_KEY, Actor
from console.models import ApiScope, Role, SupportGrant, VendorRole
from console.people.services import invitation_create
from console.support.services import support_request_create
from console.wsgi import application
from tests.factories import (
    HostFactory,
    TenantFactory,
    UserFactory,
    api_client_with_token,
    content_release,
    enrolment_token,
    member,
    rollout_catalog,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", str(max(3, MAX_EXAMPLES))))
ALL_SCOPES = [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN]
CALLERS = ["token-read", "token-all", "owner", "admin", "operator", "viewer", "vendor"]


def _checks() -> list[Any]:
    return [not_a_server_error, response_schema_conformance, problem_json_errors]


def problem_json_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer of the API is application/problem+json with a matching status."""
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])
        value = content_type[0] if isinstance(content_type, list) else content_type
        assert value.startswith("application/problem+json"), (
            f"{case.method} {case.formatted_path} answered {response.status_code} as {value!r}: "
            f"{response.content[:300]!r}"
        )
        body = response.json()
        assert body.get("status") == response.status_code, (
            f"{case.method} {case.formatted_path}: problem status {body.get('status')!r} "
            f"!= {response.status_code}"
        )
    return None


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _seed_world() -> dict[str, Any]:
    """A tenant with one object of every kind the API addresses by id; returns {path prefix: id}."""
    from rollout.controls.freezes import freeze_create
    from rollout.controls.pauses import pause_create
    from rollout.controls.windows import window_create
    from rollout.groups.services import host_group_create
    from rollout.models import ContentCategory
    from rollout.policies.defaults import policy_defaults_ensure
    from rollout.policies.services import content_policy_create, sensor_policy_create

    catalog = rollout_catalog()
    tenant = TenantFactory(slug="fuzz")
    system = Actor.system("fuzz")
    host = HostFactory(tenant=tenant, tags=["prod"])
    HostFactory.create_batch(2, tenant=tenant, tags=["prod"])
    group = host_group_create(tenant=tenant, actor=system, name="g", rule_text="tag:prod").obj
    policy_defaults_ensure(tenant=tenant, actor=system)
    sensor_policy = sensor_policy_create(
        tenant=tenant, actor=system, name="p", platform="windows", target="n"
    ).obj
    category = ContentCategory.objects.get(key="rapid_response")
    content_policy = content_policy_create(
        tenant=tenant, actor=system, name="c", category=category, mode="ga"
    ).obj
    window = window_create(
        tenant=tenant,
        actor=system,
        data={"name": "w", "weekdays": [0], "start": "01:00", "duration_minutes": 60, "timezone": "UTC"},
    ).obj
    now = timezone.now()
    freeze = freeze_create(
        tenant=tenant, actor=system, reason="f", starts_at=now, ends_at=now + timedelta(days=1)
    ).obj
    pause = pause_create(tenant=tenant, actor=system, scope="sensor", reason="p").obj
    viewer = member(tenant, Role.VIEWER)
    invitation = invitation_create(
        tenant=tenant, actor=system, email="invitee@example.test", role=Role.VIEWER
    ).invitation
    api_client, _ = api_client_with_token(tenant, [ApiScope.READ], name="existing")
    staff = UserFactory(vendor_role=VendorRole.SUPPORT_ENGINEER)
    support_request = support_request_create(tenant=tenant, staff=staff, case_id="C-1", reason="crash")
    grant = SupportGrant.objects.create(
        tenant=tenant, staff=staff, reason="case", starts_at=now, expires_at=now + timedelta(hours=2)
    )
    token, _ = enrolment_token(tenant)
    release = content_release(catalog["rapid_response"], "2026.01.01.1", stage="ga")
    ids = {
        "/api/v1/api-clients/": api_client.pk,
        "/api/v1/content-policies/": content_policy.pk,
        "/api/v1/enrolment-tokens/": token.pk,
        "/api/v1/freezes/": freeze.pk,
        "/api/v1/host-groups/": group.pk,
        "/api/v1/hosts/": host.pk,
        "/api/v1/invitations/": invitation.pk,
        "/api/v1/members/": viewer.memberships.get(tenant=tenant).pk,
        "/api/v1/pauses/": pause.pk,
        "/api/v1/sensor-policies/": sensor_policy.pk,
        "/api/v1/support/grants/": grant.pk,
        "/api/v1/support/requests/": support_request.pk,
        "/api/v1/vendor/content-releases/": release.pk,
        "/api/v1/vendor/sensor-builds/": catalog["builds"][0].pk,
        "/api/v1/windows/": window.pk,
    }
    return {"tenant": tenant, "ids": ids}


def _session_headers(user: Any, tenant: Any) -> dict[str, str]:
    """Cookies and CSRF header of a signed-in browser session acting in ``tenant``."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_TENANT_KEY] = str(tenant.pk)
    session.save()
    csrf = get_random_string(32)
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }


@pytest.fixture
def callers(db: None) -> dict[str, Any]:
    """The seeded tenant's ids and every kind of caller's headers (one seed per operation)."""
    world = _seed_world()
    tenant = world["tenant"]
    headers: dict[str, dict[str, str]] = {}
    for kind in CALLERS:
        if kind == "token-read":
            _, value = api_client_with_token(tenant, [ApiScope.READ], name="fuzz-read")
        elif kind == "token-all":
            _, value = api_client_with_token(tenant, list(ALL_SCOPES), name="fuzz-all")
        elif kind == "vendor":
            _, value = api_client_with_token(None, [ApiScope.VENDOR], name="fuzz-vendor")
        else:
            headers[kind] = _session_headers(member(tenant, kind), tenant)
            continue
        headers[kind] = {"Authorization": f"Bearer {value}"}
    return {"headers": headers, "ids": world["ids"]}


def _use_seeded_ids(case: Any, ids: dict[str, Any]) -> None:
    if not case.path_parameters or "id" not in case.path_parameters:
        return
    for prefix, pk in ids.items():
        if case.path.startswith(prefix + "{id}"):
            case.path_parameters["id"] = str(pk)
            return


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_it_never_fails_on_generated_requests(case: Any, callers: dict[str, Any]) -> None:
    # given a seeded tenant and every kind of caller
    _use_seeded_ids(case, callers["ids"])
    for kind, headers in callers["headers"].items():
        # when the caller sends the generated request
        note(f"caller: {kind}")
        # then no 5xx, bodies conform to the schema, errors are problem+json
        case.call_and_validate(headers=headers, checks=_checks())


@pytest.mark.parametrize("kind", ["token-all", "owner", "operator"])
def test_it_never_fails_along_the_schema_links(kind: str, callers: dict[str, Any]) -> None:
    # given the schema's links (create -> read / change / act / delete) and a caller who may write
    headers = callers["headers"][kind]
    vendor = callers["headers"]["vendor"]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        # each scenario starts from the seeded world (Hypothesis replays scenarios while shrinking;
        # objects left by an earlier one would make the replay draw differently)
        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            note(f"caller: {kind}")
            return {"headers": vendor if case.path.startswith("/api/v1/vendor/") else headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            # then no 5xx, bodies conform, errors are problem+json, created objects exist and
            # deleted ones are gone
            case.validate_response(
                response,
                checks=[*_checks(), ensure_resource_availability, use_after_free],
                transport_kwargs=kwargs or None,
                recorder=getattr(self, "recorder", None),
            )

    # when scenarios of linked calls run
    Workflow.run(
        settings=hypothesis_settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
