"""The real stack of the replay as subprocesses (web server, Celery workers, beat), dying with this
process; waiting for the web server; and the services (PostgreSQL, Redis) it needs to be running."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import redis
from django.conf import settings
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from console.redis import redis_client

BASE_DIR = Path(settings.BASE_DIR)
SERVICES_HINT = (
    "The replay needs PostgreSQL and Redis running: `make services` starts the embedded PostgreSQL and "
    "Redis, or set DATABASE_URL / REDIS_URL to running ones."
)


def services_check() -> None:
    """A clear error, not a traceback, when the database or Redis is not reachable (or the database
    does not exist): the replay needs both before it can start anything."""
    db = settings.DATABASES["default"]
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise CommandError(
            f"The database {db.get('NAME')!r} at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432} "
            f"is not reachable or does not exist ({reason(exc)}). {SERVICES_HINT}"
        ) from exc
    try:
        redis_client().ping()
    except redis.RedisError as exc:
        parts = urlsplit(settings.REDIS_URL)
        raise CommandError(
            f"Redis at {parts.hostname}:{parts.port or 6379} is not reachable ({reason(exc)}). {SERVICES_HINT}"
        ) from exc


def reason(exc: Exception) -> str:
    """An error's message on one line (the driver's may span several)."""
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


def processes_start(
    port: int,
    env: dict[str, str],
    workdir: Path,
    external_workers: bool,
    web_workers: int = 1,
    worker_concurrency: int = 2,
) -> dict[str, subprocess.Popen[bytes]]:
    """The web server on ``port`` and, unless ``external_workers``, a Celery worker, the control
    plane's worker and beat; each logs to ``workdir/<name>.log``."""
    bin_dir = Path(sys.executable).parent
    commands = {
        "web": [str(bin_dir / "uvicorn"), "console.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                "--lifespan", "off", "--ws", "websockets", "--log-level", "warning", "--workers", str(web_workers)],
    }  # fmt: skip
    if not external_workers:
        commands["worker"] = [str(bin_dir / "celery"), "-A", "console", "worker", "--loglevel", "WARNING",
                              "--concurrency", str(worker_concurrency), "--without-gossip", "--without-mingle"]  # fmt: skip
        # the control plane (fleet and gate ticks) on its own worker, as in production (settings.py)
        commands["control"] = [str(bin_dir / "celery"), "-A", "console", "worker", "--loglevel", "WARNING",
                               "--concurrency", "1", "--without-gossip", "--without-mingle",
                               "-Q", settings.CELERY_CONTROL_QUEUE, "--hostname", "control@%h"]  # fmt: skip
        commands["beat"] = [str(bin_dir / "celery"), "-A", "console", "beat", "--loglevel", "WARNING",
                            "--schedule", str(workdir / "celerybeat-schedule")]  # fmt: skip
        # crash reports halt failing rings at once (the gate tick stays the safety net)
        commands["safety"] = [sys.executable, str(BASE_DIR / "manage.py"), "safety_loop"]
    procs = {}
    for name, argv in commands.items():
        log = (workdir / f"{name}.log").open("wb")
        procs[name] = subprocess.Popen(
            argv, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
    return procs


def die_with_parent() -> None:
    """In the child before exec: SIGTERM when this command dies, even by SIGKILL (a test timeout),
    so no web server or worker outlives it on the database (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def processes_stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def web_wait(url: str, check: Callable[[], Any], timeout: float) -> None:
    """Until the web server answers: sensors that start before it only back off."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            check()
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise CommandError(f"the web server at {url} did not answer within {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """Simulator progress lines go to stderr (stdout carries only the JSON)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text.strip():
            self.stream.write(text.rstrip("\n"))
        return len(text)

    def flush(self) -> None:
        return None
