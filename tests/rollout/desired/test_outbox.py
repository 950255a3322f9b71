"""The outbox: written with the change, claimed with SKIP LOCKED, turned into recompute + publish;
the sync status API and page with "resync now" (owner / member / outsider)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.test import Client

from console.access import Actor
from console.models import AuditEvent
from rollout.controls.pauses import pause_create
from rollout.desired.outbox import outbox_enqueue
from rollout.desired.publish import desired_digest, outbox_process
from rollout.desired.recompute import desired_state_recompute
from rollout.distribution.backends import backend_for
from rollout.groups.services import host_group_members_change
from rollout.models import OutboxEntry, TenantRevision
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import sensor_policy_create
from telemetry.models import Host
from tests.conftest import test_database_url as database_url
from tests.factories import HostFactory, content_release, host_group, rollout_catalog
from tests.rollout.conftest import TenantWorld, session

SYSTEM = Actor.system("test")


@pytest.fixture
def fleet(redis_flush: None, tenant_world: TenantWorld) -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    content_release(catalog["rapid_response"], "291.4", hours_ago=50)
    acme, globex = tenant_world.tenant, tenant_world.other_tenant
    for tenant in (acme, globex):
        policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    hosts = [HostFactory(tenant=acme, tags=["prod"], sensor_build="7.10.100") for _ in range(8)]
    HostFactory(tenant=globex)
    return {
        "acme": acme,
        "globex": globex,
        "hosts": hosts,
        "owner": session(tenant_world.owner),
        "operator": session(tenant_world.operator),
        "viewer": session(tenant_world.viewer),
        "outsider": session(tenant_world.outsider),
    }


@pytest.mark.django_db
def test_it_writes_an_outbox_row_with_the_change_and_none_for_a_dry_run(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    OutboxEntry.objects.all().delete()
    # when
    sensor_policy_create(tenant=acme, actor=SYSTEM, name="dry", platform="linux", target="off", dry_run=True)
    # then
    assert OutboxEntry.objects.count() == 0
    # when
    sensor_policy_create(tenant=acme, actor=SYSTEM, name="real", platform="linux", target="off")
    # then
    [row] = OutboxEntry.objects.all()
    assert row.tenant_id == acme.pk and row.reason == "sensor_policy_create" and row.processed_at is None


@pytest.mark.django_db
def test_it_turns_pending_rows_into_one_recompute_and_a_publish(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    outbox_enqueue(tenant_id=acme.pk, reason="test.one")
    outbox_enqueue(tenant_id=acme.pk, reason="test.two", host_ids=[str(fleet["hosts"][0].pk)])
    # when
    published = outbox_process(acme.pk)
    # then
    assert published is not None and published.full and published.hosts == 8
    assert not OutboxEntry.objects.filter(tenant=acme, processed_at__isnull=True).exists()
    tr = TenantRevision.objects.get(tenant=acme)
    assert tr.revision == tr.published_revision == tr.acknowledged_revision == 1
    snapshot = backend_for(settings).snapshot(str(acme.pk))
    assert snapshot.revision == 1 and snapshot.digest == desired_digest(str(acme.pk)) == tr.published_digest
    assert Host.objects.filter(tenant=acme, update_offered_at__isnull=False).count() == 8
    # when: nothing pending, nothing changed
    assert outbox_process(acme.pk) is None


@pytest.mark.django_db
def test_it_publishes_a_delta_of_the_changed_hosts(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    outbox_enqueue(tenant_id=acme.pk, reason="test")
    outbox_process(acme.pk)
    group = host_group(acme, "few")
    host_group_members_change(
        tenant=acme, actor=SYSTEM, group=group, add=[str(h.pk) for h in fleet["hosts"][:2]]
    )
    sensor_policy_create(
        tenant=acme,
        actor=SYSTEM,
        name="pin",
        platform="windows",
        target="pinned:7.09.100",
        group_ids=[group.pk],
    )
    # when
    published = outbox_process(acme.pk)
    # then
    assert published is not None and not published.full and published.hosts == 2
    snapshot = backend_for(settings).snapshot(str(acme.pk))
    assert snapshot.host_count == 8 and snapshot.digest == desired_digest(str(acme.pk))


@pytest.mark.django_db(transaction=True)
def test_it_skips_rows_another_worker_holds(fleet: dict[str, Any]) -> None:
    # given: another worker (another connection) has claimed the tenant's only row
    acme = fleet["acme"]
    outbox_enqueue(tenant_id=acme.pk, reason="held")
    with psycopg.connect(database_url()) as other:
        other.execute("SELECT id FROM rollout_outboxentry WHERE tenant_id = %s FOR UPDATE", [acme.pk])
        # when
        outbox_process(acme.pk)
        # then: not processed by us, not blocked either
        assert OutboxEntry.objects.filter(tenant=acme, processed_at__isnull=True).count() == 1
        other.rollback()
    # when the other worker died without committing, the row is still there for the next one
    outbox_process(acme.pk)
    assert not OutboxEntry.objects.filter(tenant=acme, processed_at__isnull=True).exists()
    assert TenantRevision.objects.get(tenant=acme).published_revision == 1


# --- API and page: owner / member / outsider -----------------------------------------------------


@pytest.mark.django_db
def test_it_shows_the_sync_status_to_members_and_only_their_own(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    outbox_enqueue(tenant_id=acme.pk, reason="test")
    outbox_process(acme.pk)
    # when
    mine = fleet["viewer"].get("/api/v1/sync/")
    theirs = fleet["outsider"].get("/api/v1/sync/")
    # then
    assert mine.status_code == 200
    body = mine.json()
    assert body["desired_revision"] == body["published_revision"] == body["acknowledged_revision"] == 1
    assert body["in_sync"] and body["lag_revisions"] == 0 and body["last_error"] == ""
    assert theirs.status_code == 200 and theirs.json()["desired_revision"] == 0
    assert Client().get("/api/v1/sync/").status_code in (401, 403)


@pytest.mark.django_db
def test_it_lets_an_operator_resync_and_audits_it_but_not_a_viewer(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    outbox_enqueue(tenant_id=acme.pk, reason="test")
    outbox_process(acme.pk)
    # when
    refused = fleet["viewer"].post("/api/v1/sync/resync")
    done = fleet["operator"].post("/api/v1/sync/resync")
    # then
    assert refused.status_code == 403
    assert done.status_code == 202 and done.json()["desired_revision"] == 2
    assert AuditEvent.objects.filter(tenant=acme, action="distribution.resync").count() == 1
    # when the worker runs: a full publish of the same hosts under revision 2
    published = outbox_process(acme.pk)
    assert published is not None and published.full and published.revision == 2
    assert backend_for(settings).snapshot(str(acme.pk)).digest == desired_digest(str(acme.pk))


@pytest.mark.django_db
def test_it_asks_for_confirmation_on_the_sync_page(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    # when
    page = fleet["viewer"].get("/rollout/sync/")
    unconfirmed = fleet["operator"].post("/rollout/sync/", {})
    ask = fleet["operator"].get("/rollout/sync/?confirm=resync")
    confirmed = fleet["operator"].post("/rollout/sync/", {"confirm": "yes"})
    viewer_post = fleet["viewer"].post("/rollout/sync/", {"confirm": "yes"})
    # then
    assert (
        page.status_code == 200
        and b"Desired revision" in page.content
        and b'data-testid="resync"' not in page.content
    )
    assert unconfirmed.status_code == 400
    assert b'data-testid="resync-confirm"' in ask.content
    assert confirmed.status_code == 200 and b'data-testid="resync-done"' in confirmed.content
    assert viewer_post.status_code == 403
    assert AuditEvent.objects.filter(tenant=acme, action="distribution.resync").count() == 1


@pytest.mark.django_db
def test_it_explains_a_host_from_its_stored_desired_state(fleet: dict[str, Any]) -> None:
    # given
    acme = fleet["acme"]
    host = fleet["hosts"][0]
    desired_state_recompute(acme.pk)
    pause_create(tenant=acme, actor=SYSTEM, scope="sensor", reason="hold builds")
    # when
    mine = fleet["viewer"].get(f"/api/v1/hosts/{host.pk}/desired")
    theirs = fleet["outsider"].get(f"/api/v1/hosts/{host.pk}/desired")
    # then
    assert mine.status_code == 200
    body = mine.json()
    assert body["sensor_build"] == "7.10.200" and body["rules"]["sensor"]["rule"] == "stage"
    assert [h["scope"] for h in body["paused"]] == ["sensor"]
    assert theirs.status_code == 404
