"""Error reporting to Sentry: sentry-sdk with the Django and Celery integrations, on only with a DSN.

``ConsoleConfig.ready`` calls ``error_reporting_start`` with ``SENTRY_DSN`` (or the file
``SENTRY_DSN_FILE`` names), ``SENTRY_ENVIRONMENT`` and ``SENTRY_RELEASE`` in every process (web,
worker, beat); without a DSN nothing is initialised and nothing leaves the process. Before an event
leaves, ``scrub_event`` masks what could hold a secret, with the audit's own exact list
(``console.audit.SECRET_FIELD_NAMES``) at any depth of the request body, query string, extra data
and stack-frame variables, and replaces credential headers (Authorization, Cookie, X-Api-Key, ...)
by ``***``. The user's identity is not collected (sentry-sdk 3's ``data_collection`` with
``user_info`` off, which replaced ``send_default_pii``). The request id, tenant id and task id of
the context ``console.logs`` keeps become tags, so an event can be matched with its log lines.
"""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from console.audit import SECRET_FIELD_NAMES, redact
from console.logs import log_context

MASK = "***"
# Request headers whose value is a credential, compared lower-case with ``_`` read as ``-``.
SECRET_HEADER_NAMES: frozenset[str] = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-csrftoken",
        "x-signature",
        "webhook-signature",
    }
)
# A secret name inside any string, as ``name=value`` (a request's repr names its URL) or as a
# quoted mapping key (``'password': 'x'`` in a task context's repr), has its value masked.
_NAMES = "|".join(sorted(map(re.escape, SECRET_FIELD_NAMES)))
_SECRET_PAIR = re.compile(r"(?<![A-Za-z0-9_])(" + _NAMES + r")=([^&\s'\"<>]+)", re.IGNORECASE)
_SECRET_ITEM = re.compile(
    r"""(['"])(""" + _NAMES + r""")\1(\s*:\s*)(['"])(?:\\.|(?!\4).)*(?:\4|$)""", re.IGNORECASE
)
# Context fields sent as tags (bounded, searchable); the actor stays out (it names a person).
TAG_FIELDS = ("request_id", "tenant_id", "task", "task_id")


def error_reporting_start(*, dsn: str, environment: str, release: str = "") -> bool:
    """Starts sentry-sdk when ``dsn`` is set; says whether it did. Without a DSN nothing happens."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No user identity, no cookies, no SQL parameters (a session lookup's parameter is the key).
        data_collection={"user_info": False, "cookies": {"mode": "off"}, "database_query_data": False},
        before_send=scrub_event,
        traces_sample_rate=None,
    )
    return True


def _is_secret_header(name: Any) -> bool:
    return str(name).lower().replace("_", "-") in SECRET_HEADER_NAMES


def _masked(value: Any) -> Any:
    return MASK if value not in (None, "") else value


def _scrub_query(query: Any) -> Any:
    if not isinstance(query, str) or not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, MASK if k.lower() in SECRET_FIELD_NAMES and v else v) for k, v in pairs])


def _scrub_request(request: dict[str, Any]) -> None:
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            k: (_masked(v) if _is_secret_header(k) else v) for k, v in redact(headers).items()
        }
    if "cookies" in request:
        request["cookies"] = MASK
    if isinstance(request.get("data"), (dict, list)):
        request["data"] = redact(request["data"])
    request["query_string"] = _scrub_query(request.get("query_string"))
    url = request.get("url")
    if isinstance(url, str) and "?" in url:
        base, _, query = url.partition("?")
        request["url"] = f"{base}?{_scrub_query(query)}"


def _scrub_strings(value: Any) -> Any:
    """Secret-named keys masked (the audit's rule) and ``secret=value`` pairs inside strings too."""
    if isinstance(value, str):
        value = _SECRET_PAIR.sub(lambda match: f"{match.group(1)}={MASK}", value)
        return _SECRET_ITEM.sub(
            lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MASK}{m.group(4)}", value
        )
    if isinstance(value, dict):
        return {k: _scrub_strings(v) for k, v in redact(value).items()}
    if isinstance(value, list):
        return [_scrub_strings(v) for v in value]
    return value


def _scrub_frames(event: dict[str, Any]) -> None:
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = _scrub_strings(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            if isinstance(frame.get("vars"), dict):
                frame["vars"] = _scrub_strings(frame["vars"])


def scrub_event(sentry_event: Event, hint: Hint) -> Event:
    """``before_send``: secrets masked by the audit's field list, the log context added as tags."""
    event = cast(dict[str, Any], sentry_event)
    if isinstance(event.get("request"), dict):
        _scrub_request(event["request"])
    if isinstance(event.get("extra"), dict):
        event["extra"] = _scrub_strings(event["extra"])
    _scrub_frames(event)
    for key in ("breadcrumbs", "logentry", "message"):
        if event.get(key):
            event[key] = _scrub_strings(event[key])
    context = log_context()
    tags = event.setdefault("tags", {})
    for field in TAG_FIELDS:
        if context.get(field):
            tags.setdefault(field, context[field])
    return sentry_event
