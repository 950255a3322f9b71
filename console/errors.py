"""One family of domain errors and the one handler that turns them into problem+json (RFC 9457).

Services raise ``ApplicationError`` subclasses; API views never build error responses by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status and a title."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    code = "invalid"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: dict[str, list[str]] | None = None,
        codes: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}
        # A machine code per field error (parallel to ``errors``); the class's code by default.
        self.codes = codes or {}
        self.extra = extra


class InvalidInput(ApplicationError):
    """Input that fails validation; ``errors`` maps each bad field to its messages."""

    status = 400
    title = "Invalid input"
    type_slug = "invalid-input"


class NotFound(ApplicationError):
    """Missing object, or another tenant's (the two are indistinguishable on purpose)."""

    status = 404
    title = "Not found"
    type_slug = "not-found"
    code = "not_found"


class Forbidden(ApplicationError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"
    code = "forbidden"


class Conflict(ApplicationError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"
    code = "conflict"


class PreconditionFailed(ApplicationError):
    """A write based on a stale version (If-Match did not match)."""

    status = 412
    title = "Precondition failed"
    type_slug = "precondition-failed"
    code = "stale"


class PreconditionRequired(ApplicationError):
    status = 428
    title = "Precondition required"
    type_slug = "precondition-required"
    code = "required"


class ServiceUnavailable(ApplicationError):
    status = 503
    title = "Service unavailable"
    type_slug = "service-unavailable"
    code = "unavailable"

    def __init__(self, detail: str = "", *, retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str = "about:blank",
    errors: dict[str, list[str]] | None = None,
    codes: dict[str, list[str]] | None = None,
    default_code: str = "invalid",
    instance: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An RFC 9457 body (the ``Problem`` component of the OpenAPI schema). ``errors`` maps each bad
    field to its messages and ``codes`` to one machine code per message, in the same order."""
    body: dict[str, Any] = {
        "type": type_slug if type_slug == "about:blank" else f"/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
        codes = codes or {}
        body["codes"] = {
            field: _codes_for(messages, codes.get(field), default_code) for field, messages in errors.items()
        }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def _codes_for(messages: list[str], codes: list[str] | None, default: str) -> list[str]:
    codes = [str(c) for c in (codes or [])]
    return [codes[i] if i < len(codes) else default for i in range(len(messages))]


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error details (nested dicts/lists) to ``{"field.sub": ["message", ...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and not prefix:
                name = "__all__"
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "__all__"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]").items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "__all__"] = [str(detail)]
    return out


def problem_response(exc: ApplicationError, request_path: str | None = None) -> Response:
    body = problem(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        errors=exc.errors,
        codes=exc.codes,
        default_code=exc.code,
        instance=request_path,
        **exc.extra,
    )
    response = Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after)
    return response


def dependency_outage(exc: Exception) -> str | None:
    """Names the dependency a connection-level failure came from (a 503, not a 500 bug)."""
    from django.db import InterfaceError, OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return "message store"
    return None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every error the API returns is problem+json."""
    request = context.get("request")
    path = request.path if request is not None else None
    if isinstance(exc, ApplicationError):
        return problem_response(exc, path)
    outage = dependency_outage(exc)
    if outage:
        logger.warning("%s unavailable answering %s: %s", outage, path, type(exc).__name__)
        return problem_response(
            ServiceUnavailable(f"The {outage} is unavailable; retry shortly. Nothing was accepted."), path
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
            codes = {
                field: [e.code or "invalid" for e in items for _ in e.messages]
                for field, items in exc.error_dict.items()
            }
        else:
            errors = {"__all__": list(exc.messages)}
            codes = {"__all__": [e.code or "invalid" for e in exc.error_list for _ in e.messages]}
        return problem_response(
            InvalidInput("The request has invalid fields.", errors=errors, codes=codes), path
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    status = response.status_code
    if isinstance(exc, drf_exceptions.ValidationError):
        body = problem(
            status,
            "Invalid input",
            "The request has invalid fields.",
            type_slug="invalid-input",
            errors=_flatten(exc.detail),
            codes=_flatten(exc.get_codes()),
            instance=path,
        )
    elif isinstance(exc, drf_exceptions.ParseError):
        body = problem(
            status,
            getattr(exc, "problem_title", "Malformed request body"),
            str(exc.detail),
            type_slug="malformed",
            instance=path,
            **getattr(exc, "problem_extra", {}),
        )
    else:
        detail = getattr(exc, "detail", str(exc))
        title = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
            406: "Not acceptable",
            415: "Unsupported media type",
            429: "Too many requests",
        }.get(status, "Error")
        body = problem(status, title, str(detail), instance=path)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def json_problem(request: HttpRequest, status: int, title: str, detail: str) -> JsonResponse:
    """A problem+json response outside DRF (Django's 404/500 handlers on API paths, middleware)."""
    return JsonResponse(
        problem(status, title, detail, instance=request.path),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
