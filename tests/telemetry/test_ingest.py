"""Heartbeat ingest: strict per-item validation, Redis staging, bulk flush to PostgreSQL, Redis outages."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client

from console.models import ApiScope, Role
from telemetry import ingest
from telemetry.ingest import heartbeats_flush
from telemetry.models import CrashEvent, Host
from tests.conftest import ManagedProcess, free_port, wait_for
from tests.factories import HostFactory, TenantFactory, api_client_with_token, host_with_credential, member
from tests.telemetry.conftest import heartbeat, post_heartbeats

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_flush")]


def test_it_stages_a_batch_and_flushes_it_to_postgresql(client: Client, pipeline_token: str) -> None:
    # given two hosts of two tenants
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    a, g = HostFactory(tenant=acme), HostFactory(tenant=globex, platform="linux")
    # when the pipeline posts their heartbeats
    response = post_heartbeats(
        client,
        pipeline_token,
        [
            heartbeat(a, hostname="a-renamed", tags=["prod"], site="berlin"),
            heartbeat(g, content_versions={"rapid_response": "291.4"}),
        ],
    )
    # then both are accepted but nothing is in PostgreSQL until the flush
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 2, "rejected": []}
    assert Host.objects.get(pk=a.pk).last_seen_at is None
    result = heartbeats_flush()
    assert result.heartbeats == 2 and result.updated == 2
    assert result.tenants == {str(acme.pk), str(globex.pk)}
    a.refresh_from_db()
    g.refresh_from_db()
    assert (a.hostname, a.tags, a.site, a.status, a.heartbeat_interval_s) == (
        "a-renamed",
        ["prod"],
        "berlin",
        "online",
        10,
    )
    assert a.content_versions == {"rapid_response": "291.3", "sensor_operations": "44.1"}
    assert a.last_seen_at is not None
    assert g.content_versions == {"rapid_response": "291.4"}
    assert ingest.last_flush_at() is not None


def test_it_reports_bad_items_per_item_and_keeps_the_good_ones(client: Client, pipeline_token: str) -> None:
    # given
    host = HostFactory()
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    items = [
        heartbeat(host),
        heartbeat(host, status="exploded"),
        {"host_id": "not-a-uuid", "time": "yesterday"},
        heartbeat(host, time=future, extra="x"),
        "just a string",
        heartbeat("00000000-0000-0000-0000-000000000001"),
        heartbeat(host, crashes=[{"component": "csagent.sys"}]),
        heartbeat(host, content_versions={"Rapid Response": "1"}, sensor_build=""),
    ]
    # when
    response = post_heartbeats(client, pipeline_token, items)
    # then each bad item is named with its fields, the good one is kept
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    rejected = {r["index"]: r["errors"] for r in body["rejected"]}
    assert set(rejected) == {1, 2, 3, 4, 5, 6, 7}
    assert "status" in rejected[1]
    assert {"host_id", "time", "sensor_build", "content_versions", "status"} <= set(rejected[2])
    assert rejected[3]["time"] == ["The time is in the future."]
    assert rejected[3]["extra"] == ["Unknown field."]
    assert rejected[4] == {"__all__": ["A heartbeat must be a JSON object."]}
    assert rejected[5] == {"host_id": ["Unknown host."]}
    assert "crashes[0]" in rejected[6]
    assert {"content_versions", "sensor_build"} <= set(rejected[7])
    heartbeats_flush()
    host.refresh_from_db()
    assert host.status == "online" and host.last_seen_at is not None


@pytest.mark.parametrize(
    "body",
    [{"heartbeats": []}, {"heartbeats": "x"}, {"beats": []}, [1, 2]],
)
def test_it_refuses_a_malformed_envelope_with_problem_json(
    client: Client, pipeline_token: str, body: object
) -> None:
    response = client.post(
        "/api/v1/telemetry/heartbeats",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {pipeline_token}",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "heartbeats" in response.json()["errors"]


def test_it_refuses_a_batch_over_a_thousand(client: Client, pipeline_token: str) -> None:
    host = HostFactory()
    response = post_heartbeats(client, pipeline_token, [heartbeat(host)] * 1001)
    assert response.status_code == 400
    assert response.json()["errors"] == {"heartbeats": ["At most 1000 items."]}


def test_it_is_idempotent_when_a_batch_is_retried(client: Client, pipeline_token: str) -> None:
    # given a batch with a crash report
    host = HostFactory()
    at = datetime.now(UTC).isoformat()
    crash = {"component": "csagent.sys", "category": "rapid_response", "content_version": "291.4", "at": at}
    batch = [heartbeat(host, time=at, status="crashed", crashes=[crash])]
    # when it is sent, flushed, sent again (a retry after a lost response) and flushed again
    first = post_heartbeats(client, pipeline_token, batch)
    heartbeats_flush()
    host.refresh_from_db()
    seen, changed = host.last_seen_at, host.status_changed_at
    second = post_heartbeats(client, pipeline_token, batch)
    third = post_heartbeats(client, pipeline_token, batch)
    heartbeats_flush()
    # then the same answer and the same state: one crash event, nothing moved
    assert first.json() == second.json() == third.json() == {"accepted": 1, "rejected": []}
    host.refresh_from_db()
    assert (host.last_seen_at, host.status_changed_at, host.status) == (seen, changed, "crashed")
    assert CrashEvent.objects.filter(host=host).count() == 1


def test_it_keeps_the_newest_heartbeat_when_an_older_one_arrives_late(
    client: Client, pipeline_token: str
) -> None:
    host = HostFactory()
    now = datetime.now(UTC)
    newer = heartbeat(host, time=now.isoformat(), sensor_build="7.11.18200")
    older = heartbeat(host, time=(now - timedelta(seconds=30)).isoformat(), sensor_build="7.11.18110")
    # when the newer arrives, then the older (in the same flush and in a later one)
    post_heartbeats(client, pipeline_token, [newer])
    post_heartbeats(client, pipeline_token, [older])
    heartbeats_flush()
    post_heartbeats(client, pipeline_token, [older])
    heartbeats_flush()
    # then
    host.refresh_from_db()
    assert host.sensor_build == "7.11.18200"
    assert host.last_seen_at == now


def test_it_finishes_a_flush_that_died_after_moving_the_batch_aside(
    client: Client, pipeline_token: str
) -> None:
    from console.redis import redis_client

    # given a flush that moved the staged heartbeats aside and died before writing them
    host = HostFactory()
    post_heartbeats(client, pipeline_token, [heartbeat(host, sensor_build="7.11.18300")])
    keys = [
        ingest.STAGED,
        ingest.STAGED_TS,
        ingest.STAGED_CRASHES,
        ingest.PROCESSING,
        ingest.PROCESSING_TS,
        ingest.PROCESSING_CRASHES,
    ]
    redis_client().register_script(ingest._SWAP_LUA)(keys=keys, args=[])
    assert redis_client().hlen(ingest.PROCESSING) == 1
    # and more heartbeats arriving meanwhile
    other = HostFactory(tenant=host.tenant)
    post_heartbeats(client, pipeline_token, [heartbeat(other)])
    # when the next flushes run
    first = heartbeats_flush()
    second = heartbeats_flush()
    # then the orphaned batch lands first, the new one next, and nothing is left in Redis
    assert (first.heartbeats, second.heartbeats) == (1, 1)
    host.refresh_from_db()
    other.refresh_from_db()
    assert host.sensor_build == "7.11.18300"
    assert other.last_seen_at is not None
    assert not redis_client().exists(ingest.PROCESSING, ingest.STAGED)


def test_it_derives_crashed_recovering_and_quiet_statuses(client: Client, pipeline_token: str) -> None:
    # given four hosts reporting every 10 s
    tenant = TenantFactory()
    crashed, updated, idle, recovered = (HostFactory(tenant=tenant) for _ in range(4))
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    crash = {"component": "csagent.sys", "category": "rapid_response", "content_version": "291.4"}
    post_heartbeats(
        client,
        pipeline_token,
        [
            heartbeat(crashed, time=t0.isoformat(), status="crashed", crashes=[crash]),
            heartbeat(updated, time=t0.isoformat()),
            heartbeat(idle, time=t0.isoformat()),
            heartbeat(recovered, time=t0.isoformat(), status="crashed", crashes=[crash]),
        ],
    )
    heartbeats_flush(now=t0, force_sweep=True)
    # and one host takes an update, one recovers
    t1 = t0 + timedelta(seconds=10)
    post_heartbeats(
        client,
        pipeline_token,
        [
            heartbeat(updated, time=t1.isoformat(), content_versions={"rapid_response": "291.4"}),
            heartbeat(recovered, time=t1.isoformat()),
        ],
    )
    heartbeats_flush(now=t1, force_sweep=True)
    assert Host.objects.get(pk=crashed.pk).status == "crashed"
    assert Host.objects.get(pk=recovered.pk).status == "recovering"
    # when 3 intervals pass with no heartbeat from the first three
    t2 = t1 + timedelta(seconds=31)
    post_heartbeats(client, pipeline_token, [heartbeat(recovered, time=t2.isoformat())])
    heartbeats_flush(now=t2, force_sweep=True)
    # then the crashed one is boot-looping, the one that went quiet after an update is silent,
    # the one that simply stopped is offline
    statuses = dict(Host.objects.filter(tenant=tenant).values_list("id", "status"))
    assert statuses[crashed.pk] == "boot_loop"
    assert statuses[updated.pk] == "silent"
    assert statuses[idle.pk] == "offline"
    assert statuses[recovered.pk] == "online"
    assert CrashEvent.objects.filter(tenant=tenant).count() == 2


def test_it_lets_a_host_report_only_for_itself(client: Client) -> None:
    # given two hosts of two tenants, each with its own credential
    mine, credential = host_with_credential(TenantFactory(slug="acme"))
    theirs, _ = host_with_credential(TenantFactory(slug="globex"))
    neighbour = HostFactory(tenant=mine.tenant)
    # when the host reports for itself, its neighbour and the other tenant's host
    response = post_heartbeats(client, credential, [heartbeat(mine), heartbeat(neighbour), heartbeat(theirs)])
    # then only its own heartbeat is kept
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    own_only = ["A host credential may only report for its own host."]
    assert body["rejected"] == [
        {"index": 1, "errors": {"host_id": own_only}},
        {"index": 2, "errors": {"host_id": own_only}},
    ]
    heartbeats_flush()
    assert Host.objects.get(pk=theirs.pk).last_seen_at is None
    assert Host.objects.get(pk=mine.pk).last_seen_at is not None
    # and the edge's "Host <id>:<credential>" scheme works the same
    response = post_heartbeats(client, f"{mine.pk}:{credential}", [heartbeat(mine)], scheme="Host")
    assert response.json()["accepted"] == 1
    response = post_heartbeats(client, f"{theirs.pk}:{credential}", [heartbeat(theirs)], scheme="Host")
    assert response.status_code == 401


def test_it_refuses_tenant_tokens_users_and_bad_credentials(client: Client) -> None:
    # given the owner / member / outsider of a tenant and its automation token
    tenant = TenantFactory(slug="acme")
    host = HostFactory(tenant=tenant)
    owner = member(tenant, Role.OWNER)
    _, tenant_token = api_client_with_token(tenant, [ApiScope.READ, ApiScope.WRITE])
    _, vendor_release = api_client_with_token(None, [ApiScope.VENDOR])
    # then a tenant's token, a vendor token without the telemetry scope and a forged host credential are refused
    assert post_heartbeats(client, tenant_token, [heartbeat(host)]).status_code == 403
    assert post_heartbeats(client, vendor_release, [heartbeat(host)]).status_code == 403
    assert post_heartbeats(client, "uch_0123456789ab_" + "x" * 30, [heartbeat(host)]).status_code == 401
    assert client.post(
        "/api/v1/telemetry/heartbeats", {"heartbeats": [heartbeat(host)]}, content_type="application/json"
    ).status_code in (401, 403)
    # and so is a signed-in owner: sessions are not a way to send heartbeats
    client.force_login(owner)
    response = client.post(
        "/api/v1/telemetry/heartbeats", {"heartbeats": [heartbeat(host)]}, content_type="application/json"
    )
    assert response.status_code == 401


def test_it_answers_503_with_retry_after_when_redis_is_down(
    settings, client: Client, pipeline_token: str
) -> None:
    # given a Redis server of our own that then stops
    redis_server = Path(sys.executable).parent / "redis-server"
    port = free_port()
    proc = ManagedProcess(
        [str(redis_server), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        dict(os.environ),
        "redis",
    )
    shared_redis = settings.REDIS_URL
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        from console.redis import redis_client

        wait_for(lambda: _pings(redis_client()), what="private redis")
        host = HostFactory()
        assert post_heartbeats(client, pipeline_token, [heartbeat(host)]).status_code == 202
        # when Redis stops
        proc.kill()
        response = post_heartbeats(client, pipeline_token, [heartbeat(host)])
        # then ingestion says so clearly, and nothing claims to be accepted
        assert response.status_code == 503
        assert response["Retry-After"] == str(ingest.RETRY_AFTER_SECONDS)
        assert response["Content-Type"] == "application/problem+json"
        assert "accepted" not in response.json()
    finally:
        # back before redis_flush tears down (the autouse settings fixture outlives it)
        settings.REDIS_URL = shared_redis
        proc.stop()


def _pings(client) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(client.ping())
    except Exception:
        return False


def test_it_skips_a_malformed_staged_entry_instead_of_blocking_every_flush(
    client: Client, pipeline_token: str
) -> None:
    from console.redis import redis_client

    # given a good staged heartbeat and a corrupt one next to it
    host = HostFactory()
    post_heartbeats(client, pipeline_token, [heartbeat(host, sensor_build="7.11.18400")])
    redis_client().hset(ingest.STAGED, "not-a-uuid", b'["garbage"')
    # when
    result = heartbeats_flush()
    # then the good one landed and nothing is left to block the next flush
    host.refresh_from_db()
    assert host.sensor_build == "7.11.18400"
    assert result.updated == 1
    assert not redis_client().exists(ingest.PROCESSING)


def test_it_derives_silent_for_a_host_that_stops_after_it_was_offered_an_update(
    client: Client, pipeline_token: str
) -> None:
    from telemetry.services import hosts_mark_update_offered

    # given two hosts that reported, one of which was then offered a new version
    tenant = TenantFactory()
    offered, untouched = HostFactory(tenant=tenant), HostFactory(tenant=tenant)
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    post_heartbeats(
        client,
        pipeline_token,
        [heartbeat(offered, time=t0.isoformat()), heartbeat(untouched, time=t0.isoformat())],
    )
    heartbeats_flush(now=t0, force_sweep=True)
    assert (
        hosts_mark_update_offered(tenant_id=tenant.pk, host_ids=[offered.pk], at=t0 + timedelta(seconds=5))
        == 1
    )
    # when neither reports for three intervals
    heartbeats_flush(now=t0 + timedelta(seconds=40), force_sweep=True)
    # then the one that went quiet after the update is silent, the other merely offline
    assert Host.objects.get(pk=offered.pk).status == "silent"
    assert Host.objects.get(pk=untouched.pk).status == "offline"


@pytest.mark.worker
def test_it_flushes_through_the_real_worker(celery_worker, client: Client, pipeline_token: str) -> None:
    from telemetry.tasks import telemetry_tick_task

    # given a staged heartbeat
    host = HostFactory()
    post_heartbeats(client, pipeline_token, [heartbeat(host, sensor_build="7.11.18500")])
    # when the beat's task runs in a real worker process
    telemetry_tick_task.delay()
    # then the heartbeat lands in PostgreSQL
    wait_for(lambda: Host.objects.get(pk=host.pk).sensor_build == "7.11.18500", what="flushed heartbeat")
