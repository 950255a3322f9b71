"""Hosts enrolled or changed reach desired state within seconds: telemetry stamps the changing
transaction on the host, the beat sweep recomputes each tenant's hosts changed since its
watermark (real worker, real PostgreSQL and Redis; owner / member / outsider: the outsider's
hosts are never swept into another tenant's recompute)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.access import Actor
from console.models import ApiScope, Role
from rollout.desired.host_changes import hosts_changed_enqueue
from rollout.desired.tasks import hosts_changed_sweep
from rollout.models import DesiredState, OutboxEntry
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.services import sensor_policy_create
from telemetry.ingest import heartbeats_flush
from telemetry.models import Host
from tests.conftest import wait_for
from tests.factories import (
    HostFactory,
    TenantFactory,
    api_client_with_token,
    content_release,
    enrolment_token,
    host_group,
    member,
    rollout_catalog,
)
from tests.telemetry.conftest import heartbeat, post_heartbeats

SYSTEM = Actor.system("test")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_flush")]


def _tenant_with_lab_pin(slug: str) -> tuple[Any, Any]:
    """A tenant whose rule group ``platform:linux and tag:lab`` is pinned to 7.09.100."""
    tenant = TenantFactory(slug=slug)
    policy_defaults_ensure(tenant=tenant, actor=SYSTEM)
    lab = host_group(tenant, "lab", rule_text="platform:linux and tag:lab")
    sensor_policy_create(
        tenant=tenant,
        actor=SYSTEM,
        name="lab pin",
        platform="linux",
        target="pinned:7.09.100",
        group_ids=[lab.pk],
    )
    return tenant, lab


def _pending(tenant: Any) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(tenant=tenant, reason="hosts.changed", processed_at__isnull=True))


def test_it_gives_a_newly_enrolled_host_its_desired_state_without_any_enqueue(celery_worker: Any) -> None:
    # given a tenant with a pinned rule group, its hosts' desired state computed, and a worker
    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    content_release(catalog["rapid_response"], "291.4", hours_ago=50)
    tenant, lab = _tenant_with_lab_pin("acme")
    member_client = Client()
    member_client.force_login(member(tenant, Role.VIEWER))
    _, secret = enrolment_token(tenant)
    OutboxEntry.objects.filter(tenant=tenant).delete()
    # when a sensor enrols into that group through the real API
    response = Client().post(
        "/api/v1/telemetry/enrol",
        {"enrolment_token": secret, "hostname": "lab-1", "platform": "linux", "tags": ["lab"], "site": "x"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    host_id = response.json()["host_id"]
    assert not OutboxEntry.objects.filter(tenant=tenant).exists()  # nobody enqueued it
    # and beat runs the sweep (sent to the worker as beat sends it)
    hosts_changed_sweep.apply_async()
    # then the host's desired state appears: in the group, on the pinned build
    row = wait_for(
        lambda: DesiredState.objects.filter(host_id=host_id, sensor_build="7.09.100").first(),
        timeout=60,
        what="the new host's desired state",
    )
    assert row.groups == [str(lab.pk)] and row.tenant_id == tenant.pk
    explained = member_client.get(f"/api/v1/hosts/{host_id}/desired").json()
    assert explained["sensor_build"] == "7.09.100"
    [entry] = OutboxEntry.objects.filter(tenant=tenant)
    assert entry.reason == "hosts.changed" and entry.host_ids == [host_id]


def test_it_sweeps_hosts_whose_rule_attributes_changed_in_a_heartbeat_and_only_them(client: Client) -> None:
    # given two tenants' hosts, already swept
    rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows", "linux"))
    acme, _ = _tenant_with_lab_pin("acme")
    globex = TenantFactory(slug="globex")
    moving, steady = HostFactory(tenant=acme, platform="linux"), HostFactory(tenant=acme, platform="linux")
    outsider = HostFactory(tenant=globex, platform="linux")
    assert set(hosts_changed_enqueue()) == {str(acme.pk), str(globex.pk)}
    OutboxEntry.objects.all().delete()
    _, pipeline = api_client_with_token(None, [ApiScope.TELEMETRY], name="pipeline")
    same = {"hostname": steady.hostname, "platform": "linux", "tags": list(steady.tags), "site": steady.site}
    versions = {"sensor_build": steady.sensor_build, "content_versions": steady.content_versions}
    post_heartbeats(client, pipeline, [heartbeat(steady, **same, **versions)])
    heartbeats_flush()
    # a heartbeat that changes nothing rule-relevant moves nothing
    assert hosts_changed_enqueue() == {}
    # when one host's tags change in a heartbeat (it now matches the lab group) and another
    # tenant's host is renamed
    lab_tags = {"tags": ["lab"], "platform": "linux", "sensor_build": moving.sensor_build}
    post_heartbeats(
        client,
        pipeline,
        [
            heartbeat(moving, **lab_tags, content_versions=moving.content_versions),
            heartbeat(steady, **same, **versions),
            heartbeat(
                outsider,
                hostname="renamed",
                platform="linux",
                sensor_build=outsider.sensor_build,
                content_versions=outsider.content_versions,
            ),
        ],
    )
    assert heartbeats_flush().updated == 3
    found = hosts_changed_enqueue()
    # then each tenant's sweep names only its own changed host
    assert found == {str(acme.pk): 1, str(globex.pk): 1}
    [row] = _pending(acme)
    assert row.host_ids == [str(moving.pk)]
    [other] = _pending(globex)
    assert other.host_ids == [str(outsider.pk)]
    # and a second sweep finds nothing new (the watermark moved past them)
    assert hosts_changed_enqueue() == {}
    assert Host.objects.get(pk=moving.pk).tags == ["lab"]


def test_it_runs_the_sweep_from_beat_every_few_seconds() -> None:
    import subprocess
    import sys

    from tests.conftest import child_env

    # given a process where Django is not set up yet (as `celery beat` starts)
    code = (
        "from console.celery import app; e = app.conf.beat_schedule['rollout-hosts-changed'];"
        " print(e['task'], e['schedule'])"
    )
    # when the schedule is read
    result = subprocess.run(
        [sys.executable, "-c", code], env=child_env(), capture_output=True, text=True, timeout=60
    )
    # then the host-change sweep is in it, every 5 s
    assert result.stdout.split() == ["rollout.tasks.hosts_changed_sweep", "5.0"], (
        result.stdout + result.stderr
    )
