"""/metrics: Prometheus text with request, Celery, outbox, sync, breaker, gate-tick and heartbeat
series after real traffic; refused without the bearer token, absent when no token is configured."""

from __future__ import annotations

import json
import re
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from django.test import Client
from django.utils import timezone

from console.checks import metrics_token_check
from console.metrics import CELERY_TASKS
from console.redis import redis_client
from console.tasks import ping
from rollout.distribution.breaker import CircuitBreaker
from rollout.models import OutboxEntry, Ring, Rollout, RolloutState, TenantRevision
from telemetry.ingest import heartbeats_ingest
from tests.conftest import start_asgi_server, start_celery_worker, wait_for
from tests.factories import HostFactory, TenantFactory
from tests.telemetry.conftest import heartbeat

TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def metrics_on(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN


def _scrape(client: Client, token: str = TOKEN) -> Any:
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def _value(text: str, series: str, default: float | None = None) -> float:
    """The sample value of ``series`` (name and exact label set as Prometheus prints them)."""
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.M)
    if match is None and default is not None:
        return default
    assert match, f"{series} not in:\n{text}"
    return float(match.group(1))


HEALTHZ_OK = 'console_http_requests_total{method="GET",route="healthz",status="200"}'


@pytest.mark.django_db
def test_it_serves_the_named_series_after_real_traffic(metrics_on: None, redis_flush: None) -> None:
    # given requests, an unprocessed outbox row, a failing sync, a staged heartbeat, an open breaker
    # and a queued task
    client = Client()
    before = _value(_scrape(client).content.decode(), HEALTHZ_OK, default=0)
    tenant = TenantFactory(slug="acme")
    OutboxEntry.objects.create(tenant=tenant, reason="test")
    TenantRevision.objects.update_or_create(
        tenant=tenant,
        defaults={
            "revision": 5,
            "published_revision": 3,
            "publish_failures": 2,
            "failing_since": timezone.now() - timedelta(minutes=10),
        },
    )
    host = HostFactory(tenant=tenant)
    assert heartbeats_ingest([heartbeat(host)]).accepted == 1
    breaker = CircuitBreaker(redis_client(), "dist:breaker:backend.test:443", threshold=1)
    breaker.record_failure()
    ping.delay("waiting")  # no worker: it stays in the queue
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page/")

    # when Prometheus scrapes
    response = _scrape(client)

    # then every named series is there, with the state just made
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    text = response.content.decode()
    assert _value(text, HEALTHZ_OK) == before + 2
    assert _value(text, 'console_http_requests_total{method="GET",route="unmatched",status="404"}') >= 1
    assert _value(text, 'console_http_request_duration_seconds_count{method="GET",route="healthz"}') >= 2
    assert _value(text, "rollout_outbox_pending") == 1
    assert _value(text, "rollout_outbox_oldest_age_seconds") >= 0
    assert _value(text, 'rollout_sync_revisions_behind{tenant="acme"}') == 2
    assert _value(text, 'rollout_sync_failing_seconds{tenant="acme"}') >= 600
    assert _value(text, 'rollout_sync_publish_failures{tenant="acme"}') == 2
    assert _value(text, 'rollout_distribution_breaker_state{endpoint="backend.test:443"}') == 2
    assert _value(text, "rollout_gate_evaluation_age_seconds") == 0
    assert _value(text, "telemetry_heartbeats_staged") == 1
    assert _value(text, "telemetry_flush_age_seconds") == float("inf")
    assert _value(text, 'console_celery_queue_length{queue="console-test"}') == 1
    assert _value(text, 'console_celery_queue_length{queue="console-test-control"}') >= 0
    assert _value(text, "console_celery_workers_alive") >= 0
    for source in ("celery", "rollout", "telemetry"):
        assert _value(text, f'console_metrics_source_up{{source="{source}"}}') == 1
    assert str(host.pk) not in text  # bounded labels: never a host


@pytest.mark.django_db
def test_it_tells_how_late_the_gate_tick_is(metrics_on: None) -> None:
    # given in-ring rollouts: one in a tenant with a ring last evaluated 5 min ago, and one in a
    # tenant without rings (nothing to evaluate) untouched for two days
    with_ring = TenantFactory()
    Ring.objects.create(tenant=with_ring, name="canary", order=0)
    for tenant, saved in ((with_ring, timedelta(minutes=5)), (TenantFactory(), timedelta(days=2))):
        Rollout.objects.create(
            tenant=tenant,
            subject="content:rapid_response",
            version="2",
            state=RolloutState.IN_RING,
            updated_at=timezone.now() - saved,
        )

    # when scraped
    text = _scrape(Client()).content.decode()

    # then both count as running, and only the one the tick evaluates makes it late
    assert _value(text, "rollout_rollouts_in_ring") == 2
    assert 300 <= _value(text, "rollout_gate_evaluation_age_seconds") < 3600


@pytest.mark.django_db
def test_it_refuses_a_scrape_without_the_right_token(metrics_on: None) -> None:
    # given the endpoint is enabled
    client = Client()

    # when scraped without a token, with a wrong one, and with another scheme
    missing = client.get("/metrics")
    wrong = _scrape(client, token="not-the-token")
    basic = client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}")

    # then each is a 401 problem asking for a bearer token, with no metrics in it
    for response in (missing, wrong, basic):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"console_http_requests" not in response.content


