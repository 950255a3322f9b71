"""The foundation: probes, settings safety, the Celery round trip, websockets, sign-in in a browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.conftest import BASE_DIR, ManagedProcess, browser_login, free_port, run_async, wait_for
from tests.factories import PASSWORD, TenantFactory, member

pytestmark = pytest.mark.django_db


def test_it_answers_healthz_without_touching_dependencies(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_reports_not_ready_without_a_worker(client: Client, redis_flush: None) -> None:
    # given no Celery worker has ever beaten on the test Redis
    # when
    response = client.get("/readyz")
    # then PostgreSQL and Redis are fine but readiness is refused
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False


@pytest.mark.worker
def test_it_is_ready_with_a_live_worker_and_round_trips_a_task(celery_worker: ManagedProcess) -> None:
    from django.db import connection

    from console.tasks import ping

    # when a task goes through the real worker process
    result = ping.delay("hello").get(timeout=60)
    # then it ran against the same (test) database
    assert result == {"echo": "hello", "database": connection.settings_dict["NAME"]}
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["worker"]["workers"] >= 1


def test_it_reports_not_ready_when_redis_is_down(settings, client: Client) -> None:
    # given a real Redis server of our own that we then stop
    redis_server = Path(sys.executable).parent / "redis-server"
    port = free_port()
    proc = ManagedProcess(
        [str(redis_server), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        dict(os.environ),
        "redis",
    )
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        from console.redis import redis_client

        wait_for(lambda: _pings(redis_client()), what="private redis")
        assert client.get("/readyz").json()["checks"]["redis"]["ok"] is True
        # when Redis stops
        proc.kill()
        # then readiness says so, naming Redis
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["redis"]["ok"] is False
    finally:
        proc.stop()


def _pings(client) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(client.ping())
    except Exception:
        return False


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "SECRET_KEY (or SECRET_KEY_FILE) is not set"),
        ("short", "too weak"),
        ("django-insecure-" + "x" * 60, "development placeholder"),
    ],
)
def test_it_refuses_to_start_with_debug_off_and_an_insecure_secret_key(secret: str, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    env.update({"DEBUG": "0", "ALLOWED_HOSTS": "console.example.com", "SECRET_KEY": secret})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off" in result.stderr
    assert message in result.stderr


def test_it_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ")
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DEBUG": "0", "ALLOWED_HOSTS": "console.example.com", "SECRET_KEY_FILE": str(key_file)})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_it_delivers_a_tenant_event_through_the_redis_channel_layer(
    transactional_db: None, redis_flush: None
) -> None:
    from django.conf import settings

    from console.asgi import application
    from console.realtime import publish_now
    from console.scoping import ADMIN  # noqa: F401 - import proves the scoping module loads under ASGI

    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    tenant = TenantFactory(slug="acme")
    other = TenantFactory(slug="globex")
    user = member(tenant)
    outsider = member(other)

    async def scenario() -> tuple[dict, dict, bool]:
        from channels.db import database_sync_to_async

        async def connect(u) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
            c = Client()
            await database_sync_to_async(c.force_login)(u)
            cookie = c.cookies[settings.SESSION_COOKIE_NAME].value
            comm = WebsocketCommunicator(
                application,
                "/ws/v1/events/",
                headers=[
                    (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
                    (b"origin", b"http://localhost"),
                ],
            )
            connected, _ = await comm.connect()
            assert connected
            return comm

        mine, theirs = await connect(user), await connect(outsider)
        hello = await mine.receive_json_from(timeout=5)
        await theirs.receive_json_from(timeout=5)
        await database_sync_to_async(publish_now)(tenant.pk, "events", "notify", {"message": "paused"})
        message = await mine.receive_json_from(timeout=5)
        # globex's own event, sent after acme's: one socket's messages arrive in order, so had
        # acme's event leaked, it would come first
        await database_sync_to_async(publish_now)(other.pk, "events", "notify", {"message": "globex"})
        outsider_next = await theirs.receive_json_from(timeout=5)
        await mine.disconnect()
        await theirs.disconnect()
        return hello, message, outsider_next

    hello, message, outsider_next = run_async(scenario())
    assert hello == {"type": "hello", "tenant": "acme"}
    assert message == {"type": "notify", "payload": {"message": "paused"}}
    assert outsider_next == {"type": "notify", "payload": {"message": "globex"}}, (
        "another tenant's socket must not receive acme's events"
    )


def test_it_refuses_an_anonymous_websocket(transactional_db: None) -> None:
    from console.asgi import application

    async def scenario() -> bool:
        comm = WebsocketCommunicator(
            application, "/ws/v1/events/", headers=[(b"origin", b"http://localhost")]
        )
        connected, _ = await comm.connect()
        await comm.disconnect()
        return connected

    assert run_async(scenario()) is False


@pytest.mark.browser
def test_it_signs_in_a_seeded_user_in_chromium(live_server, page) -> None:
    # given a tenant admin
    tenant = TenantFactory(slug="acme", name="Acme Corporation")
    member(tenant, username="admin@acme.example")
    # when they sign in through the login page
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    # then they land on their tenant, whose name is in the header
    assert page.locator("[data-testid=current-tenant]").inner_text() == "Acme Corporation"


@pytest.mark.browser
def test_it_shows_an_error_for_a_wrong_password_in_chromium(live_server, page) -> None:
    tenant = TenantFactory(slug="acme")
    member(tenant, username="admin@acme.example")
    browser_login(page, live_server.url, "admin@acme.example", "wrong-password")
    assert page.url.endswith("/login/")
    assert "correct username and password" in page.locator(".form-error").inner_text()


def test_it_builds_the_beat_schedule_of_every_app_in_a_fresh_process() -> None:
    # given a process where Django is not set up yet (as `celery beat` starts)
    code = "from console.celery import app; print(sorted(app.conf.beat_schedule))"
    # when the schedule is read
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then each app's periodic tasks are there
    assert result.returncode == 0, result.stderr
    names = result.stdout
    assert "console" in names and "telemetry" in names, names


def test_it_prints_exactly_one_json_object_from_seed_demo_json(transactional_db, settings, capsys) -> None:
    import io
    import json

    from django.core.management import call_command

    # given the development mail backend, which writes mails to stdout (seeding mails tenant admins
    # once the pending support request commits)
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    # when the demo is seeded twice with --json, as `make run` does
    call_command("seed_demo", "--json", stdout=out)
    first = json.loads(out.getvalue())
    out2 = io.StringIO()
    call_command("seed_demo", "--json", stdout=out2)
    # then stdout carried only the JSON (mails went to stderr), and the seed is idempotent
    assert capsys.readouterr().out == ""
    assert json.loads(out2.getvalue()) == first
    assert {"logins", "api_tokens", "enrolment_tokens"} <= set(first)
