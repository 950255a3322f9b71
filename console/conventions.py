"""Conventions every API view and page follows: input validation through a serializer, dry runs,
ETag / If-Match optimistic concurrency, and reading posted form values. One copy, used by console and
rollout alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from console.errors import InvalidInput, PreconditionRequired

DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="Preview only: nothing is saved; the blast radius is returned"
)


IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag you edited")


def input_valid(
    serializer_class: type[serializers.Serializer], data: Any, partial: bool = False
) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def dry_run_requested(request: Request) -> bool:
    return str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")


def etag_of(obj: Any) -> str:
    return f'"{obj.version}"'


def if_match_version(request: Request) -> int:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            "Send If-Match with the ETag you read, so a concurrent change is not overwritten."
        )
    value = header.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(
            "If-Match must be an ETag from this API.", errors={"If-Match": ["Malformed ETag."]}
        )
    return int(value)


def preview_requested(request: HttpRequest) -> bool:
    return request.POST.get("action", "preview") != "save"


def posted_ids(request: HttpRequest, name: str) -> list[str]:
    return [v for v in request.POST.getlist(name) if v]
