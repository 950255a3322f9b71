"""Fault injection with real processes on PRIVATE PostgreSQL and Redis servers (never the shared
ones): Redis stopped and restarted, PostgreSQL stopped for a few seconds while heartbeats arrive.

After each fault the system converges (every heartbeat the API acknowledged with 202 reaches
PostgreSQL), and ``/readyz`` tells the truth meanwhile (503 naming the dependency that is down,
200 again once it is back). A uvicorn server, a Celery worker and Celery beat run against the
private servers, exactly as in production. In Chromium, an admin sees it too: the dashboard says
its live updates are disconnected while Redis is down, and pages answer a 503 "service degraded"
page (no stack trace) while PostgreSQL is down.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import psycopg
import pytest
import redis

from tests.conftest import (
    BASE_DIR,
    ManagedProcess,
    browser_login,
    child_env,
    free_port,
    start_asgi_server,
    wait_for,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.worker
BIN = Path(sys.executable).parent

SEED = """
import json
from console.models import ApiClient, ApiScope
from console.tokens import token_generate
from console.models import Role
from tests.factories import HostFactory, TenantFactory, member
tenant = TenantFactory(slug="acme")
owner = member(tenant, Role.OWNER, username="owner@acme.example")
hosts = [str(HostFactory(tenant=tenant).pk) for _ in range(3)]
token, lookup, digest = token_generate()
ApiClient.objects.create(tenant=None, name="pipeline", prefix=lookup, token_hash=digest,
                         scopes=[ApiScope.TELEMETRY])
