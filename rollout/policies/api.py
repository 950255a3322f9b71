from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import InvalidInput
from console.scoping import READ, WRITE, TenantAPIView
from rollout.desired.changes import (
    DRY_RUN,
    IF_MATCH,
    dry_run_requested,
    etag_of,
    if_match_version,
    input_valid,
    outcome_response,
)
from rollout.models import ContentCategory, ContentUpdatePolicy, SensorUpdatePolicy
from rollout.policies.code import policy_dump, policy_export, policy_import
from rollout.policies.services import (
    content_policy_create,
    content_policy_delete,
    content_policy_reorder,
    content_policy_update,
    sensor_policy_create,
    sensor_policy_delete,
    sensor_policy_reorder,
    sensor_policy_update,
)


def sensor_policy_out(policy: SensorUpdatePolicy) -> dict[str, Any]:
    return {
        "id": str(policy.pk),
        "name": policy.name,
        "platform": policy.platform,
        "target": policy.target,
        "update_blocks": policy.update_blocks,
        "timezone": policy.timezone,
        "uninstall_protection": policy.uninstall_protection,
        "is_default": policy.is_default,
        "precedence": None if policy.is_default else policy.precedence,
        "groups": [{"id": str(g.pk), "name": g.name} for g in policy.groups.all()],
        "version": policy.version,
    }


def content_policy_out(policy: ContentUpdatePolicy) -> dict[str, Any]:
    return {
        "id": str(policy.pk),
        "name": policy.name,
        "category": policy.category.key,
        "mode": policy.mode,
        "windows": [{"id": str(w.pk), "name": w.name} for w in policy.windows.all()],
        "critical_bypass_windows": policy.critical_bypass_windows,
        "is_default": policy.is_default,
        "precedence": None if policy.is_default else policy.precedence,
        "groups": [{"id": str(g.pk), "name": g.name} for g in policy.groups.all()],
        "version": policy.version,
    }


class SensorPolicyIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    platform = serializers.CharField(max_length=16)
    target = serializers.CharField(max_length=48)
    update_blocks = serializers.ListField(
        child=serializers.DictField(), required=False, default=list, max_length=50
    )
    timezone = serializers.CharField(max_length=64, required=False, default="UTC")
    uninstall_protection = serializers.BooleanField(required=False, default=True)
    groups = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)


class SensorPolicyPatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    target = serializers.CharField(max_length=48, required=False)
    update_blocks = serializers.ListField(child=serializers.DictField(), required=False, max_length=50)
    timezone = serializers.CharField(max_length=64, required=False)
    uninstall_protection = serializers.BooleanField(required=False)
    groups = serializers.ListField(child=serializers.CharField(max_length=64), required=False)


class SensorPolicyListView(TenantAPIView):
    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request) -> Response:
        policies = (
            self.get_queryset().prefetch_related("groups").order_by("platform", "is_default", "precedence")
        )
        return Response({"results": [sensor_policy_out(p) for p in policies]})

    @extend_schema(
        request=SensorPolicyIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policies"]
    )
    def post(self, request: Request) -> Response:
        data = input_valid(SensorPolicyIn, request.data)
        outcome = sensor_policy_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            platform=data["platform"],
            target=data["target"],
            update_blocks=data["update_blocks"],
            timezone_name=data["timezone"],
            uninstall_protection=data["uninstall_protection"],
            group_ids=data["groups"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else sensor_policy_out(outcome.obj), status=201
        )


class SensorPolicyDetailView(TenantAPIView):
    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        response = Response(sensor_policy_out(policy))
        response["ETag"] = etag_of(policy)
        return response

    @extend_schema(
        request=SensorPolicyPatchIn,
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["policies"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        expected = if_match_version(request)
        data = input_valid(SensorPolicyPatchIn, request.data, partial=True)
        outcome = sensor_policy_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=expected,
            changes=data,
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else sensor_policy_out(outcome.obj))

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["policies"])
    def delete(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        outcome = sensor_policy_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None)


class SensorOrderIn(serializers.Serializer):
    platform = serializers.CharField(max_length=16)
    order = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000)


