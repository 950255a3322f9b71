"""Sensor and content policies, precedence, defaults, windows, freezes, pauses, explain, blast
radius and policy as code, through the API; bad input answers 400 problem+json naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from console.models import ApiScope, AuditEvent, Role
from rollout.desired.publish import outbox_process
from rollout.models import (
    ContentUpdatePolicy,
    DesiredState,
    Freeze,
    HostGroup,
    Pause,
    SensorUpdatePolicy,
    TenantRevision,
)
from tests.factories import (
    HostFactory,
    api_client_with_token,
    content_release,
    member,
    rollout_catalog,
)
from tests.rollout.conftest import TenantWorld, session

pytestmark = pytest.mark.django_db


def send(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def fleet(tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    content_release(catalog["rapid_response"], "291.3", hours_ago=100)
    content_release(catalog["rapid_response"], "291.4", hours_ago=2)
    acme, globex = tenant_world.tenant, tenant_world.other_tenant
    acme.timezone = "America/New_York"
    acme.save(update_fields=["timezone"])
    hosts = [
        HostFactory(
            tenant=acme,
            hostname=f"web-{i}",
            tags=["prod"],
            sensor_build="7.10.200",
            content_versions={"rapid_response": "291.3"},
        )
        for i in range(3)
    ] + [HostFactory(tenant=acme, hostname="lab-1", tags=["lab"], sensor_build="7.10.200", platform="linux")]
    HostFactory(tenant=globex, hostname="web-x", tags=["prod"])
    return {
        "catalog": catalog,
        "acme": acme,
        "globex": globex,
        "hosts": hosts,
        "owner": session(tenant_world.owner),
        "admin": session(member(acme, Role.ADMIN)),
        "operator": session(tenant_world.operator),
        "viewer": session(tenant_world.viewer),
        "outsider": session(tenant_world.outsider),
    }


def _group(client: Client, name: str, rule: str) -> str:
    response = send(client, "post", "/api/v1/host-groups/", {"name": name, "rule_text": rule})
    assert response.status_code == 201, response.content
    return response.json()["object"]["id"]


def test_it_creates_default_policies_that_cannot_be_deleted(fleet: dict[str, Any]) -> None:
    policies = fleet["viewer"].get("/api/v1/sensor-policies/").json()["results"]
    defaults = [p for p in policies if p["is_default"]]
    assert {p["platform"] for p in defaults} == {"windows", "macos", "linux"}
    url = f"/api/v1/sensor-policies/{defaults[0]['id']}"
    refused = send(fleet["owner"], "delete", url, None, **{"If-Match": f'"{defaults[0]["version"]}"'})
    assert refused.status_code == 409
    content = fleet["viewer"].get("/api/v1/content-policies/").json()["results"]
    assert {p["category"] for p in content if p["is_default"]} == {"rapid_response", "sensor_operations"}
    # the outsider sees only their own
    theirs = fleet["outsider"].get("/api/v1/sensor-policies/").json()["results"]
    assert {p["id"] for p in theirs}.isdisjoint({p["id"] for p in policies})


def test_it_pins_a_group_to_n_minus_1_with_a_blast_radius_preview_that_matches_the_save(
    fleet: dict[str, Any],
) -> None:
    owner = fleet["owner"]
    group = _group(owner, "prod", "platform:windows and tag:prod")
    send(owner, "get", "/api/v1/sensor-policies/")
    body = {"name": "prod on N", "platform": "windows", "target": "n", "groups": [group]}
    # when previewed
    preview = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body)
    assert preview.status_code == 200, preview.content
    radius = preview.json()["blast_radius"]
    # then 3 prod hosts would move from N-1 (7.10.200) to N (7.11.200), and nothing was saved
    assert radius["hosts_changing"] == 3
    assert {
        "subject": "sensor",
        "platform": "windows",
        "group": "prod",
        "from": "7.10.200",
        "to": "7.11.200",
        "hosts": 3,
    } in radius["changes"]
    assert not SensorUpdatePolicy.objects.filter(name="prod on N").exists()
    # and the save reports the same numbers
    saved = send(owner, "post", "/api/v1/sensor-policies/", body)
    assert saved.status_code == 201
    assert saved.json()["blast_radius"]["changes"] == radius["changes"]
    assert AuditEvent.objects.filter(tenant=fleet["acme"], action="sensor_policy.create").exists()


def _enrolled_since_the_recompute(fleet: dict[str, Any]) -> Any:
    """A prod Windows host like web-0..2 that the stored desired state does not know yet."""
    return HostFactory(
        tenant=fleet["acme"],
        hostname="web-late",
        tags=["prod"],
        sensor_build="7.10.200",
        content_versions={"rapid_response": "291.3"},
    )


def test_it_measures_a_policy_change_from_the_desired_state_with_the_numbers_of_the_full_measurement(
    fleet: dict[str, Any], redis_flush: None
) -> None:
    # given: the desired state of every acme host is stored, the new group's included
    owner = fleet["owner"]
    group = _group(owner, "prod", "platform:windows and tag:prod")
    send(owner, "get", "/api/v1/sensor-policies/")
    outbox_process(fleet["acme"].pk)
    body = {"name": "prod on N", "platform": "windows", "target": "n", "groups": [group]}
    # and a prod host enrolled since that recompute: only a measurement the full way counts it
    late = _enrolled_since_the_recompute(fleet)
    # when previewed
    preview = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body)
    # then the hosts were found through their stored groups (the late host is not among them)
    radius = preview.json()["blast_radius"]
    assert (radius["hosts_total"], radius["hosts_changing"]) == (4, 3)
    # and while a group change has not reached the desired state, it is measured the full way
    _group(owner, "lab", "tag:lab")
    pending = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body).json()["blast_radius"]
    assert (pending["hosts_total"], pending["hosts_changing"]) == (5, 4)
    # with the numbers of the stored measurement over the same hosts
    late.delete()
    pending = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body)
    assert pending.json()["blast_radius"] == radius
    # and without stored desired state (measured the full way) the numbers are the same
    DesiredState.objects.filter(tenant=fleet["acme"]).delete()
    TenantRevision.objects.filter(tenant=fleet["acme"]).delete()
    late = _enrolled_since_the_recompute(fleet)
    full = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body).json()["blast_radius"]
    assert (full["hosts_total"], full["hosts_changing"]) == (5, 4)
    late.delete()
    full = send(owner, "post", "/api/v1/sensor-policies/?dry_run=true", body)
    assert full.json()["blast_radius"] == radius
    # and the outsider's preview does not count acme's hosts
    theirs = send(fleet["outsider"], "post", "/api/v1/sensor-policies/?dry_run=true", body)
    assert theirs.status_code == 400  # acme's group is not theirs


def test_it_explains_why_a_host_is_on_its_build_and_content(fleet: dict[str, Any]) -> None:
    owner = fleet["owner"]
    group = _group(owner, "prod", "tag:prod")
    send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "prod pinned", "platform": "windows", "target": "pinned:7.09.200", "groups": [group]},
    )
    host = fleet["hosts"][0]
    body = fleet["viewer"].get(f"/api/v1/hosts/{host.pk}/explain").json()
    assert body["sensor"]["target"] == "7.09.200"
    assert body["sensor"]["rule"] == "pin"
    assert body["sensor"]["group"]["name"] == "prod"
    assert body["sensor"]["policy"]["name"] == "prod pinned"
    assert body["content"]["rapid_response"]["target"] == "291.4"
    assert fleet["outsider"].get(f"/api/v1/hosts/{host.pk}/explain").status_code == 404


def test_it_reorders_precedence_and_refuses_duplicates(fleet: dict[str, Any]) -> None:
    owner = fleet["owner"]
    prod, web = _group(owner, "prod", "tag:prod"), _group(owner, "web", "hostname:web-*")
    a = send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "A", "platform": "windows", "target": "n", "groups": [prod]},
    ).json()["object"]
    b = send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "B", "platform": "windows", "target": "n-2", "groups": [web]},
    ).json()["object"]
    host = fleet["hosts"][0]
    assert owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["sensor"]["policy"]["name"] == "A"
    dup = send(
        owner,
        "put",
        "/api/v1/sensor-policies/precedence",
        {"platform": "windows", "order": [a["id"], a["id"]]},
    )
    assert dup.status_code == 400 and "order" in dup.json()["errors"]
    missing = send(
        owner, "put", "/api/v1/sensor-policies/precedence", {"platform": "windows", "order": [b["id"]]}
    )
    assert missing.status_code == 400
    moved = send(
        owner,
        "put",
        "/api/v1/sensor-policies/precedence",
        {"platform": "windows", "order": [b["id"], a["id"]]},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["blast_radius"]["hosts_changing"] == 3
    assert owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["sensor"]["policy"]["name"] == "B"


def test_it_refuses_a_stale_policy_write_with_412(fleet: dict[str, Any]) -> None:
    owner, admin = fleet["owner"], fleet["admin"]
    policy = send(
        owner, "post", "/api/v1/sensor-policies/", {"name": "P", "platform": "linux", "target": "n"}
    ).json()["object"]
    url = f"/api/v1/sensor-policies/{policy['id']}"
    etag = owner.get(url)["ETag"]
    assert send(admin, "patch", url, {"target": "n-2"}, **{"If-Match": etag}).status_code == 200
    stale = send(owner, "patch", url, {"target": "off"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert SensorUpdatePolicy.objects.get(pk=policy["id"]).target == "n-2"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/sensor-policies/", {"name": "x", "platform": "windows", "target": "n-3"}, "target"),
        (
            "/api/v1/sensor-policies/",
            {"name": "x", "platform": "windows", "target": "pinned:9.9.9"},
            "target",
        ),
        ("/api/v1/sensor-policies/", {"name": "x", "platform": "beos", "target": "n"}, "platform"),
        (
            "/api/v1/sensor-policies/",
            {"name": "x", "platform": "linux", "target": "n", "timezone": "Mars/Olympus"},
            "timezone",
        ),
        (
            "/api/v1/sensor-policies/",
            {
                "name": "x",
                "platform": "linux",
                "target": "n",
                "update_blocks": [{"weekdays": [0], "start": "10:00", "end": "09:00"}],
            },
            "update_blocks[0].end",
        ),
        (
            "/api/v1/sensor-policies/",
            {"name": "x", "platform": "linux", "target": "n", "groups": ["not-a-uuid"]},
            "groups",
        ),
        ("/api/v1/content-policies/", {"name": "x", "category": "rapid_response", "mode": "ga+73"}, "mode"),
        (
            "/api/v1/content-policies/",
            {"name": "x", "category": "rapid_response", "mode": "pinned:999.9"},
            "mode",
        ),
        (
            "/api/v1/content-policies/",
            {"name": "x", "category": "sensor_operations", "mode": "paused"},
            "mode",
        ),
        ("/api/v1/content-policies/", {"name": "x", "category": "nope", "mode": "ga"}, "category"),
        (
            "/api/v1/windows/",
            {"name": "w", "weekdays": [0], "start": "01:30", "duration_minutes": 0, "timezone": "UTC"},
            "duration_minutes",
        ),
        (
            "/api/v1/windows/",
            {"name": "w", "weekdays": [7], "start": "01:30", "duration_minutes": 60, "timezone": "UTC"},
            "weekdays",
        ),
        (
            "/api/v1/windows/",
            {"name": "w", "weekdays": [1], "start": "25:30", "duration_minutes": 60, "timezone": "UTC"},
            "start",
        ),
        (
            "/api/v1/windows/",
            {
                "name": "w",
                "weekdays": [1],
                "start": "01:30",
                "duration_minutes": 60,
                "timezone": "Nowhere/City",
            },
            "timezone",
        ),
        (
            "/api/v1/freezes/",
            {"reason": "q", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            "ends_at",
        ),
        (
            "/api/v1/freezes/",
            {"reason": "q", "starts_at": "yesterday", "ends_at": "2030-01-01T00:00:00Z"},
            "starts_at",
        ),
        ("/api/v1/pauses/", {"scope": "galaxy", "reason": "r"}, "scope"),
        ("/api/v1/pauses/", {"scope": "host_group", "reason": "r"}, "group"),
        (
            "/api/v1/pauses/",
            {"scope": "tenant", "reason": "r", "expires_at": "2001-01-01T00:00:00Z"},
            "expires_at",
        ),
        ("/api/v1/pauses/", {"scope": "content_category", "reason": "r", "category": "nope"}, "category"),
        ("/api/v1/host-groups/", {"name": "g", "rule_text": "tag:"}, "rule_text"),
        ("/api/v1/host-groups/", {"name": ""}, "name"),
        ("/api/v1/sensor-policies/precedence", {"platform": "windows", "order": "x"}, "order"),
    ],
)
def test_it_answers_bad_input_with_problem_json_naming_the_field(
    fleet: dict[str, Any], url: str, body: dict[str, Any], field: str
) -> None:
    method = "put" if url.endswith("precedence") else "post"
    response = send(fleet["owner"], method, url, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"], response.json()


def test_it_pauses_the_tenant_so_nothing_new_arrives_and_resumes(fleet: dict[str, Any]) -> None:
    operator, viewer = fleet["operator"], fleet["viewer"]
    host = fleet["hosts"][0]
    assert (
        viewer.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]["target"]
        == "291.4"
    )
    # the viewer may not pause; the operator may
    assert (
        send(viewer, "post", "/api/v1/pauses/", {"scope": "tenant", "reason": "incident"}).status_code == 403
    )
    created = send(operator, "post", "/api/v1/pauses/", {"scope": "tenant", "reason": "incident 42"})
    assert created.status_code == 201, created.content
    assert created.json()["blast_radius"]["hosts_changing"] == 4
    explained = viewer.get(f"/api/v1/hosts/{host.pk}/explain").json()
    assert explained["content"]["rapid_response"]["target"] == "291.3"
    assert explained["content"]["rapid_response"]["rule"] == "pause"
    assert explained["sensor"]["rule"] == "pause"
    # the outsider's fleet is untouched and cannot resume acme's pause
    pause_id = created.json()["object"]["id"]
    assert send(fleet["outsider"], "post", f"/api/v1/pauses/{pause_id}/resume").status_code == 404
    assert send(operator, "post", f"/api/v1/pauses/{pause_id}/resume").status_code == 200
    assert (
        viewer.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]["target"]
        == "291.4"
    )
    actions = set(AuditEvent.objects.filter(tenant=fleet["acme"]).values_list("action", flat=True))
    assert {"pause.create", "pause.resume"} <= actions


def test_it_caps_a_pause_of_a_system_critical_category(fleet: dict[str, Any]) -> None:
    later = (timezone.now() + timedelta(days=10)).isoformat()
    response = send(
        fleet["operator"],
        "post",
        "/api/v1/pauses/",
        {"scope": "content_category", "category": "sensor_operations", "reason": "r", "expires_at": later},
    )
    assert response.status_code == 201
    pause = Pause.objects.get(pk=response.json()["object"]["id"])
    assert pause.expires_at is not None and pause.expires_at <= timezone.now() + timedelta(
        hours=24, minutes=1
    )


def test_it_lets_a_freeze_hold_content_and_needs_a_second_admin_to_lift_it(fleet: dict[str, Any]) -> None:
    owner, admin = fleet["owner"], fleet["admin"]
    now = timezone.now()
    body = {
        "reason": "quarter close",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    freeze = send(owner, "post", "/api/v1/freezes/", body).json()["object"]
    host = fleet["hosts"][0]
    assert (
        owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]["rule"] == "freeze"
    )
    url = f"/api/v1/freezes/{freeze['id']}"
    assert send(owner, "post", f"{url}/lift-request", {"reason": "zero-day fix"}).status_code == 200
    assert send(owner, "post", f"{url}/lift-approve").status_code == 403  # the same admin
    assert send(fleet["operator"], "post", f"{url}/lift-approve").status_code == 403  # not an admin
    approved = send(admin, "post", f"{url}/lift-approve")
    assert approved.status_code == 200, approved.content
    assert Freeze.objects.get(pk=freeze["id"]).lifted_at is not None
    assert (
        owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]["target"] == "291.4"
    )


def test_it_shows_a_windows_next_occurrences_in_the_tenant_timezone(fleet: dict[str, Any]) -> None:
    body = {
        "name": "Nightly",
        "weekdays": [0, 1, 2, 3, 4, 5, 6],
        "start": "01:30",
        "duration_minutes": 120,
        "timezone": "America/New_York",
    }
    window = send(fleet["owner"], "post", "/api/v1/windows/", body).json()["object"]
    got = fleet["viewer"].get(f"/api/v1/windows/{window['id']}").json()
    assert 7 <= len(got["next_occurrences"]) <= 8
    assert all("T01:30:00" in o["start_local"] for o in got["next_occurrences"])


def test_it_exports_and_imports_policy_as_code_with_a_plan(fleet: dict[str, Any]) -> None:
    import yaml

    owner = fleet["owner"]
    group = _group(owner, "prod", "tag:prod")
    send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "prod N", "platform": "windows", "target": "n", "groups": [group]},
    )
    exported = owner.get("/api/v1/policy/export?format=yaml")
    assert exported.status_code == 200
    document = yaml.safe_load(exported.content)
    assert [g["name"] for g in document["groups"]] == ["prod"]
    # edit: the prod policy goes to n-2, a new lab group and policy appear
    for policy in document["sensor_policies"]:
        if policy["name"] == "prod N":
            policy["target"] = "n-2"
    document["groups"].append({"name": "lab", "description": "", "rule": "tag:lab", "static_members": []})
    document["sensor_policies"].insert(
        0,
        {
            "name": "lab off",
            "platform": "linux",
            "default": False,
            "target": "off",
            "update_blocks": [],
            "timezone": "UTC",
            "uninstall_protection": True,
            "groups": ["lab"],
        },
    )
    text = yaml.safe_dump(document)
    plan = send(owner, "post", "/api/v1/policy/import?dry_run=true", {"document": text})
    assert plan.status_code == 200, plan.content
    actions = {(a["action"], a["kind"], a["name"]) for a in plan.json()["actions"]}
    assert {
        ("update", "sensor_policy", "prod N"),
        ("create", "group", "lab"),
        ("create", "sensor_policy", "lab off"),
    } <= actions
    assert plan.json()["blast_radius"]["hosts_changing"] == 3
    assert not HostGroup.objects.filter(tenant=fleet["acme"], name="lab").exists()
    applied = send(owner, "post", "/api/v1/policy/import", {"document": text})
    assert applied.status_code == 200
    assert applied.json()["blast_radius"]["hosts_changing"] == 3
    assert SensorUpdatePolicy.objects.get(tenant=fleet["acme"], name="prod N").target == "n-2"
    # a broken document changes nothing at all (atomic) and names the field
    document["sensor_policies"][0]["target"] = "n-3"
    broken = send(owner, "post", "/api/v1/policy/import", {"document": yaml.safe_dump(document)})
    assert broken.status_code == 400
    assert "sensor_policies[0].target" in broken.json()["errors"]
    unsafe = send(
        owner, "post", "/api/v1/policy/import", {"document": "!!python/object/apply:os.system ['true']"}
    )
    assert unsafe.status_code == 400


def test_it_lets_an_api_client_with_write_scope_create_content_policies(fleet: dict[str, Any]) -> None:
    _, token = api_client_with_token(fleet["acme"], [ApiScope.READ, ApiScope.WRITE])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    window = send(
        api,
        "post",
        "/api/v1/windows/",
        {"name": "Sun", "weekdays": [6], "start": "02:00", "duration_minutes": 60, "timezone": "UTC"},
    ).json()["object"]
    created = send(
        api,
        "post",
        "/api/v1/content-policies/",
        {"name": "slow", "category": "rapid_response", "mode": "ga+24", "windows": [window["id"]]},
    )
    assert created.status_code == 201, created.content
    policy = ContentUpdatePolicy.objects.get(pk=created.json()["object"]["id"])
    assert policy.mode == "ga+24" and policy.windows.get().name == "Sun"
    event = AuditEvent.objects.filter(tenant=fleet["acme"], action="content_policy.create").latest("id")
    assert event.actor_kind == "api_client"


def test_it_needs_a_second_admin_to_let_critical_content_through_a_freeze(fleet: dict[str, Any]) -> None:
    owner, admin = fleet["owner"], fleet["admin"]
    content_release(fleet["catalog"]["rapid_response"], "291.9", hours_ago=1, critical=True)
    now = timezone.now()
    body = {
        "reason": "quarter close",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    freeze = send(owner, "post", "/api/v1/freezes/", body).json()["object"]
    host = fleet["hosts"][0]
    assert (
        owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]["rule"] == "freeze"
    )
    url = f"/api/v1/freezes/{freeze['id']}"
    assert send(owner, "post", f"{url}/bypass-approve").status_code == 409  # nobody asked yet
    assert send(owner, "post", f"{url}/bypass-request", {"reason": "zero-day detection"}).status_code == 200
    assert send(owner, "post", f"{url}/bypass-approve").status_code == 403  # the same admin
    approved = send(admin, "post", f"{url}/bypass-approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["blast_radius"]["hosts_changing"] == 4  # every host gets the critical release
    explained = owner.get(f"/api/v1/hosts/{host.pk}/explain").json()["content"]["rapid_response"]
    assert explained["target"] == "291.9" and "bypasses the freeze" in explained["reason"]
    assert AuditEvent.objects.filter(tenant=fleet["acme"], action="freeze.bypass").exists()


def test_it_measures_the_blast_radius_of_group_rule_and_member_changes(fleet: dict[str, Any]) -> None:
    owner = fleet["owner"]
    group = _group(owner, "prod", "tag:prod")
    send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "prod N", "platform": "windows", "target": "n", "groups": [group]},
    )
    url = f"/api/v1/host-groups/{group}"
    # narrowing the rule drops web-0 out of the group: it goes back to the default (N-1)
    narrowed = send(
        owner,
        "patch",
        f"{url}?dry_run=true",
        {"rule_text": "tag:prod and not hostname:web-0"},
        **{"If-Match": '"1"'},
    )
    assert narrowed.status_code == 200, narrowed.content
    assert narrowed.json()["blast_radius"]["changes"] == [
        {
            "subject": "sensor",
            "platform": "windows",
            "group": "default: Default Windows sensor policy",
            "from": "7.11.200",
            "to": "7.10.200",
            "hosts": 1,
        }
    ]
    assert HostGroup.objects.get(pk=group).rule_text == "tag:prod"
    # a static member joins: the linux lab host is not reached by a windows policy, so nothing moves
    lab = fleet["hosts"][3]
    added = send(owner, "post", f"{url}/members?dry_run=true", {"add": [str(lab.pk)]}, **{"If-Match": '"1"'})
    assert added.json()["blast_radius"]["hosts_changing"] == 0
    # removing web-0's tag-matching is not possible statically, but deleting the group moves all three back
    deleted = send(owner, "delete", f"{url}?dry_run=true", None, **{"If-Match": '"1"'})
    assert deleted.json()["blast_radius"]["hosts_changing"] == 3
    assert HostGroup.objects.filter(pk=group).exists()


def test_it_measures_static_member_changes_against_the_membership_before_the_change(
    fleet: dict[str, Any],
) -> None:
    owner = fleet["owner"]
    created = send(owner, "post", "/api/v1/host-groups/", {"name": "linux canaries"}).json()["object"]
    send(
        owner,
        "post",
        "/api/v1/sensor-policies/",
        {"name": "linux N", "platform": "linux", "target": "n", "groups": [created["id"]]},
    )
    lab = fleet["hosts"][3]
    url = f"/api/v1/host-groups/{created['id']}/members"
    added = send(owner, "post", url, {"add": [str(lab.pk)]}, **{"If-Match": '"1"'})
    assert added.json()["blast_radius"]["changes"] == [
        {
            "subject": "sensor",
            "platform": "linux",
            "group": "linux canaries",
            "from": "7.10.200",
            "to": "7.11.200",
            "hosts": 1,
        }
    ]
    removed = send(owner, "post", url, {"remove": [str(lab.pk)]}, **{"If-Match": '"2"'})
    assert removed.json()["blast_radius"]["hosts_changing"] == 1
    assert removed.json()["blast_radius"]["changes"][0]["to"] == "7.10.200"
