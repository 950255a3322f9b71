"""The notification centre: every live event the tenant is told about is kept (nothing vanishes on
reload), listed newest first, marked read one by one or all at once (audited, operators and up);
the owner / member / outsider trio: the outsider sees none of it and gets 404."""

from __future__ import annotations

import pytest

from console.access import Actor
from console.models import AuditEvent, Notification
from rollout.controls.pauses import pause_create
from tests.console.conftest import api_as, problem
from tests.rollout.conftest import TenantWorld

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def paused(world: TenantWorld) -> Notification:
    pause_create(tenant=world.tenant, actor=SYSTEM, scope="tenant", reason="bad channel file 291")
    return Notification.objects.get(tenant=world.tenant)


def test_it_keeps_a_live_event_and_lists_it_to_members_only(tenant_world: TenantWorld) -> None:
    # given acme paused (an event shown live as a banner)
    kept = paused(tenant_world)
    # when acme's viewer and globex's owner list notifications
    mine = api_as(tenant_world.viewer).get("/api/v1/notifications/")
    theirs = api_as(tenant_world.outsider).get("/api/v1/notifications/")
    # then the viewer sees it unread, in words; the outsider sees nothing
    assert mine.status_code == 200
    [item] = mine.json()["results"]
    assert item["id"] == str(kept.pk) and item["read"] is False
    assert item["title"] == "Paused: everything (bad channel file 291)" and item["link"] == "/rollout/pauses/"
    assert theirs.json()["results"] == []


def test_it_does_not_keep_what_a_dry_run_only_previewed(tenant_world: TenantWorld) -> None:
    pause_create(tenant=tenant_world.tenant, actor=SYSTEM, scope="tenant", reason="what if", dry_run=True)
    assert not Notification.objects.filter(tenant=tenant_world.tenant).exists()


def test_it_marks_one_read_audited_and_answers_404_across_tenants(tenant_world: TenantWorld) -> None:
    # given an unread notification
    kept = paused(tenant_world)
    # when the outsider tries to mark it read, then the operator does
    outsider = api_as(tenant_world.outsider).post(f"/api/v1/notifications/{kept.pk}/read/")
    response = api_as(tenant_world.operator).post(f"/api/v1/notifications/{kept.pk}/read/")
    # then the outsider got the same 404 as a missing one, and the operator's read is audited
    assert problem(outsider)["status"] == 404
    assert response.status_code == 200 and response.json()["read"] is True
    kept.refresh_from_db()
    assert kept.read_at is not None and kept.read_by
    audit = AuditEvent.objects.get(tenant=tenant_world.tenant, action="notification.read")
    assert audit.target_id == str(kept.pk) and audit.actor_id == str(tenant_world.operator.pk)
    unread = api_as(tenant_world.viewer).get("/api/v1/notifications/?unread=true").json()["results"]
    assert unread == []


def test_it_marks_all_read_in_one_audited_step(tenant_world: TenantWorld) -> None:
    paused(tenant_world)
    pause_create(tenant=tenant_world.tenant, actor=SYSTEM, scope="sensor", reason="driver issue")
    response = api_as(tenant_world.owner).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked_read": 2}
    assert not Notification.objects.filter(tenant=tenant_world.tenant, read_at__isnull=True).exists()
    assert AuditEvent.objects.filter(tenant=tenant_world.tenant, action="notification.all_read").count() == 1
    # nothing left: no second audit row
    assert api_as(tenant_world.owner).post("/api/v1/notifications/read-all/").json() == {"marked_read": 0}
    assert AuditEvent.objects.filter(tenant=tenant_world.tenant, action="notification.all_read").count() == 1


def test_it_refuses_viewers_marking_read_and_bad_filters(tenant_world: TenantWorld) -> None:
    kept = paused(tenant_world)
    refused = api_as(tenant_world.viewer).post(f"/api/v1/notifications/{kept.pk}/read/")
    bad = api_as(tenant_world.viewer).get("/api/v1/notifications/?unread=perhaps")
    assert problem(refused)["status"] == 403
    body = problem(bad)
    assert body["status"] == 400 and "unread" in str(body)
    kept.refresh_from_db()
    assert kept.read_at is None
