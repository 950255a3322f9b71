"""Rollout's routes with an object id, for the generic tenant-isolation walker (tests/isolation.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from console.access import Actor
from console.models import Tenant
from rollout.controls.freezes import freeze_create
from rollout.controls.pauses import pause_create
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.models import ContentCategory, ContentRelease
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import content_policy_create, sensor_policy_create
from tests.factories import HostFactory
from tests.isolation import exempt, register

SYSTEM = Actor.system("isolation test")

exempt(
    "api-release-forecast",
    "a vendor release, read by every tenant; the forecast counts only the caller's hosts "
    "(tests/rollout/rings/test_forecast_api.py::test_it_forecasts_over_the_callers_hosts_only)",
)
for _name in (
    "api-vendor-build-stage",
    "api-vendor-build-capabilities",
    "api-vendor-release",
    "api-vendor-release-stage",
    "api-vendor-release-matrix",
):
    exempt(
        _name,
        "vendor catalog objects, not a tenant's; tenants' credentials get 403 "
        "(tests/rollout/catalog/test_services.py::test_it_refuses_vendor_endpoints_to_tenant_credentials)",
    )


exempt(
    "api-vendor-release-overrides",
    "a vendor catalog object, not a tenant's; tenants' credentials get 403 "
    "(tests/rollout/consent/test_api.py::test_it_lets_only_the_vendor_ask_and_only_tenant_admins_decide)",
)


@register("api-host-explain", "rollout-host-why")
def _host(tenant: Tenant) -> dict[str, Any]:
    return {"pk": HostFactory(tenant=tenant).pk}


@register("api-host-group", "api-host-group-members", "rollout-group")
def _group(tenant: Tenant) -> dict[str, Any]:
    return {"pk": host_group_create(tenant=tenant, actor=SYSTEM, name="isolated", rule_text="tag:x").obj.pk}


@register("api-sensor-policy")
def _sensor_policy(tenant: Tenant) -> dict[str, Any]:
    return {
        "pk": sensor_policy_create(
            tenant=tenant, actor=SYSTEM, name="iso", platform="linux", target="off"
        ).obj.pk
    }


@register("rollout-policy")
def _policy_page(tenant: Tenant) -> dict[str, Any]:
    return {"kind": "sensor", **_sensor_policy(tenant)}


@register("api-content-policy")
def _content_policy(tenant: Tenant) -> dict[str, Any]:
    category, _ = ContentCategory.objects.get_or_create(
        key="rapid_response", defaults={"name": "Rapid response"}
    )
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    return {
        "pk": content_policy_create(
            tenant=tenant, actor=SYSTEM, name="iso", category=category, mode="ga"
        ).obj.pk
    }


@register("api-window")
def _window(tenant: Tenant) -> dict[str, Any]:
    data = {"name": "iso", "weekdays": [0], "start": "01:00", "duration_minutes": 60, "timezone": "UTC"}
    return {"pk": window_create(tenant=tenant, actor=SYSTEM, data=data).obj.pk}


@register(
    "api-freeze",
    "api-freeze-lift-request",
    "api-freeze-lift-approve",
    "api-freeze-bypass-request",
    "api-freeze-bypass-approve",
)
def _freeze(tenant: Tenant) -> dict[str, Any]:
    now = timezone.now()
    freeze = freeze_create(
        tenant=tenant, actor=SYSTEM, reason="iso", starts_at=now, ends_at=now + timedelta(days=1)
    ).obj
    return {"pk": freeze.pk}


@register("api-pause-resume")
def _pause(tenant: Tenant) -> dict[str, Any]:
    return {"pk": pause_create(tenant=tenant, actor=SYSTEM, scope="sensor", reason="iso").obj.pk}


@register("api-host-desired")
def _host_desired(tenant: Tenant) -> dict[str, Any]:
    from rollout.desired.recompute import desired_state_recompute

    host = HostFactory(tenant=tenant)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    desired_state_recompute(tenant.pk, host_ids=[str(host.pk)])
    return {"pk": host.pk}


for _name in ("api-vendor-release-halt", "api-vendor-release-recall"):
    exempt(
        _name,
        "vendor catalog objects, not a tenant's; tenants' credentials get 403 "
        "(tests/rollout/rings/test_vendor.py::test_it_lets_a_release_engineer_recall_by_hand_and_refuses_tenants)",
    )


@register(
    "api-rollout",
    "api-rollout-halt",
    "api-rollout-resume",
    "api-rollout-promote",
    "api-rollout-rollback",
    "rollout-rollout",
    "rollout-rollout-live",
)
def _rollout(tenant: Tenant) -> dict[str, Any]:
    from rollout.models import Rollout, RolloutState
    from rollout.rings.admin import rings_defaults_ensure

    rings_defaults_ensure(tenant=tenant, actor=SYSTEM)
    rollout = Rollout.objects.create(
        tenant=tenant,
        subject="content:rapid_response",
        version="291.4",
        previous_version="291.3",
        state=RolloutState.IN_RING,
        ring_entered_at=timezone.now(),
    )
    return {"pk": rollout.pk}


@register("api-rollout-forecast")
def _rollout_of_release(tenant: Tenant) -> dict[str, Any]:
    from rollout.models import Rollout, RolloutState
    from rollout.rings.admin import rings_defaults_ensure
    from tests.factories import content_release, rollout_catalog

    catalog = rollout_catalog()
    release = content_release(catalog["rapid_response"], "291.4", stage="canary")
    rings_defaults_ensure(tenant=tenant, actor=SYSTEM)
    rollout = Rollout.objects.create(
        tenant=tenant,
        subject="content:rapid_response",
        version="291.4",
        previous_version="291.3",
        release=release,
        state=RolloutState.IN_RING,
        ring_entered_at=timezone.now(),
    )
    return {"pk": rollout.pk}


@register("api-webhook", "api-webhook-test", "api-webhook-rotate-secret")
def _webhook(tenant: Tenant) -> dict[str, Any]:
    from rollout.notifications.webhooks import webhook_create

    endpoint, _ = webhook_create(
        tenant=tenant, actor=SYSTEM, name="iso", url="https://hooks.example.test/iso"
    )
    return {"pk": endpoint.pk}


@register("api-webhook-redeliver")
def _webhook_delivery(tenant: Tenant) -> dict[str, Any]:
    from rollout.models import WebhookDelivery
    from rollout.notifications.webhooks import webhook_create

    endpoint, _ = webhook_create(
        tenant=tenant, actor=SYSTEM, name="iso", url="https://hooks.example.test/iso"
    )
    delivery = WebhookDelivery.objects.create(
        tenant=tenant, endpoint=endpoint, event="rollout.paused", payload={"type": "rollout.paused"}
    )
    return {"pk": endpoint.pk, "delivery_pk": delivery.pk}


@register("api-ring", "rollout-ring")
def _ring(tenant: Tenant) -> dict[str, Any]:
    from rollout.rings.admin import rings_defaults_ensure

    return {"pk": rings_defaults_ensure(tenant=tenant, actor=SYSTEM)[0].pk}


@register("api-override-request-approve", "api-override-request-decline")
def _override_request(tenant: Tenant) -> dict[str, Any]:
    from rollout.consent.services import override_request_create
    from tests.factories import content_release, rollout_catalog

    catalog = rollout_catalog()
    release = ContentRelease.objects.filter(version="299.1").first() or content_release(
        catalog["rapid_response"], "299.1", critical=True
    )
    request = override_request_create(
        tenant=tenant, actor=SYSTEM, release=release, overrides=["freeze"], reason="isolation"
    )
    return {"pk": request.pk}


@register("api-override-rule-revoke")
def _override_rule(tenant: Tenant) -> dict[str, Any]:
    from rollout.consent.services import override_rule_create

    rule = override_rule_create(
        tenant=tenant,
        actor=SYSTEM,
        overrides=["window"],
        until=timezone.now() + timedelta(days=1),
        reason="isolation",
    )
    return {"pk": rule.pk}
