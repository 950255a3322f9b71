"""Vendor overrides need the tenant's consent (issue 13): a request changes nothing until a tenant
admin approves it or a live standing rule does; both audit trails record it; a recall needs none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.consent.services import (
    override_approve,
    override_decline,
    override_request_create,
    override_rule_create,
    override_rule_revoke,
)
from rollout.controls.freezes import freeze_create
from rollout.desired.holds import holds_expected
from rollout.desired.recompute import desired_state_recompute
from rollout.models import DesiredState, OverrideState
from rollout.policies.defaults import policy_defaults_ensure
from rollout.rings.vendor import release_recall
from tests.factories import HostFactory, UserFactory, content_release, member, rollout_catalog
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db

VENDOR = "re@vendor.example"


@pytest.fixture
def frozen(tenant_world: TenantWorld) -> dict[str, Any]:
    """acme's hosts on rapid_response 291.3 under a freeze; the vendor has a critical 291.9 at GA."""
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    critical = content_release(catalog["rapid_response"], "291.9", hours_ago=1, critical=True)
    acme = tenant_world.tenant
    policy_defaults_ensure(tenant=acme, actor=Actor.system("test"))
    hosts = [
        HostFactory(tenant=acme, sensor_build="7.10.200", content_versions={"rapid_response": "291.3"})
        for _ in range(3)
    ]
    now = timezone.now()
    owner = Actor.for_user(tenant_world.owner)
    freeze_create(
        tenant=acme,
        actor=owner,
        reason="quarter close",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
    )
    engineer = UserFactory(username=VENDOR, vendor_role="release_engineer")
    return {
        "acme": acme,
        "hosts": hosts,
        "critical": critical,
        "owner": owner,
        "vendor": Actor.for_user(engineer),
        "admin": session(member(acme, Role.ADMIN)),
        "world": tenant_world,
    }


def _explain(client: Client, host: Any) -> dict[str, Any]:
    return client.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]


def _ask(frozen: dict[str, Any], **extra: Any) -> Any:
    return override_request_create(
        tenant=frozen["acme"],
        actor=frozen["vendor"],
        release=frozen["critical"],
        overrides=["freeze"],
        reason="zero-day detection",
        **extra,
    )


def test_it_changes_nothing_until_the_tenant_approves_then_records_it_in_both_trails(
    frozen: dict[str, Any],
) -> None:
    # given: a host held by the tenant's freeze
    host, admin = frozen["hosts"][0], frozen["admin"]
    assert _explain(admin, host)["rule"] == "freeze"
    # when: the vendor asks to force the critical release through the freeze
    request = _ask(frozen)
    # then: the request is pending and the host is still held
    assert request.state == OverrideState.PENDING
    held = _explain(admin, host)
    assert held["rule"] == "freeze" and held["target"] == "291.3"
    for tenant in (frozen["acme"], None):
        asked = AuditEvent.objects.get(tenant=tenant, action="override.request")
        assert asked.after["reason"] == "zero-day detection" and asked.actor_label == VENDOR
    # when: a tenant admin approves
    outcome = override_approve(tenant=frozen["acme"], actor=frozen["owner"], request=request)
    # then: every host is offered the critical release, and both trails say who consented
    assert outcome.blast.hosts_changing == 3
    passed = _explain(admin, host)
    assert passed["target"] == "291.9" and "approved" in passed["reason"]
    desired_state_recompute(frozen["acme"].pk)
    assert DesiredState.objects.filter(tenant=frozen["acme"], content__rapid_response="291.9").count() == 3
    for tenant in (frozen["acme"], None):
        approved = AuditEvent.objects.get(tenant=tenant, action="override.approve")
        assert approved.actor_label == frozen["owner"].label
        assert approved.after["reason"] == "zero-day detection"


def test_it_keeps_the_hosts_held_when_the_tenant_declines(frozen: dict[str, Any]) -> None:
    # given: a pending request
    request = _ask(frozen)
    # when: a tenant admin declines it
    override_decline(tenant=frozen["acme"], actor=frozen["owner"], request=request)
    # then: nothing changed and the vendor's trail says so
    assert _explain(frozen["admin"], frozen["hosts"][0])["rule"] == "freeze"
    assert AuditEvent.objects.filter(tenant=None, action="override.decline").exists()


def test_it_lets_the_next_request_through_a_standing_rule_until_it_is_revoked(frozen: dict[str, Any]) -> None:
    # given: a standing pre-approval for freezes on rapid_response, a week long
    rule = override_rule_create(
        tenant=frozen["acme"],
        actor=frozen["owner"],
        overrides=["freeze"],
        categories=["rapid_response"],
        until=timezone.now() + timedelta(days=7),
        reason="zero-day content may pass our freezes",
    )
    # when: the vendor asks
    first = _ask(frozen)
    # then: it is approved on arrival by the rule, and the hosts get the release
    assert first.state == OverrideState.APPROVED and first.rule == rule
    assert _explain(frozen["admin"], frozen["hosts"][0])["target"] == "291.9"
    assert AuditEvent.objects.filter(tenant=None, action="override.approve").count() == 1
    # when: the tenant revokes the rule and the vendor asks again (another critical release)
    override_rule_revoke(tenant=frozen["acme"], actor=frozen["owner"], rule=rule)
    newer = content_release(frozen["critical"].category, "292.0", hours_ago=0.5, critical=True)
    second = override_request_create(
        tenant=frozen["acme"], actor=frozen["vendor"], release=newer, overrides=["freeze"], reason="again"
    )
    # then: the next one waits for an admin, and 292.0 does not pass the freeze
    assert second.state == OverrideState.PENDING
    assert _explain(frozen["admin"], frozen["hosts"][0])["target"] != "292.0"


def test_it_recalls_a_release_past_the_freeze_without_any_consent(frozen: dict[str, Any]) -> None:
    # given: hosts that took 291.9 through an approved override, then the freeze goes on holding
    request = _ask(frozen)
    override_approve(tenant=frozen["acme"], actor=frozen["owner"], request=request)
    for host in frozen["hosts"]:
        host.content_versions = {"rapid_response": "291.9"}
        host.save(update_fields=["content_versions"])
    desired_state_recompute(frozen["acme"].pk)
    # when: the vendor recalls it, asking nobody
    release_recall(release=frozen["critical"], actor=frozen["vendor"], reason="crashes Windows")
    # then: the backend's recall hold makes hosts on 291.9 leave it for their known-good 291.3 at
    # once, through the freeze, and no consent was asked for
    assert holds_expected(str(frozen["acme"].pk))["category:rapid_response"].leave == ("291.9",)
    fallbacks = DesiredState.objects.filter(tenant=frozen["acme"]).values_list("fallback", flat=True)
    assert [f["rapid_response"] for f in fallbacks] == ["291.3"] * 3
    assert list(frozen["acme"].override_requests.all()) == [request]


def test_it_refuses_a_request_past_a_pause_and_names_bad_fields(frozen: dict[str, Any]) -> None:
    from console.errors import InvalidInput

    for overrides, field in ((["pause"], "overrides"), ([], "overrides"), (["window", "nope"], "overrides")):
        with pytest.raises(InvalidInput) as refused:
            override_request_create(
                tenant=frozen["acme"],
                actor=frozen["vendor"],
                release=frozen["critical"],
                overrides=overrides,
                reason="x",
            )
        assert field in refused.value.errors
