"""Fixtures shared by every test module: real PostgreSQL, Redis, Celery worker, ASGI server, Chromium.

Nothing of our own stack is mocked. Processes the tests start (worker, web server) get the test
database's URL and inherit PYTEST_VERSION, which makes settings use the test Redis databases.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS = BASE_DIR / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The throwaway test database allows TRUNCATE of the audit log (Django empties tables with it
    after transactional tests); production databases refuse it (console migration 0004)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET console.audit_truncate_allowed = 'on'")


@pytest.fixture(autouse=True)
def audit_anchor_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test signs audit anchors into a directory of its own, never the developer's var/."""
    settings.AUDIT_ANCHOR_DIR = str(tmp_path / "audit-anchors")
    return Path(settings.AUDIT_ANCHOR_DIR)


def wait_for(
    condition: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1, what: str = ""
) -> Any:
    """Polls ``condition`` until it returns something truthy; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what or condition!r} (last value {last!r})")


def run_async(coro: Any, timeout: float = 60) -> Any:
    """Runs a coroutine on its own event loop in its own thread.

    Playwright's sync API owns the test thread's loop once a browser test has run, so async
    scenarios (websocket communicators) must not use ``async_to_sync`` in the test thread.
    Tests using this need committed data (``transactional_db``): the thread has its own connection.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_url() -> str:
    """A URL for the database the current test runs against (pytest-django's test database)."""
    sd = connection.settings_dict
    host = sd.get("HOST") or ""
    netloc_host = quote(host, safe="") if host.startswith("/") else host
    port = f":{sd['PORT']}" if sd.get("PORT") else ""
    user = quote(sd.get("USER") or "postgres", safe="")
    password = f":{quote(sd['PASSWORD'], safe='')}" if sd.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{netloc_host}{port}/{sd['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            # The children apply the test offset themselves (PYTEST_VERSION is inherited), so
            # they get the URL before the offset, as this process read it.
            "REDIS_URL": os.environ.get("REDIS_URL") or settings.REDIS_URL.rsplit("/", 1)[0] + "/0",
            "DEBUG": "1",
            # The tests' webhook receivers listen on 127.0.0.1, which webhooks otherwise refuse.
            "WEBHOOK_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
        }
    )
    env.update(extra)
    return env


