from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import ApplicationError, InvalidInput, PreconditionFailed, PreconditionRequired
from console.models import Tenant
from console.scoping import TenantPageMixin
from rollout.desired.blast import BlastRadius, blast_measure, blast_measure_many
from rollout.desired.outbox import outbox_enqueue

T = TypeVar("T")


@dataclass
class Outcome:
    """What a change did (or, in a dry run, would do)."""

    obj: Any
    blast: BlastRadius
    dry_run: bool


def enqueue_all_tenants(reason: str) -> None:
    """A catalog change can move hosts of every tenant: one outbox row per tenant."""
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        outbox_enqueue(tenant_id=tenant_id, reason=reason)


def measure(
    tenant: Tenant,
    change: Callable[[], T],
    *,
    dry_run: bool,
    reason: str = "",
    members_unchanged: bool = False,
) -> tuple[T, BlastRadius]:
    """``rollout.blast.measure`` plus an outbox row for the tenant in the same savepoint (so a dry
    run, rolled back, enqueues nothing). ``members_unchanged``: policies, precedence and windows,
    which move no host between groups, are measured from the stored desired state."""

    def enqueuing() -> T:
        result = change()
        outbox_enqueue(tenant_id=tenant.pk, reason=reason or change.__qualname__.split(".")[0])
        return result

    return blast_measure(tenant, enqueuing, dry_run=dry_run, members_unchanged=members_unchanged)


def measure_many(
    tenants: Sequence[Tenant], change: Callable[[], T], *, dry_run: bool
) -> tuple[T, dict[str, BlastRadius]]:
    def enqueuing() -> T:
        result = change()
        for tenant in tenants:
            outbox_enqueue(tenant_id=tenant.pk, reason=change.__qualname__.split(".")[0])
        return result

    return blast_measure_many(tenants, enqueuing, dry_run=dry_run)


def run_measured(tenant: Tenant, change: Callable[[], T], *, dry_run: bool) -> tuple[T, BlastRadius]:
    """For composite changes (policy-as-code import): one savepoint, one blast radius."""
    return measure(tenant, change, dry_run=dry_run)


def blast_out(blast: BlastRadius) -> dict[str, Any]:
    return {**blast.as_dict(), "summary": blast.summary()}


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
    if not value.isdigit():
        raise InvalidInput(
            "If-Match must be an ETag from this API.", errors={"If-Match": ["Malformed ETag."]}
        )
    return int(value)


def outcome_response(outcome: Outcome, present: Any, status: int = 200) -> Response:
    body = {"dry_run": outcome.dry_run, "blast_radius": blast_out(outcome.blast)}
    if present is not None:
        body["object"] = present
    response = Response(body, status=200 if outcome.dry_run else status)
    if not outcome.dry_run and hasattr(outcome.obj, "version") and outcome.obj.pk:
        response["ETag"] = etag_of(outcome.obj)
    return response


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)

    class Meta:
        ref_name = "FreezeReason"  # rollout.api_rollouts has its own ReasonIn


STALE_MESSAGE = (
    "Someone else changed this while you were editing. Their version is shown below; apply your change again."
)


def attempt(fn: Callable[[], Outcome]) -> tuple[Outcome | None, dict[str, list[str]], str]:
    """(outcome, field errors, general error) of a service call made from a form."""
    try:
        return fn(), {}, ""
    except PreconditionFailed:
        return None, {}, STALE_MESSAGE
    except ApplicationError as exc:
        return None, exc.errors, exc.detail if not exc.errors else ""


def preview_requested(request: HttpRequest) -> bool:
    return request.POST.get("action", "preview") != "save"


def posted_ids(request: HttpRequest, name: str) -> list[str]:
    return [v for v in request.POST.getlist(name) if v]


class RolloutPage(TenantPageMixin, View):
    template_name = ""

    def page(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(request, self.template_name, context, status=status)
