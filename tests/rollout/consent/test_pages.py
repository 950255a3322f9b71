"""The consent pieces of the pages: the rollout page shows its release's requests (buttons for admins
only), the vendor's catalog shows the state per tenant, the pause page saves and revokes standing
rules; the outsider sees none of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import Role
from rollout.consent.services import override_request_create
from rollout.models import OverrideRequest, OverrideRule, Rollout, RolloutState
from rollout.rings.admin import rings_defaults_ensure
from tests.factories import UserFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog()
    critical = content_release(catalog["rapid_response"], "291.9", hours_ago=1, critical=True)
    engineer = UserFactory(username="re@vendor.example", vendor_role="release_engineer")
    request = override_request_create(
        tenant=tenant_world.tenant,
        actor=Actor.for_user(engineer),
        release=critical,
        overrides=["window"],
        reason="zero-day detection",
    )
    rings_defaults_ensure(tenant=tenant_world.tenant, actor=Actor.system("t"))
    rollout = Rollout.objects.create(
        tenant=tenant_world.tenant,
        subject="content:rapid_response",
        version="291.9",
        previous_version="291.3",
        release=critical,
        state=RolloutState.IN_RING,
        ring_entered_at=timezone.now(),
    )
    return {"request": request, "rollout": rollout, "engineer": engineer, "world": tenant_world}


def test_it_shows_the_release_requests_on_the_rollout_page_with_buttons_for_admins_only(
    asked: dict[str, Any],
) -> None:
    world, url = asked["world"], f"/rollout/rollouts/{asked['rollout'].pk}/"
    # given / when: the operator opens the rollout page
    page = session(world.operator).get(url).content.decode()
    # then: the request is shown, without a button
    assert "zero-day detection" in page and 'data-testid="override-approve"' not in page
    # when: the owner declines it from there
    owner = session(world.owner)
    assert 'data-testid="override-approve"' in owner.get(url).content.decode()
    assert (
        session(world.operator)
        .post(url, {"form": "override_decline", "request": str(asked["request"].pk)})
        .status_code
        == 403
    )
    declined = owner.post(url, {"form": "override_decline", "request": str(asked["request"].pk)})
    # then: declined, and the outsider cannot reach it
    assert declined.status_code == 302
    assert OverrideRequest.objects.get(pk=asked["request"].pk).state == "declined"
    assert session(world.outsider).get(url).status_code == 404


def test_it_shows_the_vendor_each_tenants_state_on_the_catalog_page(asked: dict[str, Any]) -> None:
    page = session(asked["engineer"]).get("/vendor/catalog/").content.decode()
    assert 'data-testid="override-state" data-state="pending"' in page
    assert asked["world"].tenant.name in page


def test_it_saves_and_revokes_a_standing_rule_from_the_pause_page(asked: dict[str, Any]) -> None:
    world = asked["world"]
    admin = session(member(world.tenant, Role.ADMIN))
    until = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    body = {"form": "override_rule", "overrides": ["window"], "until": until, "reason": "zero-days"}
    assert session(world.operator).post("/rollout/pauses/", body).status_code == 403
    assert admin.post("/rollout/pauses/", body).status_code == 302
    rule = OverrideRule.objects.get(tenant=world.tenant)
    assert rule.overrides == ["window"] and rule.categories == []
    # a bad rule is refused with the field named, and saves nothing
    refused = admin.post("/rollout/pauses/", {**body, "until": ""}, follow=True).content.decode()
    assert "until" in refused and OverrideRule.objects.count() == 1
    assert (
        admin.post("/rollout/pauses/", {"form": "override_rule_revoke", "rule": str(rule.pk)}).status_code
        == 302
    )
    assert OverrideRule.objects.get(pk=rule.pk).revoked_at is not None
    assert (
        session(world.outsider)
        .post("/rollout/pauses/", {"form": "override_rule_revoke", "rule": str(rule.pk)})
        .status_code
        == 404
    )