print("SEED" + json.dumps({"hosts": hosts, "token": token, "owner": owner.username}))
"""


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        # children run with PYTEST_VERSION, so settings add 2 to the db index
        return redis.Redis(host="127.0.0.1", port=self.port, db=2, socket_timeout=2)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(BIN / "redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._up, timeout=20, what="private Redis")

    def _up(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """A clean stop (what a service manager's restart does): SIGTERM, the AOF is on disk."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


class PrivatePostgres:
    def __init__(self, directory: Path) -> None:
        import pgserver

        self.pgdata = directory / "pg"
        self.pgdata.mkdir()
        if os.geteuid() == 0:  # pgserver runs PostgreSQL as this user (created on first use)
            from pgserver.utils import ensure_user_exists

            ensure_user_exists("pgserver")
            shutil.chown(directory, "pgserver")
        self.pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.server.psql("CREATE DATABASE console;")
        socket_dir = parse_qs(urlsplit(self.server.get_uri()).query)["host"][0]
        self.socket_dir = socket_dir
        self.url = f"postgres://postgres@{quote(socket_dir, safe='')}/console"
        self.dsn = f"host={socket_dir} dbname=console user=postgres"

    def _ctl(self, *args: str) -> None:
        cmd = [str(self.pg_ctl), "-D", str(self.pgdata), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "pgserver", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"pg_ctl {args}: {done.stdout}{done.stderr}"

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast", "-w")

    def start(self) -> None:
        """Starts the same cluster again, on the same socket directory."""
        self._ctl(
            "start",
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {self.socket_dir}",
            "-l",
            str(self.pgdata / "restart.log"),
        )

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn, connect_timeout=3) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, Any]]:
    directory = Path(tempfile.mkdtemp(prefix="faults-"))
    os.chmod(directory, 0o755)  # noqa: S103 - the pgserver user must traverse it
    pg = PrivatePostgres(directory)
    (directory / "redis").mkdir()
    rds = PrivateRedis(directory / "redis")
    rds.start()
    processes: list[ManagedProcess] = []
    try:
        env = child_env(DATABASE_URL=pg.url, REDIS_URL=rds.url, CONSOLE_WORKER_STALE_SECONDS="5")
        env["CONSOLE_WORKER_HEARTBEAT_SECONDS"] = "1"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            env=env,
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )
        seeded = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            env=env,
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        seed = json.loads(seeded.stdout.split("SEED", 1)[1])
        extra = {k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CONSOLE_WORKER_STALE_SECONDS")}
        extra["CONSOLE_WORKER_HEARTBEAT_SECONDS"] = "1"
        server, url = start_asgi_server(**extra)
        processes.append(server)
        celery = str(BIN / "celery")
        worker = ManagedProcess(
            [celery, "-A", "console", "worker", "--concurrency", "1", "--without-gossip", "--without-mingle"],
            env,
            "fault-worker",
        )
        processes.append(worker)
        beat = ManagedProcess(
            [celery, "-A", "console", "beat", "--schedule", str(directory / "beat-schedule")],
            env,
            "fault-beat",
        )
        processes.append(beat)
        yield {"url": url, "pg": pg, "redis": rds, "seed": seed, "logs": processes}
    finally:
        for process in processes:
            process.stop()
        rds.stop()
        with contextlib.suppress(AssertionError):  # already stopped
            pg.stop()
        shutil.rmtree(directory, ignore_errors=True)


def readyz(url: str) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.get(f"{url}/readyz", timeout=10)
    except httpx.HTTPError as exc:
        return 0, {"error": repr(exc)}
    return response.status_code, response.json()


def post_heartbeats(stack: dict[str, Any], when: datetime) -> int:
    body = {
        "heartbeats": [
            {
                "host_id": host,
                "time": when.isoformat(),
                "sensor_build": "7.11.18110",
                "content_versions": {"rapid_response": "291.3"},
                "status": "online",
                "interval_s": 10,
            }
            for host in stack["seed"]["hosts"]
        ]
    }
    try:
        response = httpx.post(
            f"{stack['url']}/api/v1/telemetry/heartbeats",
            json=body,
            headers={"Authorization": f"Bearer {stack['seed']['token']}"},
            timeout=15,
        )
    except httpx.HTTPError:
        return 0
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.status_code


def all_seen_since(stack: dict[str, Any], when: datetime) -> bool:
    try:
        rows = stack["pg"].query(
            "SELECT count(*) FROM telemetry_host WHERE last_seen_at >= %s", [when.replace(microsecond=0)]
        )
    except psycopg.Error:
        return False
    return rows[0][0] == len(stack["seed"]["hosts"])


def _ready(stack: dict[str, Any]) -> bool:
    return readyz(stack["url"])[0] == 200


def test_it_converges_after_redis_is_stopped_and_restarted(stack: dict[str, Any]) -> None:
    # given a ready system that has just acknowledged heartbeats
    wait_for(lambda: _ready(stack), timeout=90, what="/readyz 200 before the fault")
    before = datetime.now(UTC)
    assert post_heartbeats(stack, before) == 202
    # when Redis stops
    stack["redis"].stop()
    # then /readyz says Redis is down, and the heartbeat API refuses (never acknowledges) new data
    _status, body = wait_for(
        lambda: (r := readyz(stack["url"]))[0] == 503 and r, timeout=30, what="/readyz 503 on Redis down"
    )
    assert body["checks"]["redis"]["ok"] is False, body
    assert post_heartbeats(stack, datetime.now(UTC)) in (0, 503), "acknowledged data Redis cannot hold"
    # when Redis comes back
    stack["redis"].start()
    # then the system is ready again and everything acknowledged reached PostgreSQL
    wait_for(lambda: _ready(stack), timeout=60, what="/readyz 200 after Redis restart")
    wait_for(lambda: all_seen_since(stack, before), timeout=60, what="acknowledged heartbeats flushed")
    after = datetime.now(UTC)
    assert post_heartbeats(stack, after) == 202
    wait_for(lambda: all_seen_since(stack, after), timeout=60, what="new heartbeats flushed")


def test_it_converges_after_postgresql_stops_while_heartbeats_arrive(stack: dict[str, Any]) -> None:
    # given a ready system
    wait_for(lambda: _ready(stack), timeout=90, what="/readyz 200 before the fault")
    assert post_heartbeats(stack, datetime.now(UTC)) == 202
    # when PostgreSQL stops and heartbeats keep arriving
    stack["pg"].stop()
    _status, body = wait_for(
        lambda: (r := readyz(stack["url"]))[0] == 503 and r, timeout=30, what="/readyz 503 on database down"
    )
    # then /readyz names the database as down
    assert body["checks"]["database"]["ok"] is False, body
    acknowledged: list[datetime] = []
    worker = next(p for p in stack["logs"] if p.name == "fault-worker")
    log_at_outage = worker.log_path.stat().st_size

    def another_batch_until_a_tick_failed() -> bool:
        when = datetime.now(UTC)
        code = post_heartbeats(stack, when)
        assert code in (0, 202, 503), f"heartbeat answered {code} while PostgreSQL is down"
        if code == 202:
            acknowledged.append(when)
        # The outage lasts until the worker's telemetry tick (flush + quiet-host sweep) has run
        # into the stopped database, so what follows tests recovery from a failed tick.
        since_outage = worker.log_path.read_bytes()[log_at_outage:].decode(errors="replace")
        return any(
            "telemetry_tick_task" in line and "raised unexpected" in line
            for line in since_outage.splitlines()
        )

    wait_for(
        another_batch_until_a_tick_failed,
        timeout=60,
        what="a telemetry tick failing on the stopped database while heartbeats arrive",
    )
    # when PostgreSQL is back
    stack["pg"].start()
    # then the system is ready again and every acknowledged heartbeat reached PostgreSQL
    wait_for(lambda: _ready(stack), timeout=60, what="/readyz 200 after PostgreSQL restart")
    last = max(acknowledged) if acknowledged else datetime.now(UTC)
    if not acknowledged:
        assert post_heartbeats(stack, last) == 202
    wait_for(lambda: all_seen_since(stack, last), timeout=60, what="acknowledged heartbeats flushed")


def test_it_shows_an_admin_the_degraded_state_while_redis_or_postgresql_is_down(
    stack: dict[str, Any], page: Any
) -> None:
    # given an owner watching the live dashboard
    wait_for(lambda: _ready(stack), timeout=90, what="/readyz 200 before the fault")
    browser_login(page, stack["url"], stack["seed"]["owner"], PASSWORD)
    page.goto(f"{stack['url']}/")
    connection = page.locator("[data-testid=fleet-connection]")
    degraded = page.locator("[data-testid=fleet-degraded]")
    connection.and_(page.locator("[data-state=live]")).wait_for(timeout=30_000)
    assert degraded.is_hidden()
    # when Redis stops
    stack["redis"].stop()
    try:
        # then the dashboard says its live updates are disconnected
        degraded.wait_for(state="visible", timeout=30_000)
        assert "disconnected" in degraded.inner_text()
        assert connection.get_attribute("data-state") != "live"
        # and pages answer either normally (they need only PostgreSQL) or the degraded page, never a 500
        for path in ("/", "/rollout/sync/", "/rollout/pauses/"):
            answer = page.request.get(f"{stack['url']}{path}")
            assert answer.status in (200, 503), f"{path} answered {answer.status} with Redis down"
            assert "Traceback" not in answer.text()
    finally:
        stack["redis"].start()
    # and once Redis is back, it reconnects and the notice goes away
    connection.and_(page.locator("[data-state=live]")).wait_for(timeout=60_000)
    degraded.wait_for(state="hidden", timeout=10_000)
    wait_for(lambda: _ready(stack), timeout=60, what="/readyz 200 after Redis restart")

    # when PostgreSQL stops
    stack["pg"].stop()
    try:
        wait_for(lambda: readyz(stack["url"])[0] == 503, timeout=30, what="/readyz 503 on database down")
        # then a page answers 503 "service degraded" naming the database, without a stack trace
        response = page.goto(f"{stack['url']}/rollout/sync/")
        assert response is not None and response.status == 503
        assert response.headers.get("retry-after")
        body = page.locator("[data-testid=service-degraded]")
        assert body.get_attribute("data-outage") == "database"
        assert "Service degraded" in page.inner_text("h1")
        assert "Traceback" not in page.content() and "OperationalError" not in page.content()
    finally:
        stack["pg"].start()
    # and once it is back, the same page answers again for the same session
    wait_for(lambda: _ready(stack), timeout=60, what="/readyz 200 after PostgreSQL restart")
    response = page.goto(f"{stack['url']}/rollout/sync/")
    assert response is not None and response.status == 200
    assert page.locator("[data-testid=sync-status]").is_visible()
