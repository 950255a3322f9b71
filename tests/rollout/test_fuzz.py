"""Bad input never gives a 500 (DESIGN rule 8): generated bodies for every rollout write endpoint,
with the fields each one expects filled with arbitrary JSON. Errors must be problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.access import Actor
from console.models import ApiScope
from rollout.controls.windows import window_create
from rollout.groups.services import host_group_create
from rollout.policies.services import sensor_policy_create
from rollout.rings.admin import rings_defaults_ensure
from tests.factories import HostFactory, TenantFactory, api_client_with_token, rollout_catalog

pytestmark = pytest.mark.django_db

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
plausible = st.sampled_from(
    [
        "n",
        "n-1",
        "n-3",
        "pinned:7.11.200",
        "ga+73",
        "ga+4",
        "early_access",
        "tag:prod and",
        "platform:windows",
        "01:30",
        "25:00",
        "America/New_York",
        "Mars/Olympus",
        "2030-01-01T00:00:00Z",
        "yesterday",
        "windows",
        "tenant",
        "rapid_response",
        "sensor_operations",
        "",
        "0",
        [0, 1],
        [7],
        [{"weekdays": [0], "start": "10:00", "end": "09:00"}],
    ]
)
RING_FIELDS = [
    "name",
    "percentage",
    "group",
    "soak_minutes",
    "max_crash_rate",
    "max_silence_rate",
    "min_sample",
]
FIELDS = {
    ("post", "/api/v1/host-groups/"): ["name", "description", "rule_text", "rule"],
    ("post", "/api/v1/host-groups/preview"): ["rule_text", "rule"],
    ("patch", "/api/v1/host-groups/{group}"): ["name", "description", "rule_text", "rule"],
    ("post", "/api/v1/host-groups/{group}/members"): ["add", "remove", "csv"],
    ("post", "/api/v1/sensor-policies/"): [
        "name",
        "platform",
        "target",
        "update_blocks",
        "timezone",
        "uninstall_protection",
        "groups",
    ],
    ("patch", "/api/v1/sensor-policies/{policy}"): ["name", "target", "update_blocks", "timezone", "groups"],
    ("put", "/api/v1/sensor-policies/precedence"): ["platform", "order"],
    ("post", "/api/v1/content-policies/"): [
        "name",
        "category",
        "mode",
        "windows",
        "critical_bypass_windows",
        "groups",
    ],
    ("put", "/api/v1/content-policies/precedence"): ["category", "order"],
    ("post", "/api/v1/windows/"): ["name", "weekdays", "start", "duration_minutes", "timezone"],
    ("patch", "/api/v1/windows/{window}"): ["name", "weekdays", "start", "duration_minutes", "timezone"],
    ("post", "/api/v1/freezes/"): ["reason", "starts_at", "ends_at"],
    ("post", "/api/v1/pauses/"): ["scope", "reason", "group", "category", "expires_at"],
    ("post", "/api/v1/policy/import"): ["document"],
    ("post", "/api/v1/rings/"): RING_FIELDS,
    ("patch", "/api/v1/rings/{ring}"): RING_FIELDS,
    ("put", "/api/v1/rings/order"): ["order"],
}


@pytest.fixture
def world() -> dict[str, Any]:
    rollout_catalog()
    tenant = TenantFactory(slug="fuzz")
    HostFactory.create_batch(3, tenant=tenant, tags=["prod"])
    actor = Actor.system("fuzz")
    group = host_group_create(tenant=tenant, actor=actor, name="g", rule_text="tag:prod").obj
    policy = sensor_policy_create(tenant=tenant, actor=actor, name="p", platform="windows", target="n").obj
    window = window_create(
        tenant=tenant,
        actor=actor,
        data={"name": "w", "weekdays": [0], "start": "01:00", "duration_minutes": 60, "timezone": "UTC"},
    ).obj
    ring = rings_defaults_ensure(tenant=tenant, actor=actor)[0]
    _, token = api_client_with_token(tenant, [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN])
    return {
        "client": Client(HTTP_AUTHORIZATION=f"Bearer {token}"),
        "ids": {"group": group.pk, "policy": policy.pk, "window": window.pk, "ring": ring.pk},
    }


@pytest.mark.parametrize(("method", "path"), list(FIELDS), ids=[f"{m} {p}" for m, p in FIELDS])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_never_answers_500_to_generated_input(
    world: dict[str, Any], method: str, path: str, data: st.DataObject
) -> None:
    fields = FIELDS[(method, path)]
    body = data.draw(st.dictionaries(st.sampled_from(fields), plausible | values, max_size=len(fields)))
    dry = data.draw(st.booleans())
    url = path.format(**world["ids"]) + ("?dry_run=true" if dry else "")
    headers = {"If-Match": data.draw(st.sampled_from(['"1"', '"2"', 'W/"1"', "garbage", '"99"']))}
    response = getattr(world["client"], method)(url, body, content_type="application/json", headers=headers)
    assert response.status_code < 500, (method, url, body, response.content[:500])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", (method, url, body)
