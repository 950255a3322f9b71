"""Fleet health: snapshots, per-minute series, the live websocket stream and the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from console.models import ApiScope, Role, SupportGrant
from telemetry.fleet import fleet_publish, telemetry_retention, telemetry_tick
from telemetry.models import CrashEvent, FleetSample
from telemetry.selectors import fleet_snapshot
from tests.factories import HostFactory, TenantFactory, UserFactory, api_client_with_token, member
from tests.telemetry.conftest import heartbeat, outside_event_loop, post_heartbeats

pytestmark = pytest.mark.usefixtures("redis_flush")


def _crash(host, version: str = "291.4") -> None:  # type: ignore[no-untyped-def]
    CrashEvent.objects.create(
        tenant=host.tenant,
        host=host,
        occurred_at=datetime.now(UTC),
        component="csagent.sys",
        category="rapid_response",
        content_version=version,
    )


@pytest.mark.django_db
def test_it_counts_statuses_adoption_and_crash_rate_per_content_version() -> None:
    # given 4 windows hosts on 291.3, one of which took 291.4 fine, one crashed on it before reporting it
    tenant = TenantFactory()
    other = TenantFactory()
    ok_old = HostFactory(tenant=tenant, content_versions={"rapid_response": "291.3"})
    HostFactory(tenant=tenant, content_versions={"rapid_response": "291.3"}, status="offline")
    HostFactory(
        tenant=tenant, content_versions={"rapid_response": "291.4"}, platform="linux", sensor_build="7.10.1"
    )
    looping = HostFactory(tenant=tenant, content_versions={"rapid_response": "291.3"}, status="boot_loop")
    _crash(looping)
    HostFactory(tenant=other, content_versions={"rapid_response": "291.4"}, status="crashed")
    # when
    snap = fleet_snapshot(tenant.pk)
    # then
    assert snap["total"] == 4
    assert snap["status"] == {
        "online": 2,
        "offline": 1,
        "crashed": 0,
        "boot_loop": 1,
        "silent": 0,
        "recovering": 0,
    }
    assert snap["platforms"]["windows"]["total"] == 3 and snap["platforms"]["linux"]["status"]["online"] == 1
    builds = {(b["platform"], b["build"]): b["hosts"] for b in snap["sensor_builds"]}
    assert builds == {("windows", "7.11.18110"): 3, ("linux", "7.10.1"): 1}
    content = {c["version"]: c for c in snap["content"]}
    assert content["291.3"]["hosts"] == 3 and content["291.3"]["share"] == 0.75
    # 291.4: one host runs it, one crashed on it without ever reporting it: 1 of 2 exposed
    assert content["291.4"]["hosts"] == 1 and content["291.4"]["crashed_hosts"] == 1
    assert content["291.4"]["crash_rate"] == 0.5
    assert snap["crashes_last_hour"] == 1
    assert fleet_snapshot(tenant.pk, platform="linux")["total"] == 1
    assert ok_old.pk  # the untouched host is in the counts above


@pytest.mark.django_db
def test_it_serves_fleet_health_and_series_to_the_tenant_only(client: Client, pipeline_token: str) -> None:
    # given a tick that flushed heartbeats of acme
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    host = HostFactory(tenant=acme)
    post_heartbeats(client, pipeline_token, [heartbeat(host)])
    telemetry_tick()
    owner, viewer, outsider = member(acme, Role.OWNER), member(acme, Role.VIEWER), member(globex)
    # then owner and viewer see it, with the flush time for staleness
    for user in (owner, viewer):
        client.force_login(user)
        body = client.get("/api/v1/fleet/health/").json()
        assert body["total"] == 1 and body["status"]["online"] == 1 and body["flushed_at"]
        series = client.get("/api/v1/fleet/series/?minutes=5").json()
        assert series["samples"][-1]["status"]["online"] == 1
    # and the outsider sees an empty fleet of its own
    client.force_login(outsider)
    assert client.get("/api/v1/fleet/health/").json()["total"] == 0
    assert client.get("/api/v1/fleet/series/").json()["samples"] == []
    # and bad parameters are named
    assert "minutes" in client.get("/api/v1/fleet/series/?minutes=0").json()["errors"]
    assert "group" in client.get("/api/v1/fleet/health/?group=x").json()["errors"]
    assert "platform" in client.get("/api/v1/fleet/health/?platform=beos").json()["errors"]
    # and an API token reads it too
    _, token = api_client_with_token(acme, [ApiScope.READ])
    assert Client().get("/api/v1/fleet/health/", HTTP_AUTHORIZATION=f"Bearer {token}").json()["total"] == 1


@pytest.mark.django_db
def test_it_keeps_one_sample_per_minute_and_drops_old_ones() -> None:
    tenant = TenantFactory()
    HostFactory(tenant=tenant)
    now = datetime.now(UTC).replace(second=10)
    fleet_publish([str(tenant.pk)], now=now)
    fleet_publish([str(tenant.pk)], now=now + timedelta(seconds=20))
    fleet_publish([str(tenant.pk)], now=now - timedelta(days=30))
    assert FleetSample.objects.filter(tenant=tenant).count() == 2
    samples, _ = telemetry_retention(now)
    assert samples == 1
    assert FleetSample.objects.get(tenant=tenant).minute == now.replace(second=0, microsecond=0)


def _run(scenario):  # type: ignore[no-untyped-def]
    return outside_event_loop(async_to_sync(scenario))


async def _connect(user=None, token: str | None = None) -> tuple[WebsocketCommunicator, bool]:  # type: ignore[no-untyped-def]
    from console.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        c = Client()
        await database_sync_to_async(c.force_login)(user)
        cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    comm = WebsocketCommunicator(application, "/ws/v1/fleet/", headers=headers)
    connected, _ = await comm.connect()
    return comm, connected


def test_it_streams_a_snapshot_then_sequenced_updates_per_tenant(
    transactional_db: None, pipeline_token: str
) -> None:
    # given members of acme (by session and by token) and an outsider, all connected
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    hosts = [HostFactory(tenant=acme) for _ in range(3)]
    owner, outsider = member(acme, Role.OWNER), member(globex, Role.VIEWER)
    _, token = api_client_with_token(acme, [ApiScope.READ])

    async def scenario() -> dict:
        mine, ok1 = await _connect(owner)
        bot, ok2 = await _connect(token=token)
        theirs, ok3 = await _connect(outsider)
        assert ok1 and ok2 and ok3
        first, first_bot, first_theirs = [await c.receive_json_from(timeout=5) for c in (mine, bot, theirs)]
        # when heartbeats of all three hosts are ingested and one tick runs
        await database_sync_to_async(post_heartbeats)(Client(), pipeline_token, [heartbeat(h) for h in hosts])
        await database_sync_to_async(telemetry_tick)()
        update = await mine.receive_json_from(timeout=5)
        bot_update = await bot.receive_json_from(timeout=5)
        # and a second tick with a crash
        await database_sync_to_async(post_heartbeats)(
            Client(),
            pipeline_token,
            [
                heartbeat(
                    hosts[0],
                    status="crashed",
                    crashes=[
                        {"component": "csagent.sys", "category": "rapid_response", "content_version": "291.4"}
                    ],
                )
            ],
        )
        await database_sync_to_async(telemetry_tick)()
        # (the next message of each acme socket: a second message from the first tick would be it)
        second = await mine.receive_json_from(timeout=5)
        bot_second = await bot.receive_json_from(timeout=5)
        # and then globex's own tick: had acme's stream leaked, the outsider would get acme's first
        await database_sync_to_async(fleet_publish)([str(globex.pk)])
        theirs_next = await theirs.receive_json_from(timeout=5)
        # when the client asks for a resync it gets a full snapshot at the current sequence number
        await mine.send_json_to({"type": "resync"})
        resync = await mine.receive_json_from(timeout=5)
        for c in (mine, bot, theirs):
            await c.disconnect()
        return {
            "first": first,
            "first_bot": first_bot,
            "first_theirs": first_theirs,
            "update": update,
            "bot_update": bot_update,
            "second": second,
            "bot_second": bot_second,
            "theirs_next": theirs_next,
            "resync": resync,
        }

    got = _run(scenario)
    # then everyone got their own tenant's snapshot on connect
    assert got["first"]["type"] == "fleet.snapshot" and got["first"]["snapshot"]["total"] == 3
    assert got["first"]["seq"] == 0 and got["first"]["series"] == []
    assert got["first_theirs"]["snapshot"]["total"] == 0
    # then one update per tick for the tenant, numbered, never per host
    assert got["update"]["type"] == "fleet.update" and got["update"]["seq"] == 1
    assert got["update"]["snapshot"]["status"]["online"] == 3
    assert got["update"]["point"]["status"]["online"] == 3
    assert got["bot_update"]["seq"] == 1
    assert got["second"]["seq"] == 2 and got["second"]["snapshot"]["status"]["crashed"] == 1, (
        "one message per tenant per tick"
    )
    assert got["bot_second"]["seq"] == 2, "one message per tenant per tick"
    assert got["theirs_next"]["type"] == "fleet.update", "globex must not receive acme's stream"
    assert (got["theirs_next"]["seq"], got["theirs_next"]["snapshot"]["total"]) == (1, 0), (
        "globex must not receive acme's stream"
    )
    assert got["resync"]["type"] == "fleet.snapshot" and got["resync"]["seq"] == 2
    assert got["resync"]["series"][-1]["status"]["crashed"] == 1


def test_it_refuses_anonymous_and_host_credential_sockets(transactional_db: None) -> None:
    from tests.factories import host_with_credential

    _, credential = host_with_credential(TenantFactory())

    async def scenario() -> tuple[bool, bool]:
        anon, a = await _connect()
        host, h = await _connect(token=credential)
        await anon.disconnect()
        await host.disconnect()
        return a, h

    assert _run(scenario) == (False, False)


def test_it_keeps_a_quiet_fleet_socket_open_past_the_layers_blocking_read(transactional_db: None) -> None:
    # given a viewer watching acme's fleet while nothing changes for longer than redis-py's default
    # 5 s socket read timeout (a layer read that times out while idle closes the websocket)
    acme = TenantFactory(slug="acme")
    HostFactory(tenant=acme)
    viewer = member(acme, Role.VIEWER)

    async def scenario() -> tuple[dict, bool, dict]:
        comm, connected = await _connect(viewer)
        assert connected
        first = await comm.receive_json_from(timeout=5)
        quiet = await comm.receive_nothing(timeout=7, interval=0.5)
        # when the next tick is published
        await database_sync_to_async(fleet_publish)([str(acme.pk)])
        update = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return first, quiet, update

    first, quiet, update = _run(scenario)
    # then the socket stayed open and the update arrived
    assert first["type"] == "fleet.snapshot" and quiet
    assert update["type"] == "fleet.update" and update["seq"] == 1


def test_it_ends_a_support_stream_when_the_grant_is_revoked(
    transactional_db: None, pipeline_token: str
) -> None:
    from console.access import SESSION_GRANT_KEY
    from console.models import VendorRole

    # given a vendor support engineer watching acme under a grant
    acme = TenantFactory(slug="acme")
    host = HostFactory(tenant=acme)
    staff = UserFactory(vendor_role=VendorRole.SUPPORT_ENGINEER)
    grant = SupportGrant.objects.create(
        tenant=acme, staff=staff, reason="case 1", expires_at=datetime.now(UTC) + timedelta(hours=1)
    )

    async def scenario() -> tuple[dict, dict]:
        from console.asgi import application

        c = Client()
        await database_sync_to_async(c.force_login)(staff)
        session = c.session
        session[SESSION_GRANT_KEY] = str(grant.pk)
        await database_sync_to_async(session.save)()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()
        comm = WebsocketCommunicator(
            application, "/ws/v1/fleet/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
        )
        connected, _ = await comm.connect()
        assert connected
        first = await comm.receive_json_from(timeout=5)
        # when the tenant revokes the grant and the next tick is published
        await database_sync_to_async(SupportGrant.objects.filter(pk=grant.pk).update)(
            revoked_at=datetime.now(UTC)
        )
        await database_sync_to_async(post_heartbeats)(Client(), pipeline_token, [heartbeat(host)])
        await database_sync_to_async(telemetry_tick)()
        closed = await comm.receive_output(timeout=5)
        await comm.disconnect()
        return first, closed

    first, closed = _run(scenario)
    # then the snapshot came while the grant held, and the socket closed instead of the update
    assert first["snapshot"]["total"] == 1
    assert closed == {"type": "websocket.close", "code": 4403}


def test_it_rechecks_each_socket_of_one_message_on_its_own_access(transactional_db: None) -> None:
    # given two tabs of acme's viewer, a tab of its operator and a token, all watching acme's fleet
    acme = TenantFactory(slug="acme")
    HostFactory(tenant=acme)
    viewer, operator = member(acme, Role.VIEWER), member(acme, Role.OPERATOR)
    client, token = api_client_with_token(acme, [ApiScope.READ])

    async def scenario() -> list[dict]:
        comms = [
            (await _connect(viewer))[0],
            (await _connect(viewer))[0],
            (await _connect(operator))[0],
            (await _connect(token=token))[0],
        ]
        for comm in comms:
            await comm.receive_json_from(timeout=5)
        # when the viewer leaves the tenant and the token is revoked, then one tick is published
        from console.models import ApiClient, Membership

        await database_sync_to_async(Membership.objects.filter(user=viewer).delete)()
        await database_sync_to_async(ApiClient.objects.filter(pk=client.pk).update)(
            revoked_at=datetime.now(UTC)
        )
        await database_sync_to_async(fleet_publish)([str(acme.pk)])
        got = [await comm.receive_output(timeout=5) for comm in comms]
        for comm in comms:
            await comm.disconnect()
        return got

    viewer_tab, viewer_tab2, operator_tab, token_socket = _run(scenario)
    # then only the operator's socket still gets the update; the others are closed
    assert viewer_tab == viewer_tab2 == token_socket == {"type": "websocket.close", "code": 4403}
    assert operator_tab["type"] == "websocket.send" and '"seq": 1' in operator_tab["text"]


@pytest.mark.django_db
def test_it_renders_the_dashboard_as_the_tenant_home(client: Client) -> None:
    acme, globex = TenantFactory(slug="acme", name="Acme Corporation"), TenantFactory(slug="globex")
    HostFactory(tenant=acme, status="boot_loop")
    for user in (member(acme, Role.OWNER), member(acme, Role.VIEWER)):
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            "Fleet health" in html
            and 'data-testid="fleet-status-boot_loop" data-status="boot_loop">1<' in html
        )
        assert "<script>" not in html and "style=" not in html
    client.force_login(member(globex))
    assert 'data-testid="fleet-total" id="fleet-total">0<' in client.get("/").content.decode()


def test_it_schedules_the_tick_even_before_django_is_set_up() -> None:
    import subprocess
    import sys

    from tests.conftest import BASE_DIR, child_env

    # celery beat reads the schedule before Django is set up: an import of models there would
    # silently leave the whole beat schedule empty
    code = "from console.celery import app; print(sorted(app.conf.beat_schedule))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "telemetry-tick" in result.stdout, result.stdout + result.stderr


def test_it_publishes_an_expensive_tenant_less_often_but_never_forgets_it(
    transactional_db: None, client: Client, pipeline_token: str
) -> None:
    import time

    from console.redis import redis_client
    from telemetry import fleet

    # given a tenant whose last snapshot was so slow it is not due again yet
    tenant = TenantFactory()
    host = HostFactory(tenant=tenant)
    redis_client().hset(fleet.NEXT_DUE_KEY, str(tenant.pk), repr(time.time() + 3600))
    # when its heartbeats are flushed
    post_heartbeats(client, pipeline_token, [heartbeat(host)])
    outside_event_loop(telemetry_tick)
    # then no message went out, but the tenant stays marked as changed
    assert not FleetSample.objects.filter(tenant=tenant).exists()
    assert redis_client().sismember(fleet.DIRTY_KEY, str(tenant.pk))
    # when it is due again, the next tick publishes it even without new heartbeats
    redis_client().hdel(fleet.NEXT_DUE_KEY, str(tenant.pk))
    outside_event_loop(telemetry_tick)
    assert FleetSample.objects.get(tenant=tenant).data["status"]["online"] == 1
    assert not redis_client().sismember(fleet.DIRTY_KEY, str(tenant.pk))


def test_it_skips_a_tenant_deleted_while_it_waited_for_its_snapshot(
    transactional_db: None, client: Client, pipeline_token: str
) -> None:
    import uuid

    from console.redis import redis_client
    from telemetry import fleet

    # given a tenant marked as changed that no longer exists (removed before its snapshot was due)
    gone, kept = uuid.uuid4(), TenantFactory()
    host = HostFactory(tenant=kept)
    redis_client().sadd(fleet.DIRTY_KEY, str(gone))
    post_heartbeats(client, pipeline_token, [heartbeat(host)])
    # when the tick runs
    outside_event_loop(telemetry_tick)
    # then it did not fail on the deleted tenant, and the other tenant got its snapshot
    assert not FleetSample.objects.filter(tenant_id=gone).exists()
    assert FleetSample.objects.get(tenant=kept).data["status"]["online"] == 1
    assert not redis_client().sismember(fleet.DIRTY_KEY, str(gone))