@pytest.mark.django_db
def test_it_has_no_metrics_endpoint_without_a_token(settings: Any) -> None:
    # given no METRICS_TOKEN
    settings.METRICS_TOKEN = ""

    # when anyone scrapes, even with some bearer token
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    # then the endpoint does not exist
    assert response.status_code == 404


@pytest.mark.django_db
def test_it_exports_every_series_the_alerts_and_the_dashboard_read(metrics_on: None) -> None:
    # given the alert rules and the Grafana dashboard shipped in docker/
    docker = Path(__file__).resolve().parents[2] / "docker"
    alerts = yaml.safe_load((docker / "prometheus" / "alerts.yml").read_text())
    dashboard = json.loads((docker / "grafana" / "dashboards" / "console.json").read_text())
    expressions = [rule["expr"] for group in alerts["groups"] for rule in group["rules"]]
    expressions += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expr in expressions for name in re.findall(r"\b(?:console|rollout|telemetry)_\w+", expr)}
    client = Client()
    client.get("/healthz")
    CELERY_TASKS.labels("console.ping", "SUCCESS").inc(0)

    # when /metrics is scraped
    text = _scrape(client).content.decode()
    exported = set(re.findall(r"^(\w+)", text, re.M)) | set(re.findall(r"^# TYPE (\w+)", text, re.M))

    # then every series they name exists
    assert used, "no console series in the alerts"
    assert used <= exported, used - exported


def test_it_adds_up_uvicorn_and_celery_processes_in_multiprocess_mode(
    transactional_db: None, tmp_path: Path, redis_flush: None
) -> None:
    # given a web server and a worker sharing one PROMETHEUS_MULTIPROC_DIR
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "METRICS_TOKEN": TOKEN}
    server, url = start_asgi_server(**env)
    worker = start_celery_worker(**env)
    try:
        # when the web server answers requests and the worker runs a task
        httpx.get(f"{url}/healthz", timeout=10)
        assert ping.delay("x").get(timeout=60)["echo"] == "x"

        # then one scrape of the web server reports both processes' counters
        def scraped() -> str:
            return httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text

        wait_for(
            lambda: 'console_celery_tasks_total{state="SUCCESS",task="console.ping"}' in scraped(),
            timeout=30,
            what="the worker's task counter in the web server's scrape",
        )
        text = scraped()
        assert _value(text, HEALTHZ_OK) >= 1
        assert _value(text, 'console_celery_tasks_total{state="SUCCESS",task="console.ping"}') == 1
        assert _value(text, "console_celery_workers_alive") >= 1
        # files are named by host name and pid: containers sharing the directory never collide
        assert any(
            path.name.endswith(f"_{socket.gethostname()}-{server.proc.pid}.db") for path in tmp_path.iterdir()
        )
    finally:
        worker.stop()
        server.stop()


def test_it_warns_at_deploy_of_a_short_metrics_token(settings: Any) -> None:
    # given a guessable token, a strong one, and none
    settings.METRICS_TOKEN = "short"
    weak = metrics_token_check()
    settings.METRICS_TOKEN = TOKEN
    strong = metrics_token_check()
    settings.METRICS_TOKEN = ""
    off = metrics_token_check()

    # then only the short one is flagged
    assert [message.id for message in weak] == ["console.W002"]
    assert strong == [] and off == []


FLEET_SOCKETS = 'console_websocket_clients{socket="fleet"}'


def test_it_counts_the_websockets_open_now(
    metrics_on: None, transactional_db: None, redis_flush: None
) -> None:
    # given a member of a tenant with a session cookie
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from console.asgi import application
    from console.models import Role
    from tests.factories import member
    from tests.telemetry.conftest import outside_event_loop

    user = member(TenantFactory(), Role.VIEWER)
    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
    before = _value(_scrape(browser).content.decode(), FLEET_SOCKETS, default=0)

    async def scenario() -> tuple[float, float, float]:
        headers = [(b"origin", b"http://localhost"), (b"cookie", cookie)]
        sockets = [WebsocketCommunicator(application, "/ws/v1/fleet/", headers=headers) for _ in range(2)]
        refused = WebsocketCommunicator(
            application, "/ws/v1/fleet/", headers=[(b"origin", b"http://localhost")]
        )
        for socket_ in sockets:
            connected, _ = await socket_.connect()
            assert connected
        assert (await refused.connect())[0] is False  # no session: closed before it was accepted
        # when two are open, then one closes, then the other
        both = _value(_scrape(browser).content.decode(), FLEET_SOCKETS)
        await sockets[0].disconnect()
        one = _value(_scrape(browser).content.decode(), FLEET_SOCKETS)
        await sockets[1].disconnect()
        none = _value(_scrape(browser).content.decode(), FLEET_SOCKETS)
        return both, one, none

    both, one, none = outside_event_loop(async_to_sync(scenario))

    # then the gauge follows the open sockets, and the refused one never counted
    assert (both - before, one - before, none - before) == (2, 1, 0)
