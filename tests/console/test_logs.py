"""Log lines are JSON in production and say which request (tenant, actor) they belong to; a task
a request enqueues logs under the same request id."""

from __future__ import annotations

import io
import json
import logging
import uuid
from typing import Any

import pytest
from celery import current_app
from django.conf import settings
from django.utils.module_loading import import_string

from console.logs import LogContextFilter, log_context, log_context_start, logging_config
from tests.conftest import start_celery_worker, wait_for
from tests.console.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines() -> Any:
    """The production formatter and filter (as LOGGING builds them) on a handler for this test."""
    formatter_config = dict(logging_config("json", "INFO")["formatters"]["json"])
    formatter = import_string(formatter_config.pop("()"))(**formatter_config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_it_logs_json_with_the_request_id_tenant_and_actor(trio: Any, json_lines: Any) -> None:
    # given the owner asks acme's API for an API client that does not exist
    request_id = "req-" + uuid.uuid4().hex[:12]
    owner = api_as(trio.owner, trio.tenant)
    # when the console answers 404 (Django logs it as a warning)
    response = owner.get(f"/api/v1/api-clients/{uuid.uuid4()}/", HTTP_X_REQUEST_ID=request_id)
    # then that log line is JSON naming the request, the tenant and the actor
    assert response.status_code == 404
    line = next(entry for entry in json_lines() if entry.get("logger") == "django.request")
    assert line["level"] == "WARNING"
    assert line["request_id"] == request_id
    assert line["tenant_id"] == str(trio.tenant.pk)
    assert line["actor"] == f"user:{trio.owner.pk}"
    assert "time" in line and "Not Found" in line["message"]


def test_it_starts_each_request_with_a_fresh_context(trio: Any) -> None:
    # given a context left over from earlier work in this thread
    log_context_start(request_id="stale-request-id", tenant_id="stale")
    # when an anonymous request comes in
    response = api_as(trio.owner).get("/api/v1/nowhere/", HTTP_X_REQUEST_ID="fresh-request-1")
    # then its lines carry only its own id
    assert response.status_code == 404
    assert log_context().get("request_id") == "fresh-request-1"
    assert "tenant_id" not in log_context()


def test_it_uses_json_by_default_in_production() -> None:
    assert logging_config("json", "INFO")["handlers"]["console"]["formatter"] == "json"
    assert settings.LOG_FORMAT == "plain"  # DEBUG=1 in tests; production (DEBUG off) defaults to json


@pytest.mark.django_db(transaction=True)
def test_it_carries_the_request_id_into_a_task_it_enqueues(redis_flush: None) -> None:
    # given a worker logging JSON, and code running on behalf of a request
    worker = start_celery_worker(LOG_FORMAT="json")
    try:
        log_context_start(request_id="req-into-task-1")
        # when it enqueues a task
        current_app.send_task("console.ping", args=["hello"]).get(timeout=60)
        log_context_start()

        # then the task's log line, in the worker, is JSON with the same request id
        def ping_line() -> dict[str, Any] | None:
            for raw in worker.output().splitlines():
                if raw.startswith("{") and '"ping answered"' in raw:
                    return dict(json.loads(raw))
            return None

        line = wait_for(ping_line, timeout=30, what="the task's JSON log line")
    finally:
        worker.stop()
    assert line["request_id"] == "req-into-task-1"
    assert line["task"] == "console.ping" and line["task_id"]
    assert line["echo"] == "hello"
