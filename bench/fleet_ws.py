"""P4: the live dashboard. Heartbeat -> websocket message latency at 1,000 clients on one worker.

One uvicorn worker (the real ASGI app, channels-redis layer) serves ``/ws/v1/fleet/`` to
``CLIENTS`` websocket clients signed in with session cookies (``USERS_PER_TENANT`` viewers per
tenant, several tabs each), spread over ``TENANTS`` tenants. As deployed, ``manage.py fleet_live``
flushes heartbeats as they arrive and publishes from the fleet counters, and a ticker process
runs ``telemetry.fleet.telemetry_tick`` every ``TICK_SECONDS`` as Celery beat does (the safety net
and the per-minute SQL snapshots); ``BENCH_FLEET_LIVE=0`` leaves the live process out (the tick
alone, as before the fleet counters). Each round posts
one heartbeat for every host through the real ingest endpoint, carrying a sensor build that
names the round; a client's latency for the round is the time from the POST to the first
``fleet.update`` whose snapshot shows that build (or a later one).

Baseline in the same run: a raw channels-layer ``group_send`` of the same message to every
tenant's group about once a tick, timed from the send to each client (the fan-out alone: no
ingest, flush, snapshot or wait for the tick). Also reported: group messages per tenant per round
of heartbeats (about 1: coalesced, never per host; every host of the tenant reports in a round)
and the worker's RSS with every client connected against the same worker idle.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.fleet_fixtures import fleet_teardown, pipeline_token_create
from bench.report import emit
from bench.server import BASE_DIR, server_env, uvicorn_process

TENANTS = 20
HOSTS_PER_TENANT = 50
USERS_PER_TENANT = 10
CLIENTS = int(os.environ.get("BENCH_FLEET_CLIENTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_FLEET_ROUNDS", "30"))
LIVE = os.environ.get("BENCH_FLEET_LIVE", "1") != "0"
PROBES = 10
CONNECT_CONCURRENCY = 50
FLUSHES_KEY = "bench:fleet_ws:flushes"  # tenant id -> ticks that flushed its heartbeats
MARKER = "9.{}.1"  # the sensor build that names a round


@dataclass
class Fixture:
    tenants: list[Any]
    hosts: dict[str, list[str]]  # tenant id -> host ids
    sessions: list[tuple[str, str]]  # (tenant id, session key), one per client
    token: str


@dataclass
class ClientLog:
    tenant_id: str
    updates: list[tuple[int, int, float]] = field(default_factory=list)  # (seq, round, received)
    probes: dict[int, float] = field(default_factory=dict)
    last: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)  # "counters" / "sql" -> updates received


def _setup() -> Fixture:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    from console.models import Membership, Role, Tenant, User
    from telemetry.models import Host

    run = uuid.uuid4().hex[:8]
    tenants = [
        Tenant.objects.create(slug=f"bench-fleet-{run}-{n}", name=f"Bench fleet {n}") for n in range(TENANTS)
    ]
    hosts: dict[str, list[str]] = {}
    users: list[tuple[str, User]] = []
    for n, tenant in enumerate(tenants):
        rows = Host.objects.bulk_create(
            Host(tenant=tenant, hostname=f"bench-{i:04d}", platform="windows", sensor_build="7.11.18110")
            for i in range(HOSTS_PER_TENANT)
        )
        hosts[str(tenant.pk)] = [str(h.pk) for h in rows]
        for u in range(USERS_PER_TENANT):
            user = User(username=f"bench-fleet-{run}-{n}-{u}@example.test")
            user.set_unusable_password()
            users.append((str(tenant.pk), user))
    User.objects.bulk_create([u for _, u in users])
    Membership.objects.bulk_create(
        Membership(tenant_id=tenant_id, user=user, role=Role.VIEWER) for tenant_id, user in users
    )
    sessions = []
    # Sessions are signed with the server's key, as its sign-in would have signed them.
    with override_settings(SECRET_KEY=server_env()["SECRET_KEY"]):
        for i in range(CLIENTS):  # one session per client: each is a browser tab of its own
            tenant_id, user = users[i % len(users)]
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            sessions.append((tenant_id, str(store.session_key)))
    return Fixture(tenants=tenants, hosts=hosts, sessions=sessions, token=pipeline_token_create())


def _teardown(fx: Fixture) -> None:
    from django.contrib.sessions.models import Session

    from console.models import Membership, User
    from console.redis import redis_client
    from telemetry import fleet

    Session.objects.filter(session_key__in=[key for _, key in fx.sessions]).delete()
    user_ids = list(Membership.objects.filter(tenant__in=fx.tenants).values_list("user_id", flat=True))
    Membership.objects.filter(tenant__in=fx.tenants).delete()
    User.objects.filter(pk__in=user_ids).delete()
    client = redis_client()
    for tenant in fx.tenants:
        client.delete(fleet._seq_key(tenant.pk), fleet._snapshot_key(tenant.pk))
        client.srem(fleet.DIRTY_KEY, str(tenant.pk))
        client.hdel(fleet.NEXT_DUE_KEY, str(tenant.pk))
    client.delete(FLUSHES_KEY)
    fleet_teardown(fx.tenants, fx.token)


def _ticker() -> None:
    """The fast path as Celery beat drives it: ``telemetry_tick`` every ``TICK_SECONDS``, on the clock."""
    from console.redis import redis_client
    from telemetry.fleet import telemetry_tick
    from telemetry.schedule import TICK_SECONDS

    client = redis_client()
    next_at = time.monotonic()
    while True:
        result = telemetry_tick()
        for tenant_id in result.tenants:
            client.hincrby(FLUSHES_KEY, tenant_id, 1)
        next_at += TICK_SECONDS
        time.sleep(max(0.0, next_at - time.monotonic()))


def _round_of(message: dict[str, Any]) -> int:
    """The newest round whose heartbeats a snapshot reflects (0: none)."""
    rounds = [0]
    for build in message.get("snapshot", {}).get("sensor_builds", []):
        parts = str(build.get("build", "")).split(".")
        if len(parts) == 3 and parts[0] == "9" and parts[1].isdigit():
            rounds.append(int(parts[1]))
    return max(rounds)


async def _client(
    url: str, session_key: str, log: ClientLog, connected: asyncio.Semaphore, ready: list[int]
) -> None:
    from websockets.asyncio.client import connect

    ws_url = url.replace("http://", "ws://") + "/ws/v1/fleet/"
    async with connected:
        ws = await connect(
            ws_url,
            origin=url,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={session_key}"},
            open_timeout=300,
            max_size=2**22,
            # No client keepalive: with the default (a ping every 20 s, closed when unanswered in 20 s)
            # a worker starved by machine load had every client close itself during a slow connect
            # phase, and the run measured nothing. A browser tab does not do that.
            ping_interval=None,
        )
        first = json.loads(await ws.recv())
        if first.get("type") != "fleet.snapshot":
            raise RuntimeError(f"expected a snapshot first, got {first.get('type')}")
        ready[0] += 1
    async with ws:
        async for raw in ws:
            received = time.time()
            message = json.loads(raw)
            if message.get("type") != "fleet.update":
                continue
            if "probe" in message:
                log.probes[int(message["probe"])] = received
                continue
            log.updates.append((int(message["seq"]), _round_of(message), received))
            source = str(message.get("source", "sql"))
            log.sources[source] = log.sources.get(source, 0) + 1
            log.last = message


def _heartbeats(fx: Fixture, round_no: int) -> bytes:
    now = datetime.now(UTC).isoformat()
    content = {"rapid_response": "291.3", "sensor_operations": "44.1", "allow_block_lists": "8.2"}
    items = [
        {
            "host_id": host_id,
            "time": now,
            "sensor_build": MARKER.format(round_no),
            "content_versions": content,
            "status": "online",
            "interval_s": 60,
        }
        for host_ids in fx.hosts.values()
        for host_id in host_ids
    ]
    return json.dumps({"heartbeats": items}).encode()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _progress(text: str) -> None:
    print(f"bench.fleet_ws: {text}", file=sys.stderr, flush=True)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _run(url: str, server_pid: int, fx: Fixture) -> dict[str, Any]:
    from channels.layers import get_channel_layer

    from console.realtime import tenant_group
    from telemetry.fleet import TOPIC
    from telemetry.schedule import TICK_SECONDS

    idle_rss = _rss_mb(server_pid)
    logs = [ClientLog(tenant_id=tenant_id) for tenant_id, _ in fx.sessions]
    connected = asyncio.Semaphore(CONNECT_CONCURRENCY)
    ready = [0]
    started = time.perf_counter()
    clients = [
        asyncio.create_task(_client(url, key, log, connected, ready))
        for (_, key), log in zip(fx.sessions, logs, strict=True)
    ]
    if not await _wait(lambda: ready[0] == CLIENTS or any(c.done() for c in clients), 600):
        raise RuntimeError(f"only {ready[0]} of {CLIENTS} clients connected")
    for task in clients:
        if task.done():
            task.result()  # raises the client's error
    connect_seconds = time.perf_counter() - started
    _progress(f"{CLIENTS} clients connected in {connect_seconds:.1f} s")

    # Heartbeat rounds at random phases against the tick, through the real ingest endpoint.
    phase_started, server_cpu, client_cpu = time.perf_counter(), _cpu_seconds(server_pid), time.process_time()
    posted: dict[int, float] = {}
    headers = {"Authorization": f"Bearer {fx.token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        for round_no in range(1, ROUNDS + 1):
            await asyncio.sleep(random.uniform(0.4, 1.2) * TICK_SECONDS)
            body = _heartbeats(fx, round_no)
            posted[round_no] = time.time()
            response = await http.post("/api/v1/telemetry/heartbeats", content=body)
            response.raise_for_status()
    await _wait(lambda: all(log.updates and log.updates[-1][1] == ROUNDS for log in logs), 10 * TICK_SECONDS)
    loaded_rss = _rss_mb(server_pid)
    phase = time.perf_counter() - phase_started
    server_share = (_cpu_seconds(server_pid) - server_cpu) / phase
    client_share = (time.process_time() - client_cpu) / phase
    _progress(
        f"{ROUNDS} heartbeat rounds done; CPU share: worker {server_share:.2f}, clients {client_share:.2f}"
    )

    latencies: list[float] = []
    missing = 0
    for log in logs:
        for round_no, sent_at in posted.items():
            seen = next((at for _, r, at in log.updates if r >= round_no), None)
            if seen is None:
                missing += 1
            else:
                latencies.append((seen - sent_at) * 1000)

    # Messages per tenant per tick: what the clients saw against the ticks that flushed the tenant.
    from console.redis import redis_client

    flushes = {_text(k): int(v) for k, v in redis_client().hgetall(FLUSHES_KEY).items()}
    seqs: dict[str, set[int]] = {}
    duplicates = 0
    for log in logs:
        mine = [seq for seq, _, _ in log.updates]
        duplicates += len(mine) - len(set(mine))
        seqs.setdefault(log.tenant_id, set()).update(mine)
    ticks = sum(flushes.get(tenant_id, 0) for tenant_id in seqs)
    messages = sum(len(s) for s in seqs.values())

    # Baseline: the same message straight into each tenant's group, timed to every client.
    layer = get_channel_layer()
    assert layer is not None
    last_by_tenant = {log.tenant_id: log.last for log in logs}
    sent: dict[int, float] = {}
    for probe in range(PROBES):
        await asyncio.sleep(random.uniform(0.8, 1.2) * TICK_SECONDS)  # the load of one message per tick
        sent[probe] = time.time()
        for tenant_id, last in last_by_tenant.items():
            payload = {k: v for k, v in last.items() if k != "type"} | {"probe": probe}
            await layer.group_send(
                tenant_group(tenant_id, TOPIC), {"type": "fleet.update", "payload": payload}
            )
    await _wait(lambda: all(len(log.probes) == PROBES for log in logs), 30)
    probe_latencies = [(at - sent[p]) * 1000 for log in logs for p, at in log.probes.items()]
    probe_missing = CLIENTS * PROBES - len(probe_latencies)

    closed = sum(1 for task in clients if task.done())  # a client whose socket closed before the end
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    sources: dict[str, int] = {}
    for log in logs:
        for source, n in log.sources.items():
            sources[source] = sources.get(source, 0) + n
    return {
        "closed": closed,
        "sources": sources,
        "latencies": latencies,
        "missing": missing,
        "probe_latencies": probe_latencies,
        "probe_missing": probe_missing,
        "messages": messages,
        "ticks": ticks,
        "duplicates": duplicates,
        "connect_seconds": connect_seconds,
        "idle_rss": idle_rss,
        "loaded_rss": loaded_rss,
        "server_cpu_share": server_share,
        "client_cpu_share": client_share,
    }


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    fx = _setup()
    helpers: list[subprocess.Popen[bytes]] = []
    try:
        with uvicorn_process() as (url, server):
            helpers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.fleet_ws", "--ticker"], cwd=BASE_DIR, env=server_env()
                )
            )
            if LIVE:
                helpers.append(
                    subprocess.Popen(
                        [sys.executable, "manage.py", "fleet_live"], cwd=BASE_DIR, env=server_env()
                    )
                )
            result = asyncio.run(_run(url, server.pid, fx))
    finally:
        for helper in helpers:
            helper.terminate()
            helper.wait(timeout=15)
        _teardown(fx)
    hb, probe = result["latencies"], result["probe_latencies"]
    emit(
        "P4",
        "heartbeat_to_websocket_p95_ms",
        _pct(hb, 95),
        "ms",
        _pct(probe, 95),
        "<= 1000 ms p95 at 1,000 websocket clients on one worker",
        p50_ms=round(_pct(hb, 50), 1),
        p99_ms=round(_pct(hb, 99), 1),
        baseline_p50_ms=round(_pct(probe, 50), 1),
        baseline_p99_ms=round(_pct(probe, 99), 1),
        clients=CLIENTS,
        tenants=TENANTS,
        live=LIVE,
        updates_by_source=result["sources"],
        clients_closed_early=result["closed"],
        samples=len(hb),
        missing=result["missing"],
        baseline_missing=result["probe_missing"],
        connect_seconds=round(result["connect_seconds"], 1),
        worker_cpu_share=round(result["server_cpu_share"], 2),
        client_cpu_share=round(result["client_cpu_share"], 2),
    )
    emit(
        "P4-fanout",
        "group_messages_per_tenant_per_round",
        result["messages"] / (TENANTS * ROUNDS),
        "messages",
        None,
        "about 1 per tenant per round of heartbeats (coalesced, never per host)",
        heartbeats_per_tenant_per_round=HOSTS_PER_TENANT,
        rounds=ROUNDS,
        ticks_that_flushed=result["ticks"],
        duplicate_deliveries=result["duplicates"],
        live=LIVE,
    )
    emit(
        "P4-rss",
        "worker_rss_with_clients_mb",
        result["loaded_rss"],
        "MB",
        result["idle_rss"],
        f"{CLIENTS} websocket clients on one worker",
        clients=CLIENTS,
    )


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    django.setup()
    _ticker() if "--ticker" in sys.argv else main()
