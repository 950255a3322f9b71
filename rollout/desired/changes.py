"""A measured change: what it did (``Outcome``, with its blast radius), the outbox row it records,
and how an API view or a page reports it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from rest_framework import serializers
from rest_framework.response import Response

from console.conventions import (  # noqa: F401 - the API and pages of every package take them from here too
    DRY_RUN,
    IF_MATCH,
    dry_run_requested,
    etag_of,
    if_match_version,
    input_valid,
    posted_ids,
    preview_requested,
)
from console.errors import ApplicationError, PreconditionFailed
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


def outcome_response(outcome: Outcome, present: Any, status: int = 200) -> Response:
    body = {"dry_run": outcome.dry_run, "blast_radius": blast_out(outcome.blast)}
    if present is not None:
        body["object"] = present
    response = Response(body, status=200 if outcome.dry_run else status)
    if not outcome.dry_run and hasattr(outcome.obj, "version") and outcome.obj.pk:
        response["ETag"] = etag_of(outcome.obj)
    return response


class BlastChangeOut(serializers.Serializer):
    subject = serializers.CharField(help_text="`sensor` or a content category key.")
    platform = serializers.CharField()
    group = serializers.CharField()
    from_ = serializers.CharField(help_text="The target before the change.")
    to = serializers.CharField(help_text="The target after the change.")
    hosts = serializers.IntegerField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class BlastRadiusOut(serializers.Serializer):
    hosts_total = serializers.IntegerField()
    hosts_changing = serializers.IntegerField()
    changes = BlastChangeOut(many=True)
    by_platform = serializers.DictField(child=serializers.IntegerField())
    by_group = serializers.DictField(child=serializers.IntegerField())
    summary = serializers.CharField()


_OUTCOMES: dict[str, type[serializers.Serializer]] = {}


def outcome_of(
    obj: type[serializers.Serializer] | None, name: str, *, many: bool = False
) -> type[serializers.Serializer]:
    """The answer of ``outcome_response``: ``dry_run``, ``blast_radius`` and, unless a dry run or a
    delete, the changed ``object`` (``obj``; a list of them when ``many``). One class per name (the
    list and the detail view of a kind share their component)."""
    if name in _OUTCOMES:
        return _OUTCOMES[name]
    fields: dict[str, Any] = {
        "dry_run": serializers.BooleanField(),
        "blast_radius": BlastRadiusOut(),
    }
    if obj is not None:
        fields["object"] = obj(many=many, required=False, help_text="Absent in a dry run.")
    _OUTCOMES[name] = type(name, (serializers.Serializer,), fields)
    return _OUTCOMES[name]


DeleteOutcome = outcome_of(None, "DeleteOutcome")


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


class RolloutPage(TenantPageMixin, View):
    template_name = ""

    def page(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(request, self.template_name, context, status=status)
