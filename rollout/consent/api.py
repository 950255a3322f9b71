from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import NotFound
from console.models import Tenant
from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.schema import results_of
from console.scoping import ADMIN, READ, TenantAPIView, VendorAPIView
from rollout.consent.services import (
    DEFAULT_HOURS,
    MAX_HOURS,
    override_approve,
    override_decline,
    override_request_create,
    override_rule_create,
    override_rule_revoke,
    override_state_at,
)
from rollout.desired.changes import DRY_RUN, dry_run_requested, input_valid, outcome_of, outcome_response
from rollout.models import ContentRelease, OverrideKind, OverrideRequest, OverrideRule


def request_out(request: OverrideRequest) -> dict[str, Any]:
    return {
        "id": str(request.pk),
        "tenant": request.tenant.slug,
        "category": request.release.category.key,
        "version": request.release.version,
        "critical": request.release.critical,
        "overrides": list(request.overrides),
        "reason": request.reason,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "state": override_state_at(request, timezone.now()),
        "expires_at": request.expires_at.isoformat(),
        "decided_by": request.decided_by or None,
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "rule": str(request.rule_id) if request.rule_id else None,
    }


def rule_out(rule: OverrideRule) -> dict[str, Any]:
    return {
        "id": str(rule.pk),
        "categories": list(rule.categories),
        "overrides": list(rule.overrides),
        "until": rule.until.isoformat(),
        "reason": rule.reason,
        "created_by": rule.created_by,
        "created_at": rule.created_at.isoformat(),
        "revoked_at": rule.revoked_at.isoformat() if rule.revoked_at else None,
        "revoked_by": rule.revoked_by or None,
        "live": rule.revoked_at is None and rule.until > timezone.now(),
    }


class OverrideRequestOut(serializers.Serializer):
    id = serializers.UUIDField()
    tenant = serializers.CharField(help_text="The tenant's slug.")
    category = serializers.CharField()
    version = serializers.CharField()
    critical = serializers.BooleanField(help_text="Whether the vendor marked the release critical.")
    overrides = serializers.ListField(
        child=serializers.ChoiceField(choices=OverrideKind.choices),
        help_text="What the release is asked to pass: `freeze`, `window`.",
    )
    reason = serializers.CharField()
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    state = serializers.CharField(help_text="pending, approved, declined or expired.")
    expires_at = serializers.DateTimeField(help_text="The request, and an approval, end then.")
    decided_by = serializers.CharField(allow_null=True, help_text="The admin, or the standing rule.")
    decided_at = serializers.DateTimeField(allow_null=True)
    rule = serializers.UUIDField(allow_null=True, help_text="The standing rule that approved it.")


class OverrideRuleOut(serializers.Serializer):
    id = serializers.UUIDField()
    categories = serializers.ListField(child=serializers.CharField(), help_text="Empty: every category.")
    overrides = serializers.ListField(child=serializers.ChoiceField(choices=OverrideKind.choices))
    until = serializers.DateTimeField()
    reason = serializers.CharField()
    created_by = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_by = serializers.CharField(allow_null=True)
    live = serializers.BooleanField(help_text="Not revoked and not past `until`.")


OverrideOutcome = outcome_of(OverrideRequestOut, "OverrideOutcome")


class OverrideRuleIn(serializers.Serializer):
    overrides = serializers.ListField(child=serializers.CharField(max_length=16), max_length=4)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=50, required=False, default=list
    )
    until = serializers.DateTimeField()
    reason = serializers.CharField(max_length=300)


class VendorOverrideIn(serializers.Serializer):
    tenant = serializers.SlugField(max_length=64, help_text="The tenant's slug.")
    overrides = serializers.ListField(child=serializers.CharField(max_length=16), max_length=4)
    reason = serializers.CharField(max_length=300)
    hours = serializers.IntegerField(
        min_value=1,
        max_value=MAX_HOURS,
        required=False,
        default=DEFAULT_HOURS,
        help_text="How long it stands.",
    )


_REQUESTS = OverrideRequest.objects.select_related("tenant", "release__category")


class OverrideRequestListView(TenantAPIView):
    queryset = _REQUESTS
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        summary="List vendor override requests",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(OverrideRequestOut, "OverrideRequestPage"),
        tags=["overrides"],
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, self.get_queryset(), ordering=("-requested_at", "id"), present=request_out
        )


class OverrideApproveView(TenantAPIView):
    """A tenant admin consents to a vendor override request."""

    queryset = _REQUESTS
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Approve a vendor override request",
        request=None,
        responses=OverrideOutcome,
        parameters=[DRY_RUN],
        tags=["overrides"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        outcome = override_approve(
            tenant=self.tenant,
            actor=self.ctx.actor,
            request=self.get_object(),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else request_out(outcome.obj))


class OverrideDeclineView(TenantAPIView):
    """A tenant admin declines a vendor override request: nothing changes."""

    queryset = _REQUESTS
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Decline a vendor override request",
        request=None,
        responses=OverrideRequestOut,
        tags=["overrides"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        declined = override_decline(tenant=self.tenant, actor=self.ctx.actor, request=self.get_object())
        return Response(request_out(declined))


class OverrideRuleListView(TenantAPIView):
    queryset = OverrideRule.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    @extend_schema(
        summary="List standing override rules",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(OverrideRuleOut, "OverrideRulePage"),
        tags=["overrides"],
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, self.get_queryset(), ordering=("-created_at", "id"), present=rule_out)

    @extend_schema(
        summary="Create a standing override rule",
        request=OverrideRuleIn,
        responses={201: OverrideRuleOut},
        tags=["overrides"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(OverrideRuleIn, request.data)
        rule = override_rule_create(tenant=self.tenant, actor=self.ctx.actor, **data)
        return Response(rule_out(rule), status=201)


class OverrideRuleRevokeView(TenantAPIView):
    queryset = OverrideRule.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(
        summary="Revoke a standing override rule", request=None, responses=OverrideRuleOut, tags=["overrides"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        rule = override_rule_revoke(tenant=self.tenant, actor=self.ctx.actor, rule=self.get_object())
        return Response(rule_out(rule))


def _release(pk: Any) -> ContentRelease:
    release = ContentRelease.objects.select_related("category").filter(pk=pk).first()
    if release is None:
        raise NotFound()
    return release


class VendorOverrideRequestView(VendorAPIView):
    """Release engineering asks a tenant to let a release past its freeze or windows."""

    @extend_schema(
        summary="List a release's override requests",
        responses=results_of(OverrideRequestOut, "VendorOverrideRequestList"),
        tags=["vendor"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        rows = _REQUESTS.filter(release=release).order_by("-requested_at", "pk")[:500]
        return Response({"results": [request_out(r) for r in rows]})

    @extend_schema(
        summary="Request a vendor override from a tenant",
        request=VendorOverrideIn,
        responses={201: OverrideRequestOut},
        tags=["vendor"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        release = _release(pk)
        data = input_valid(VendorOverrideIn, request.data)
        tenant = Tenant.objects.filter(slug=data.pop("tenant")).first()
        if tenant is None:
            raise NotFound("No such tenant.")
        created = override_request_create(tenant=tenant, actor=self.actor, release=release, **data)
        return Response(request_out(created), status=201)
