"""Errors reach Sentry (a real HTTP receiver standing in for it) from a view and from a task, with the
request id as a tag and secrets masked by the audit's list; without a DSN nothing is started."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
import sentry_sdk
from celery import current_app
from channels.testing import HttpCommunicator
from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import OWNER, READ
from console.error_reporting import error_reporting_start, scrub_event
from console.logs import log_context_start
from console.models import AuditEvent
from console.scoping import TenantAPIView
from tests.conftest import child_env, run_async, start_celery_worker, wait_for
from tests.console.conftest import Trio, api_as

pytestmark = pytest.mark.urls(__name__)


@csrf_exempt  # like the token-authenticated API, which has no CSRF cookie
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view broke")


class BrokenTenantView(TenantAPIView):
    """A tenant API endpoint that crashes once the tenant is resolved (GET for readers, POST for owners)."""

    queryset = AuditEvent.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OWNER}

    def get(self, request: Request) -> Response:
        raise RuntimeError("the tenant view broke")

    def post(self, request: Request) -> Response:
        raise RuntimeError("the tenant view broke")


urlpatterns = [path("boom/", boom), path("tenant-boom/", BrokenTenantView.as_view())]


class SentryReceiver:
    """A tiny HTTP server taking Sentry envelopes; ``events`` are the error events it got."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                for line in body.splitlines():
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(item, dict) and "exception" in item:
                        receiver.events.append(item)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[SentryReceiver]:
    server = SentryReceiver()
    yield server
    server.close()


@pytest.fixture
def reporting_off() -> Iterator[None]:
    """Whatever a test starts in this process is stopped again (the integrations stay inert)."""
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    log_context_start()


def exception_of(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event["exception"]["values"][-1])