class SensorPolicyPrecedenceView(TenantAPIView):
    """Sets the precedence of one platform's sensor policies: ``order`` lists them all, first wins."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"PUT": WRITE}

    @extend_schema(
        request=SensorOrderIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policies"]
    )
    def put(self, request: Request) -> Response:
        data = input_valid(SensorOrderIn, request.data)
        outcome = sensor_policy_reorder(
            tenant=self.tenant,
            actor=self.ctx.actor,
            platform=data["platform"],
            order=data["order"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else [sensor_policy_out(p) for p in outcome.obj]
        )


class ContentPolicyIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    category = serializers.CharField(max_length=64)
    mode = serializers.CharField(max_length=48)
    windows = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    critical_bypass_windows = serializers.BooleanField(required=False, default=True)
    groups = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)


class ContentPolicyPatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    mode = serializers.CharField(max_length=48, required=False)
    windows = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    critical_bypass_windows = serializers.BooleanField(required=False)
    groups = serializers.ListField(child=serializers.CharField(max_length=64), required=False)


def _category(key: str) -> ContentCategory:
    category = ContentCategory.objects.filter(key=key).first()
    if category is None:
        raise InvalidInput(
            "Unknown content category.", errors={"category": [f"Unknown content category {key!r}."]}
        )
    return category


class ContentPolicyListView(TenantAPIView):
    queryset = ContentUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request) -> Response:
        policies = (
            self.get_queryset()
            .select_related("category")
            .prefetch_related("groups", "windows")
            .order_by("category__key", "is_default", "precedence")
        )
        return Response({"results": [content_policy_out(p) for p in policies]})

    @extend_schema(
        request=ContentPolicyIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policies"]
    )
    def post(self, request: Request) -> Response:
        data = input_valid(ContentPolicyIn, request.data)
        outcome = content_policy_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            category=_category(data["category"]),
            mode=data["mode"],
            window_ids=data["windows"],
            critical_bypass_windows=data["critical_bypass_windows"],
            group_ids=data["groups"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else content_policy_out(outcome.obj), status=201
        )


class ContentPolicyDetailView(TenantAPIView):
    queryset = ContentUpdatePolicy.objects.select_related("category")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        response = Response(content_policy_out(policy))
        response["ETag"] = etag_of(policy)
        return response

    @extend_schema(
        request=ContentPolicyPatchIn,
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["policies"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        expected = if_match_version(request)
        data = input_valid(ContentPolicyPatchIn, request.data, partial=True)
        outcome = content_policy_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=expected,
            changes=data,
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else content_policy_out(outcome.obj))

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["policies"])
    def delete(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        outcome = content_policy_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None)


class ContentOrderIn(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    order = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000)


class ContentPolicyPrecedenceView(TenantAPIView):
    queryset = ContentUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"PUT": WRITE}

    @extend_schema(
        request=ContentOrderIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policies"]
    )
    def put(self, request: Request) -> Response:
        data = input_valid(ContentOrderIn, request.data)
        outcome = content_policy_reorder(
            tenant=self.tenant,
            actor=self.ctx.actor,
            category=_category(data["category"]),
            order=data["order"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else [content_policy_out(p) for p in outcome.obj]
        )


class PolicyExportView(TenantAPIView):
    """The tenant's groups, policies (in precedence order), windows and freezes as YAML or JSON."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ``format`` names the document format here, not a DRF renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["yaml", "json"])],
        responses={
            (200, "application/yaml"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        tags=["policy as code"],
    )
    def get(self, request: Request) -> HttpResponse:

        fmt = request.query_params.get("format", "yaml")
        if fmt not in ("yaml", "json"):
            raise InvalidInput("Unknown format.", errors={"format": ["Use yaml or json."]})
        text = policy_dump(policy_export(self.tenant), fmt)
        content_type = "application/json" if fmt == "json" else "application/yaml"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.tenant.slug}-policy.{fmt}"'
        return response


class ImportIn(serializers.Serializer):
    document = serializers.CharField(max_length=2 * 1024 * 1024, help_text="YAML or JSON, as exported")


class PolicyImportView(TenantAPIView):
    """Plans (``?dry_run=true``) or applies a policy document atomically, with its blast radius."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": WRITE}

    @extend_schema(
        request=ImportIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policy as code"]
    )
    def post(self, request: Request) -> Response:

        data = input_valid(ImportIn, request.data)
        plan = policy_import(
            tenant=self.tenant,
            actor=self.ctx.actor,
            text=data["document"],
            dry_run=dry_run_requested(request),
        )
        return Response({"dry_run": dry_run_requested(request), **plan.as_dict()})
