"""The Celery application: safe defaults for idempotent tasks and the beat schedule in code."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from typing import Any

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_shutdown

from console.logs import REQUEST_ID_HEADER, log_context, log_context_start, request_id_for_task
from console.redis import redis_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["console", "telemetry", "rollout"])

WORKER_HEARTBEAT_KEY = "console:worker-heartbeat"


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Each app lists its periodic tasks in ``<app>.schedule.BEAT_SCHEDULE``.

    Those modules are read before Django is set up, so they must not import models. Anything but
    a missing module is re-raised: Celery only logs errors raised in signal handlers, and a beat
    that quietly runs an empty schedule would stop every gate, expiry and flush.
    """
    from importlib import import_module

    schedule: dict[str, dict[str, Any]] = {}
    for app_name in ("console", "telemetry", "rollout"):
        try:
            module = import_module(f"{app_name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_name}.schedule":
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


@app.on_after_configure.connect
def _install_beat_schedule(sender: Celery, **_: Any) -> None:
    try:
        sender.conf.beat_schedule = beat_schedule()
    except Exception:
        import logging

        logging.getLogger(__name__).critical("the beat schedule cannot be built", exc_info=True)
        raise


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes ``<hostname> -> unix time`` to a Redis hash every few seconds.

    ``/readyz`` reads it to tell whether at least one worker is alive and consuming.
    """

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        self._beat(worker)
        self.tref = worker.timer.call_repeatedly(
            settings.CONSOLE_WORKER_HEARTBEAT_SECONDS, self._beat, (worker,), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
        # Shutting down: readiness expires the key anyway.
        with contextlib.suppress(Exception):
            redis_client().hdel(WORKER_HEARTBEAT_KEY, _worker_name(worker))

    def _beat(self, worker: Any) -> None:

        # Redis down: nothing to do here, readiness reports it.
        with contextlib.suppress(Exception):
            redis_client().hset(WORKER_HEARTBEAT_KEY, _worker_name(worker), str(time.time()))


def _worker_name(worker: Any) -> str:
    return str(getattr(worker, "hostname", None) or socket.gethostname())


app.steps["worker"].add(WorkerHeartbeat)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's default scheduler that also touches ``CONSOLE_BEAT_HEARTBEAT_FILE`` on every tick
    (at least every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` seconds), so a container health check can
    tell a live beat from a hung or dead one by the file's age."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        from django.conf import settings

        interval = float(super().tick(*args, **kwargs))
        with contextlib.suppress(OSError):
            Path(settings.CONSOLE_BEAT_HEARTBEAT_FILE).touch()
        return interval


@before_task_publish.connect
def _carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """A task enqueued on behalf of a request (or of a task that one started) carries its id."""
    request_id = log_context().get("request_id")
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _task_log_context(task_id: str = "", task: Any = None, **_: Any) -> None:
    log_context_start(
        request_id=request_id_for_task(getattr(task, "request", None)),
        task=getattr(task, "name", ""),
        task_id=task_id,
    )


@task_postrun.connect
def _task_log_context_end(**_: Any) -> None:
    log_context_start()


@worker_shutdown.connect
def _on_shutdown(**_: Any) -> None:
    return None