@pytest.mark.django_db(transaction=True)
def test_it_reports_a_view_error_with_the_request_id_and_secrets_masked(
    receiver: SentryReceiver, reporting_off: None, live_server: Any
) -> None:
    # given error reporting on, pointed at the receiver
    assert error_reporting_start(dsn=receiver.dsn, environment="test", release="console@1.2.3")
    # when a view raises on a request carrying a password, an OTP, a token and credentials
    response = httpx.post(
        f"{live_server.url}/boom/?token=query-secret&page=2",
        data={"password": "hunter2", "otp": "123456", "enrolment_token": "enrol-secret", "name": "kept"},
        headers={
            "Authorization": "Bearer bearer-secret",
            "X-Api-Key": "api-key-secret",
            "Cookie": "sessionid=cookie-secret",
            "X-Request-ID": "req-sentry-view-1",
        },
        timeout=30,
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    # then the receiver got the exception, tagged with the request id, and no secret
    event = wait_for(lambda: receiver.events and receiver.events[0], what="the view's error event")
    assert exception_of(event)["type"] == "RuntimeError"
    assert exception_of(event)["value"] == "the view broke"
    assert event["tags"]["request_id"] == "req-sentry-view-1"
    assert event["environment"] == "test" and event["release"] == "console@1.2.3"
    request = event["request"]
    assert request["data"]["password"] == "***"
    assert request["data"]["otp"] == "***"
    assert request["data"]["enrolment_token"] == "***"
    assert request["data"]["name"] == "kept"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["authorization"] == "***"
    assert headers["x-api-key"] == "***"
    assert "token=%2A%2A%2A" in request["query_string"] and "page=2" in request["query_string"]
    raw = json.dumps(event)
    assert headers["cookie"] == "***"
    secrets = (
        "hunter2",
        "123456",
        "enrol-secret",
        "bearer-secret",
        "api-key-secret",
        "query-secret",
        "cookie-secret",
    )
    for secret in secrets:
        assert secret not in raw
    assert "user" not in event or not event["user"].get("ip_address")


@pytest.mark.django_db(transaction=True)
def test_it_reports_an_error_served_over_asgi_with_its_request_id(
    receiver: SentryReceiver, reporting_off: None
) -> None:
    # given error reporting on, and Django's ASGI application (what uvicorn serves in production)
    assert error_reporting_start(dsn=receiver.dsn, environment="test")
    communicator = HttpCommunicator(
        get_asgi_application(),
        "GET",
        "/boom/?access_token=query-secret",
        headers=[
            (b"host", b"localhost"),
            (b"authorization", b"Bearer bearer-secret"),
            (b"x-request-id", b"req-sentry-asgi-1"),
        ],
    )
    # when the view raises
    response = run_async(communicator.get_response())
    sentry_sdk.flush(timeout=10)
    # then the event carries the exception and the request id, and no credential
    assert response["status"] == 500
    event = wait_for(lambda: receiver.events and receiver.events[0], what="the ASGI error event")
    assert exception_of(event)["value"] == "the view broke"
    assert event["tags"]["request_id"] == "req-sentry-asgi-1"
    headers = {name.lower(): value for name, value in event["request"]["headers"].items()}
    assert headers["authorization"] == "***"
    assert "bearer-secret" not in json.dumps(event) and "query-secret" not in json.dumps(event)


@pytest.mark.django_db
def test_it_tags_an_error_with_the_tenant_of_the_request_and_reports_nothing_refused(
    trio: Trio, receiver: SentryReceiver, reporting_off: None
) -> None:
    # given error reporting on and a tenant endpoint that crashes
    assert error_reporting_start(dsn=receiver.dsn, environment="test")
    clients = {
        who: api_as(user, tenant)
        for who, user, tenant in (
            ("owner", trio.owner, trio.tenant),
            ("member", trio.member, trio.tenant),
            ("outsider", trio.outsider, trio.other_tenant),
        )
    }
    for client in clients.values():
        client.raise_request_exception = False
    # when acme's member is refused the owner-only POST, then acme's owner and globex's owner reach it
    refused = clients["member"].post("/tenant-boom/", HTTP_X_REQUEST_ID="req-sentry-member")
    owner = clients["owner"].get("/tenant-boom/", HTTP_X_REQUEST_ID="req-sentry-owner")
    outsider = clients["outsider"].get("/tenant-boom/", HTTP_X_REQUEST_ID="req-sentry-outsider")
    sentry_sdk.flush(timeout=10)
    # then two events arrive, each tagged with its own request and tenant; the refusal sent none
    assert refused.status_code == 403 and owner.status_code == 500 and outsider.status_code == 500
    events = wait_for(lambda: len(receiver.events) >= 2 and receiver.events, what="two tenant events")
    tags = sorted((event["tags"]["request_id"], event["tags"]["tenant_id"]) for event in events)
    assert tags == sorted(
        [("req-sentry-owner", str(trio.tenant.pk)), ("req-sentry-outsider", str(trio.other_tenant.pk))]
    )
    assert all(exception_of(event)["value"] == "the tenant view broke" for event in events)


@pytest.mark.django_db(transaction=True)
def test_it_reports_a_task_error_with_the_request_id_of_the_request_that_enqueued_it(
    receiver: SentryReceiver, redis_flush: None
) -> None:
    # given a real worker with error reporting on
    worker = start_celery_worker(SENTRY_DSN=receiver.dsn)
    try:
        # when a request's code enqueues a task that fails, passing a password along
        log_context_start(request_id="req-sentry-task-1")
        result = current_app.send_task("console.ping", kwargs={"value": "x", "password": "hunter2"})
        log_context_start()
        with pytest.raises(TypeError):
            result.get(timeout=60)
        # then the worker reports it, tagged with the request id and the task, the password masked
        event = wait_for(lambda: receiver.events and receiver.events[0], timeout=60, what="the task's event")
    finally:
        worker.stop()
    assert exception_of(event)["type"] == "TypeError"
    assert event["tags"]["request_id"] == "req-sentry-task-1"
    assert event["tags"]["task"] == "console.ping"
    assert event["extra"]["celery-job"]["kwargs"]["password"] == "***"
    assert "hunter2" not in json.dumps(event)


@pytest.mark.django_db
def test_it_starts_nothing_without_a_dsn(receiver: SentryReceiver, reporting_off: None) -> None:
    # given no SENTRY_DSN (the test settings set none)
    # when the console starts error reporting and a view raises
    started = error_reporting_start(dsn="", environment="test")
    response = Client(raise_request_exception=False).get("/boom/")
    sentry_sdk.flush(timeout=2)
    # then no client is active and nothing was sent
    assert response.status_code == 500
    assert started is False
    assert not sentry_sdk.get_client().is_active()
    assert receiver.events == []


REPR = "<Context: {'kwargs': {'otp': '654321', 'key': 'cat-b'}, 'url': '/x?access_token=t1&page=2'}>"


def test_it_masks_secrets_in_frame_variables_and_extra_with_the_audit_list() -> None:
    # given an event as sentry-sdk builds it, with secrets in a frame's variables, extra, the
    # exception's message and a logged message
    event: Any = {
        "exception": {
            "values": [
                {
                    "value": "GET /x?otp=111222 failed",
                    "stacktrace": {"frames": [{"vars": {"bin_key": "k1", "key": "cat-a", "req": REPR}}]},
                }
            ]
        },
        "extra": {"job": {"client_secret": "s1", "count": 3}},
        "logentry": {
            "message": "sign-in %s",
            "params": ["password=p4ss"],
            "formatted": "sign-in password=p4ss",
        },
        "request": {
            "headers": {"Cookie": "sessionid=abc", "Accept": "text/html"},
            "cookies": {"sessionid": "abc"},
        },
    }
    # when it is scrubbed before sending
    scrubbed: Any = scrub_event(event, {})
    # then the audit's exact names are masked, also inside a repr (a category's ``key`` is data),
    # and so are cookies
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"] == {
        "bin_key": "***",
        "key": "cat-a",
        "req": "<Context: {'kwargs': {'otp': '***', 'key': 'cat-b'}, 'url': '/x?access_token=***&page=2'}>",
    }
    assert scrubbed["extra"] == {"job": {"client_secret": "***", "count": 3}}
    assert scrubbed["exception"]["values"][0]["value"] == "GET /x?otp=*** failed"
    assert "p4ss" not in json.dumps(scrubbed["logentry"])
    assert scrubbed["request"]["headers"] == {"Cookie": "***", "Accept": "text/html"}
    assert scrubbed["request"]["cookies"] == "***"


STARTED = "import django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); print(c.is_active(), c.dsn)"


def started_in_a_process(**env: str) -> list[str]:
    """What a fresh console process (Django set up, as web, worker and beat do) started."""
    environment = child_env(DJANGO_SETTINGS_MODULE="console.settings", **env)
    for name in ("SENTRY_DSN", "SENTRY_DSN_FILE"):
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", STARTED],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_it_reads_the_dsn_from_a_file_and_starts_nothing_without_one(
    receiver: SentryReceiver, tmp_path: Any
) -> None:
    # given a DSN in a file (a Docker secret)
    dsn_file = tmp_path / "sentry_dsn"
    dsn_file.write_text(receiver.dsn + "\n", encoding="utf-8")
    # when a console process starts with SENTRY_DSN_FILE, and another with no DSN at all
    with_file = started_in_a_process(SENTRY_DSN_FILE=str(dsn_file))
    without = started_in_a_process()
    # then the first reports to that DSN and the second has no active client
    assert with_file == ["True", receiver.dsn]
    assert without == ["False", "None"]