class ManagedProcess:
    """A child process the test owns; killed at teardown, its output kept for failure reports."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.name = name
        self.log_path = ARTIFACTS / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log = self.log_path.open("wb")
        self.args = args
        self.env = env
        self.proc = subprocess.Popen(args, env=env, cwd=BASE_DIR, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self, sig: int = 9) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def restart(self) -> None:
        self.kill()
        self.proc = subprocess.Popen(
            self.args, env=self.env, cwd=BASE_DIR, stdout=self.log, stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        self.kill(15)
        self.log.close()


def start_celery_worker(
    name: str = "worker", *, queues: str | None = None, **extra_env: str
) -> ManagedProcess:
    """A worker consuming every queue, or only ``queues`` (comma-separated, like ``-Q``)."""
    from console.redis import redis_client

    celery = str(Path(sys.executable).parent / "celery")
    hostname = f"{name}-{os.getpid()}-{time.monotonic_ns()}@test"
    worker = ManagedProcess(
        [
            celery,
            "-A",
            "console",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            hostname,
            *(["-Q", queues] if queues else []),
        ],
        child_env(**extra_env),
        name,
    )
    from console.celery import WORKER_HEARTBEAT_KEY

    def ready() -> bool:
        if worker.proc.poll() is not None:
            pytest.fail(f"celery worker exited:\n{worker.output()}")
        return bool(redis_client().hexists(WORKER_HEARTBEAT_KEY, hostname))

    wait_for(ready, timeout=60, what="celery worker heartbeat")
    return worker


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[ManagedProcess]:
    """A real Celery worker process on the test database and the test Redis databases."""
    worker = start_celery_worker()
    yield worker
    worker.stop()


def worker_kill_hard(worker: ManagedProcess) -> None:
    """SIGKILL the worker and its pool processes (the one publishing included), like an OOM kill."""
    pid = worker.proc.pid
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    for child in children:
        os.kill(child, signal.SIGKILL)
    worker.kill(signal.SIGKILL)


# --- the HTTP distribution backend under faults (tests/rollout/desired/test_publish.py and
# tests/reliability/test_faults_sync.py): the reference receiver, real workers pointed at it.

DISTRIBUTION_SECRET = "sync-fault-secret"


@pytest.fixture
def fault_receiver() -> Iterator[Any]:
    """The reference HTTP distribution backend (``rollout.distribution.http_receiver``) on a free
    port; ``receiver_fault`` makes it fail or hang on demand, ``receiver_stats`` says what it saw."""
    from rollout.distribution.http_receiver import serve

    server = serve(DISTRIBUTION_SECRET)
    yield server
    server.close()


def receiver_stats(receiver: Any) -> dict[str, Any]:
    import httpx

    stats: dict[str, Any] = httpx.get(f"{receiver.url}/_control/stats").json()
    return stats


def receiver_fault(receiver: Any, **fault: Any) -> None:
    """Arms a fault (``mode``, ``seconds``, ``count``, ``path``: see the receiver's /_control/faults)."""
    import httpx

    httpx.post(f"{receiver.url}/_control/faults", json=fault).raise_for_status()


def http_backend_env(receiver: Any, **extra: str) -> dict[str, str]:
    """A worker's environment for the HTTP backend pointed at the reference receiver."""
    return {
        "DISTRIBUTION_BACKEND": "http",
        "DISTRIBUTION_HTTP_URL": receiver.url,
        "DISTRIBUTION_HTTP_SECRET": DISTRIBUTION_SECRET,
        **extra,
    }


def http_backend(receiver: Any) -> Any:
    """A client of the receiver, as the console's HTTP distribution backend (to read what it holds)."""
    from rollout.distribution.http import HttpBackend

    return HttpBackend(receiver.url, DISTRIBUTION_SECRET)


def backend_converged(backend: Any, tenant: Any) -> bool:
    """The backend holds exactly the database's desired state of ``tenant`` (revision and digest)."""
    from rollout.desired.publish import desired_digest
    from rollout.models import TenantRevision

    tr = TenantRevision.objects.filter(tenant=tenant).first()
    if tr is None or tr.published_revision != tr.revision:
        return False
    snapshot = backend.snapshot(str(tenant.pk))
    return bool(snapshot.revision == tr.revision and snapshot.digest == desired_digest(str(tenant.pk)))


def start_asgi_server(port: int | None = None, **extra_env: str) -> tuple[ManagedProcess, str]:
    import httpx

    port = port or free_port()
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    server = ManagedProcess(
        [
            uvicorn,
            "console.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--ws",
            "websockets",
            "--log-level",
            "warning",
        ],
        child_env(**extra_env),
        "asgi",
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if server.proc.poll() is not None:
            pytest.fail(f"ASGI server exited:\n{server.output()}")
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, timeout=60, what="ASGI server /healthz")
    return server, url


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """The real ASGI application (HTTP + websockets) under uvicorn, on the test database; yields its URL."""
    server, url = start_asgi_server()
    yield url
    server.stop()


@pytest.fixture
def redis_flush() -> Iterator[None]:
    """Empties the test Redis databases before and after the test (never the development ones)."""
    from django.conf import settings

    from console.redis import redis_client

    assert settings.TESTING
    for url in (settings.REDIS_URL, settings.REDIS_CACHE_URL):
        redis_client(url).flushdb()
    yield
    for url in (settings.REDIS_URL, settings.REDIS_CACHE_URL):
        redis_client(url).flushdb()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium for one test. Per test on purpose: Playwright's sync API keeps an event loop
    running in the test thread while it is open, which would break every later test that calls
    ``async_to_sync`` (the channel layer) in that thread."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page; a screenshot is saved under test-artifacts/ at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def browser_login(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
