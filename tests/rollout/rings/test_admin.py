"""Managing a tenant's rings: create, update, delete and reorder through the API and the rings page;
the rules that keep them consistent with running rollouts; the owner / member / outsider trio."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Role
from rollout.groups.services import host_group_create
from rollout.models import Ring, Rollout, RolloutState
from rollout.rings.admin import ring_reorder, rings_defaults_ensure
from rollout.selectors.rings import ring_membership
from tests.factories import PASSWORD, HostFactory, TenantFactory, member
from tests.rollout.conftest import session

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
JSON = "application/json"


@pytest.fixture
def acme() -> Any:
    tenant = TenantFactory(slug="acme")
    rings_defaults_ensure(tenant=tenant, actor=SYSTEM)
    return tenant


def names(tenant: Any) -> list[str]:
    return list(Ring.objects.filter(tenant=tenant).order_by("order").values_list("name", flat=True))


def ids(tenant: Any) -> list[str]:
    return [
        str(pk) for pk in Ring.objects.filter(tenant=tenant).order_by("order").values_list("pk", flat=True)
    ]


def live_rollout(tenant: Any, ring_index: int = 0, state: str = RolloutState.IN_RING) -> Rollout:
    return Rollout.objects.create(
        tenant=tenant,
        subject="content:rapid_response",
        version="291.4",
        previous_version="291.3",
        state=state,
        ring_index=ring_index,
        ring_entered_at=timezone.now(),
    )


def test_it_lets_an_admin_create_a_ring_last_and_audits_it(acme: Any) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    # when
    response = session(admin).post(
        "/api/v1/rings/",
        {"name": "pilot", "percentage": "25", "soak_minutes": 0, "max_crash_rate": 0.01, "min_sample": 3},
        content_type=JSON,
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order"] == 4 and body["percentage"] == 25.0 and body["min_sample"] == 3
    assert response["ETag"] == f'"{body["version"]}"'
    assert names(acme) == ["canary", "early", "broad", "pilot"]
    event = AuditEvent.objects.get(tenant=acme, action="ring.created", actor_id=str(admin.pk))
    assert event.after["name"] == "pilot"


def test_it_creates_a_group_ring_of_the_tenants_own_group_only(acme: Any) -> None:
    # given: a group of acme and one of another tenant
    admin = member(acme, Role.ADMIN)
    mine = host_group_create(tenant=acme, actor=SYSTEM, name="lab", rule_text="tag:lab").obj
    other_tenant = TenantFactory(slug="globex")
    theirs = host_group_create(tenant=other_tenant, actor=SYSTEM, name="lab", rule_text="tag:lab").obj
    client = session(admin)
    # when
    ok = client.post("/api/v1/rings/", {"name": "lab", "group": str(mine.pk)}, content_type=JSON)
    foreign = client.post("/api/v1/rings/", {"name": "lab2", "group": str(theirs.pk)}, content_type=JSON)
    # then
    assert ok.status_code == 201 and ok.json()["group"] == str(mine.pk)
    assert foreign.status_code == 400 and "group" in foreign.json()["errors"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "", "percentage": "10"}, {"name"}),
        ({"name": "canary", "percentage": "10"}, {"name"}),
        ({"name": "x"}, {"percentage"}),
        ({"name": "x", "percentage": "0"}, {"percentage"}),
        ({"name": "x", "percentage": "100.01"}, {"percentage"}),
        ({"name": "x", "percentage": "abc"}, {"percentage"}),
        ({"name": "x", "percentage": "5", "soak_minutes": -1}, {"soak_minutes"}),
        ({"name": "x", "percentage": "5", "min_sample": 0}, {"min_sample"}),
        (
            {"name": "x", "percentage": "5", "max_crash_rate": 1.5, "max_silence_rate": -0.1},
            {"max_crash_rate", "max_silence_rate"},
        ),
        ({"name": "x", "percentage": "5", "max_boot_loop_rate": "lots"}, {"max_boot_loop_rate"}),
        ({"name": "x", "group": "not-a-uuid"}, {"group"}),
    ],
)
def test_it_refuses_bad_rings_with_field_errors(acme: Any, payload: dict[str, Any], fields: set[str]) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    # when
    response = session(admin).post("/api/v1/rings/", payload, content_type=JSON)
    # then
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert fields <= set(response.json()["errors"]), response.json()
    assert names(acme) == ["canary", "early", "broad"]


def test_it_deletes_a_ring_with_if_match_and_closes_the_gap(acme: Any) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    client = session(admin)
    early = Ring.objects.get(tenant=acme, name="early")
    url = f"/api/v1/rings/{early.pk}"
    etag = client.get(url)["ETag"]
    # when: without If-Match, then with it
    missing = client.delete(url)
    done = client.delete(url, headers={"If-Match": etag})
    # then
    assert missing.status_code == 428
    assert done.status_code == 204
    assert list(Ring.objects.filter(tenant=acme).order_by("order").values_list("name", "order")) == [
        ("canary", 1),
        ("broad", 2),
    ]
    assert AuditEvent.objects.get(tenant=acme, action="ring.deleted").before["name"] == "early"


def test_it_keeps_at_least_one_ring(acme: Any) -> None:
    # given: only one ring left
    admin = member(acme, Role.ADMIN)
    Ring.objects.filter(tenant=acme).exclude(name="broad").delete()
    broad = Ring.objects.get(tenant=acme)
    client = session(admin)
    # when
    response = client.delete(f"/api/v1/rings/{broad.pk}", headers={"If-Match": f'"{broad.version}"'})
    # then
    assert response.status_code == 409
    assert "at least one ring" in response.json()["detail"]
    assert Ring.objects.filter(tenant=acme).count() == 1


def test_it_refuses_to_delete_a_ring_a_running_rollout_has_reached(acme: Any) -> None:
    # given: a rollout in ring 2 (index 1)
    admin = member(acme, Role.ADMIN)
    live_rollout(acme, ring_index=1)
    client = session(admin)
    rings = {r.name: r for r in Ring.objects.filter(tenant=acme)}
    # when
    reached = client.delete(f"/api/v1/rings/{rings['early'].pk}", headers={"If-Match": '"1"'})
    ahead = client.delete(f"/api/v1/rings/{rings['broad'].pk}", headers={"If-Match": '"1"'})
    # then: the reached ring stays (409 naming the rollout); a ring it has not reached can go
    assert reached.status_code == 409
    assert "291.4" in reached.json()["detail"] and "early" in reached.json()["detail"]
    assert ahead.status_code == 204
    assert names(acme) == ["canary", "early"]


def test_it_refuses_to_change_the_hosts_of_a_ring_a_running_rollout_has_reached(acme: Any) -> None:
    # given: a rollout in ring 1
    admin = member(acme, Role.ADMIN)
    live_rollout(acme, ring_index=0)
    client = session(admin)
    rings = {r.name: r for r in Ring.objects.filter(tenant=acme)}

    def patch(ring: Ring, body: dict[str, Any]) -> Any:
        etag = client.get(f"/api/v1/rings/{ring.pk}")["ETag"]
        return client.patch(f"/api/v1/rings/{ring.pk}", body, content_type=JSON, headers={"If-Match": etag})

    # when
    widened = patch(rings["canary"], {"percentage": "50"})
    soak = patch(rings["canary"], {"soak_minutes": 120, "max_crash_rate": 0.01})
    later = patch(rings["early"], {"percentage": "20"})
    # then: the reached ring keeps its hosts (409) but its soak and gate may change; later rings may change
    assert widened.status_code == 409 and "canary" in widened.json()["detail"]
    assert soak.status_code == 200 and soak.json()["soak_minutes"] == 120
    assert later.status_code == 200 and later.json()["percentage"] == 20.0
    assert Ring.objects.get(pk=rings["canary"].pk).percentage == Decimal("1")


def test_it_refuses_to_reorder_while_a_rollout_is_running_or_halted(acme: Any) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    rollout = live_rollout(acme, state=RolloutState.HALTED)
    order = list(reversed(ids(acme)))
    client = session(admin)
    # when
    refused = client.put("/api/v1/rings/order", {"order": order}, content_type=JSON)
    Rollout.objects.filter(pk=rollout.pk).update(state=RolloutState.COMPLETED)
    allowed = client.put("/api/v1/rings/order", {"order": order}, content_type=JSON)
    # then
    assert refused.status_code == 409 and "reordered" in refused.json()["detail"]
    assert allowed.status_code == 200
    assert [r["name"] for r in allowed.json()["results"]] == ["broad", "early", "canary"]
    assert names(acme) == ["broad", "early", "canary"]
    event = AuditEvent.objects.get(tenant=acme, action="ring.reordered", actor_id=str(admin.pk))
    assert event.before == {"order": ["canary", "early", "broad"]}
    assert event.after == {"order": ["broad", "early", "canary"]}


def test_it_refuses_an_order_that_does_not_list_every_ring_once(acme: Any) -> None:
    admin = member(acme, Role.ADMIN)
    client = session(admin)
    current = ids(acme)
    for order in (
        current[:2],
        [*current, current[0]],
        [*current[:2], "00000000-0000-0000-0000-000000000000"],
    ):
        response = client.put("/api/v1/rings/order", {"order": order}, content_type=JSON)
        assert response.status_code == 400 and "order" in response.json()["errors"]
    bad_type = client.put("/api/v1/rings/order", {"order": "canary"}, content_type=JSON)
    assert bad_type.status_code == 400
    assert names(acme) == ["canary", "early", "broad"]


def test_it_moves_hosts_between_rings_when_reordered(acme: Any) -> None:
    # given: 60 hosts; canary (1 %) first
    hosts = [str(HostFactory(tenant=acme).pk) for _ in range(60)]
    before = ring_membership(acme.pk, list(Ring.objects.filter(tenant=acme).order_by("order")), hosts)
    # when: broad (100 %) first
    ring_reorder(tenant=acme, actor=SYSTEM, order=list(reversed(ids(acme))))
    after = ring_membership(acme.pk, list(Ring.objects.filter(tenant=acme).order_by("order")), hosts)
    # then: every host is now in ring 1
    assert set(after.values()) == {0}
    assert set(before.values()) != {0}


def test_it_lets_members_read_rings_and_only_admins_change_them_and_outsiders_nothing(acme: Any) -> None:
    # given
    owner, operator, viewer = member(acme, Role.OWNER), member(acme, Role.OPERATOR), member(acme, Role.VIEWER)
    outsider = member(TenantFactory(slug="globex"), Role.OWNER)
    canary = Ring.objects.get(tenant=acme, name="canary")
    url = f"/api/v1/rings/{canary.pk}"
    order = list(reversed(ids(acme)))
    # then: members read
    for user in (operator, viewer):
        assert [r["name"] for r in session(user).get("/api/v1/rings/").json()["results"]] == [
            "canary",
            "early",
            "broad",
        ]
        assert session(user).get(url).status_code == 200
        assert (
            session(user)
            .post("/api/v1/rings/", {"name": "x", "percentage": 5}, content_type=JSON)
            .status_code
            == 403
        )
        assert session(user).delete(url, headers={"If-Match": '"1"'}).status_code == 403
        assert (
            session(user).put("/api/v1/rings/order", {"order": order}, content_type=JSON).status_code == 403
        )
    # the outsider sees none of it: an empty list, 404 for the ring, and cannot reorder acme's rings
    outside = session(outsider)
    assert [r["id"] for r in outside.get("/api/v1/rings/").json()["results"]] == []
    assert outside.get(url).status_code == 404
    assert outside.delete(url, headers={"If-Match": '"1"'}).status_code == 404
    assert outside.put("/api/v1/rings/order", {"order": order}, content_type=JSON).status_code == 400
    assert outside.get(f"/rollout/rings/{canary.pk}/").status_code == 404
    assert canary.name not in outside.get("/rollout/rings/").content.decode()
    # the owner changes them
    assert session(owner).put("/api/v1/rings/order", {"order": order}, content_type=JSON).status_code == 200
    assert names(acme) == ["broad", "early", "canary"]


def test_it_shows_ring_form_errors_next_to_the_field_and_keeps_what_was_typed(acme: Any) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    # when
    response = session(admin).post(
        "/rollout/rings/",
        {
            "form": "create",
            "name": "typed-name",
            "percentage": "",
            "soak_minutes": "-5",
            "max_crash_rate": "7",
        },
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="typed-name"' in html
    assert "A ring takes a host group or a percentage of hosts." in html
    assert "Use whole minutes" in html and "Use a rate between 0 and 1" in html
    assert names(acme) == ["canary", "early", "broad"]


def test_it_edits_a_ring_on_its_page_and_refuses_a_stale_form(acme: Any) -> None:
    # given
    admin = member(acme, Role.ADMIN)
    ring = Ring.objects.get(tenant=acme, name="early")
    client = session(admin)
    form = dict(client.get(f"/rollout/rings/{ring.pk}/").context["form"])
    form["soak_minutes"] = "5"
    # when
    saved = client.post(f"/rollout/rings/{ring.pk}/", form)
    stale = client.post(f"/rollout/rings/{ring.pk}/", {**form, "soak_minutes": "7"})
    # then
    assert saved.status_code == 302
    assert stale.status_code == 400 and "changed by someone else" in stale.content.decode()
    ring.refresh_from_db()
    assert ring.soak_minutes == 5 and ring.percentage == Decimal("10")
    assert AuditEvent.objects.filter(tenant=acme, action="ring.updated", actor_id=str(admin.pk)).exists()


def test_it_creates_reorders_and_deletes_rings_in_a_browser(live_server: Any, page: Any, acme: Any) -> None:
    from tests.conftest import browser_login

    # given: an admin on the rings page
    member(acme, Role.ADMIN, username="admin@acme.example")
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/rollout/rings/")
    assert page.locator("[data-testid=ring-row]").count() == 3
    # when: a bad ring first, then a good one
    page.fill("#r-name", "pilot")
    page.fill("#r-pct", "150")
    page.click("[data-testid=ring-save]")
    assert "above 0 and at most 100" in page.locator("form[data-testid=ring-create]").inner_text()
    assert page.input_value("#r-name") == "pilot"
    page.fill("#r-pct", "20")
    page.click("[data-testid=ring-save]")
    page.wait_for_selector("[data-testid=ring-row][data-ring=pilot]")
    # then: it is last; moving it up twice makes it ring 2
    rows = page.locator("[data-testid=ring-row]")
    assert rows.nth(3).get_attribute("data-ring") == "pilot"
    for _ in range(2):
        page.click("[data-testid=ring-row][data-ring=pilot] [data-testid=move-up]")
        page.wait_for_load_state("networkidle")
    assert [rows.nth(i).get_attribute("data-ring") for i in range(4)] == ["canary", "pilot", "early", "broad"]
    # and deleting "early" (confirmed in the dialog) leaves three rings in order
    page.click("[data-testid=ring-row][data-ring=early] [data-testid=delete]")
    page.wait_for_selector("[data-testid=ring-row][data-ring=early]", state="detached")
    assert [rows.nth(i).get_attribute("data-ring") for i in range(3)] == ["canary", "pilot", "broad"]
    assert names(acme) == ["canary", "pilot", "broad"]
    assert {"ring.created", "ring.reordered", "ring.deleted"} <= set(
        AuditEvent.objects.filter(tenant=acme, action__startswith="ring.").values_list("action", flat=True)
    )
