"""The override-consent API: the vendor asks, the tenant's admins decide, standing rules; bad input
answers 400 problem+json naming the field, another tenant's request answers 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.models import AuditEvent, Role
from rollout.models import OverrideRequest
from tests.factories import UserFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db


def send(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def world(tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog()
    release = content_release(catalog["rapid_response"], "291.9", hours_ago=1, critical=True)
    return {
        "release": release,
        "vendor": session(UserFactory(username="re@vendor.example", vendor_role="release_engineer")),
        "owner": session(tenant_world.owner),
        "admin": session(member(tenant_world.tenant, Role.ADMIN)),
        "operator": session(tenant_world.operator),
        "viewer": session(tenant_world.viewer),
        "outsider": session(tenant_world.outsider),
        "acme": tenant_world.tenant,
    }


def _ask(world: dict[str, Any], **body: Any) -> Any:
    url = f"/api/v1/vendor/content-releases/{world['release'].pk}/override-requests"
    return send(
        world["vendor"],
        url,
        {"tenant": "acme", "overrides": ["freeze", "window"], "reason": "zero-day"} | body,
    )


def test_it_lets_only_the_vendor_ask_and_only_tenant_admins_decide(world: dict[str, Any]) -> None:
    # given: the vendor asks acme
    asked = _ask(world)
    assert asked.status_code == 201, asked.content
    pk = asked.json()["id"]
    assert asked.json()["state"] == "pending"
    # then: a tenant cannot use the vendor endpoint
    url = f"/api/v1/vendor/content-releases/{world['release'].pk}/override-requests"
    assert (
        send(world["owner"], url, {"tenant": "acme", "overrides": ["freeze"], "reason": "x"}).status_code
        == 403
    )
    # and acme's people see it; the outsider sees none of it and cannot decide it
    listed = world["viewer"].get("/api/v1/override-requests/").json()["results"]
    assert [r["id"] for r in listed] == [pk]
    assert world["outsider"].get("/api/v1/override-requests/").json()["results"] == []
    assert send(world["outsider"], f"/api/v1/override-requests/{pk}/approve").status_code == 404
    # when: a viewer or an operator tries to approve: refused
    for who in ("viewer", "operator"):
        assert send(world[who], f"/api/v1/override-requests/{pk}/approve").status_code == 403
    # when: an admin approves
    approved = send(world["admin"], f"/api/v1/override-requests/{pk}/approve")
    # then: approved, audited in the tenant's trail and the vendor's, and cannot be decided again
    assert approved.status_code == 200, approved.content
    assert approved.json()["object"]["state"] == "approved"
    assert AuditEvent.objects.filter(tenant=world["acme"], action="override.approve").count() == 1
    assert AuditEvent.objects.filter(tenant=None, action="override.approve").count() == 1
    again = send(world["owner"], f"/api/v1/override-requests/{pk}/decline")
    assert again.status_code == 409 and again["Content-Type"].startswith("application/problem+json")
    # the vendor sees the state per tenant
    states = world["vendor"].get(url).json()["results"]
    assert [(r["tenant"], r["state"]) for r in states] == [("acme", "approved")]


def test_it_answers_bad_input_with_problem_json_naming_the_field(world: dict[str, Any]) -> None:
    for body, field in (
        ({"overrides": ["pause"]}, "overrides"),
        ({"overrides": "freeze"}, "overrides"),
        ({"reason": ""}, "reason"),
        ({"hours": 500}, "hours"),
    ):
        refused = _ask(world, **body)
        assert refused.status_code == 400, (body, refused.content)
        assert refused["Content-Type"].startswith("application/problem+json")
        assert field in refused.json()["errors"], refused.json()
    assert _ask(world, tenant="nobody").status_code == 404
    assert not OverrideRequest.objects.exists()
    for body, field in (
        ({"overrides": ["window"], "reason": "r", "until": "tomorrow"}, "until"),
        (
            {
                "overrides": ["window"],
                "reason": "r",
                "until": (timezone.now() - timedelta(days=1)).isoformat(),
            },
            "until",
        ),
        (
            {
                "overrides": ["window"],
                "reason": "r",
                "until": (timezone.now() + timedelta(days=1)).isoformat(),
                "categories": ["nope"],
            },
            "categories",
        ),
        (
            {"overrides": ["nope"], "reason": "r", "until": (timezone.now() + timedelta(days=1)).isoformat()},
            "overrides",
        ),
    ):
        refused = send(world["owner"], "/api/v1/override-rules/", body)
        assert refused.status_code == 400, (body, refused.content)
        assert field in refused.json()["errors"], refused.json()


def test_it_creates_and_revokes_standing_rules_as_an_admin(world: dict[str, Any]) -> None:
    body = {"overrides": ["window"], "reason": "critical content may pass our windows",
            "until": (timezone.now() + timedelta(days=7)).isoformat(), "categories": ["rapid_response"]}  # fmt: skip
    assert send(world["operator"], "/api/v1/override-rules/", body).status_code == 403
    created = send(world["owner"], "/api/v1/override-rules/", body)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["live"] and rule["categories"] == ["rapid_response"]
    # the next request it covers is approved on arrival
    assert _ask(world, overrides=["window"]).json()["state"] == "approved"
    assert send(world["outsider"], f"/api/v1/override-rules/{rule['id']}/revoke").status_code == 404
    revoked = send(world["owner"], f"/api/v1/override-rules/{rule['id']}/revoke")
    assert revoked.status_code == 200 and not revoked.json()["live"]
    assert AuditEvent.objects.filter(tenant=world["acme"], action="override_rule.revoke").exists()
    # the next one waits for an admin again
    assert _ask(world, overrides=["window"]).json()["state"] == "pending"


def test_it_never_answers_500_to_odd_bodies(world: dict[str, Any]) -> None:
    # given: bodies of the wrong shape for each mutation
    asked = _ask(world).json()["id"]
    urls = (
        (world["vendor"], f"/api/v1/vendor/content-releases/{world['release'].pk}/override-requests"),
        (world["owner"], "/api/v1/override-rules/"),
        (world["owner"], f"/api/v1/override-requests/{asked}/decline"),
    )
    for client, url in urls:
        for body in (
            [],
            "x",
            {"overrides": None},
            {"overrides": [None]},
            {"until": 7, "hours": True, "tenant": ["a"]},
        ):
            # when / then: 400 (or 200 for a body the verb ignores), never a 500
            answer = send(client, url, body)
            assert answer.status_code < 500, (url, body, answer.content)
