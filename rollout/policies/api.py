from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import F, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import InvalidInput
from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.scoping import READ, WRITE, TenantAPIView
from rollout.desired.changes import (
    DRY_RUN,
    IF_MATCH,
    DeleteOutcome,
    dry_run_requested,
    etag_of,
    if_match_version,
    input_valid,
    outcome_of,
    outcome_response,
)
from rollout.models import ContentCategory, ContentUpdatePolicy, SensorUpdatePolicy
from rollout.policies.services import (
    CONTENT,
    SENSOR,
    PolicyKind,
    policy_create,
    policy_delete,
    policy_reorder,
    policy_update,
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


class NamedRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class SensorPolicyOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    platform = serializers.CharField()
    target = serializers.CharField(help_text="n, n-1, n-2, pinned:<build> or off.")
    update_blocks = serializers.ListField(
        child=serializers.DictField(), help_text="Times sensor updates are prohibited."
    )
    timezone = serializers.CharField()
    uninstall_protection = serializers.BooleanField()
    is_default = serializers.BooleanField()
    precedence = serializers.IntegerField(allow_null=True, help_text="Null for the default policy.")
    groups = NamedRefOut(many=True)
    version = serializers.IntegerField()


class ContentPolicyOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    category = serializers.CharField()
    mode = serializers.CharField(help_text="early_access, ga, ga+<hours>, pinned:<version> or paused.")
    windows = NamedRefOut(many=True)
    critical_bypass_windows = serializers.BooleanField()
    is_default = serializers.BooleanField()
    precedence = serializers.IntegerField(allow_null=True, help_text="Null for the default policy.")
    groups = NamedRefOut(many=True)
    version = serializers.IntegerField()


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


class SensorOrderIn(serializers.Serializer):
    platform = serializers.CharField(max_length=16)
    order = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000)


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


class ContentOrderIn(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    order = serializers.ListField(child=serializers.CharField(max_length=64), max_length=1000)


class PolicyAPI(TenantAPIView):
    # The policy endpoints of one kind: ``kind`` drives the shared write path in ``services``; the
    # hooks below are what the two kinds' API says differently. (A comment, not a docstring: the
    # OpenAPI description of each endpoint stays its own.)
    kind: ClassVar[PolicyKind]
    create_in: ClassVar[type[serializers.Serializer]]
    patch_in: ClassVar[type[serializers.Serializer]]
    order_in: ClassVar[type[serializers.Serializer]]
    # Precedence order per platform or category: the first field decides the page cursor.
    ordering: ClassVar[tuple[str, ...]]

    def policy_out(self, policy: Any) -> dict[str, Any]:
        raise NotImplementedError

    def listed(self, policies: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def scope_in(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def fields_in(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class SensorPolicyAPI(PolicyAPI):
    kind = SENSOR
    create_in = SensorPolicyIn
    patch_in = SensorPolicyPatchIn
    order_in = SensorOrderIn

    ordering = ("platform", "is_default", "precedence", "id")

    def policy_out(self, policy: Any) -> dict[str, Any]:
        return sensor_policy_out(policy)

    def listed(self, policies: QuerySet[Any]) -> QuerySet[Any]:
        return policies.prefetch_related("groups")

    def scope_in(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"platform": data["platform"]}

    def fields_in(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "target": data["target"],
            "update_blocks": data["update_blocks"],
            "timezone": data["timezone"],
            "uninstall_protection": data["uninstall_protection"],
        }


class ContentPolicyAPI(PolicyAPI):
    kind = CONTENT
    create_in = ContentPolicyIn
    patch_in = ContentPolicyPatchIn
    order_in = ContentOrderIn

    ordering = ("category_key", "is_default", "precedence", "id")

    def policy_out(self, policy: Any) -> dict[str, Any]:
        return content_policy_out(policy)

    def listed(self, policies: QuerySet[Any]) -> QuerySet[Any]:
        # The page cursor reads its first field off each policy: the category key as an attribute.
        return (
            policies.select_related("category")
            .prefetch_related("groups", "windows")
            .annotate(category_key=F("category__key"))
        )

    def scope_in(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"category": _category(data["category"])}

    def fields_in(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"mode": data["mode"], "critical_bypass_windows": data["critical_bypass_windows"]}


class PolicyListView(PolicyAPI):
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def get(self, request: Request) -> Response:
        return paginated(
            request, self, self.listed(self.get_queryset()), ordering=self.ordering, present=self.policy_out
        )

    def post(self, request: Request) -> Response:
        data = input_valid(self.create_in, request.data)
        scope = self.scope_in(data)
        outcome = policy_create(
            self.kind,
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            scope=scope,
            fields=self.fields_in(data),
            group_ids=data["groups"],
            window_ids=data.get("windows"),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else self.policy_out(outcome.obj), status=201
        )


class PolicyDetailView(PolicyAPI):
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    def get(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        response = Response(self.policy_out(policy))
        response["ETag"] = etag_of(policy)
        return response

    def patch(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        expected = if_match_version(request)
        data = input_valid(self.patch_in, request.data, partial=True)
        outcome = policy_update(
            self.kind,
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=expected,
            changes=data,
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None if outcome.dry_run else self.policy_out(outcome.obj))

    def delete(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        outcome = policy_delete(
            self.kind,
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None)


class PolicyPrecedenceView(PolicyAPI):
    scope_map: ClassVar[dict[str, str]] = {"PUT": WRITE}

    def put(self, request: Request) -> Response:
        data = input_valid(self.order_in, request.data)
        outcome = policy_reorder(
            self.kind,
            tenant=self.tenant,
            actor=self.ctx.actor,
            scope=self.scope_in(data),
            order=data["order"],
            dry_run=dry_run_requested(request),
        )
        return outcome_response(
            outcome, None if outcome.dry_run else [self.policy_out(p) for p in outcome.obj]
        )


def _list_schema(
    create_in: type[serializers.Serializer], out: type[serializers.Serializer], what: str
) -> dict[str, Any]:
    name = out.__name__.removesuffix("Out")
    outcome = outcome_of(out, f"{name}Outcome")
    return {
        "get": extend_schema(
            summary=f"List {what} policies",
            description="In precedence order per platform or category, the default last.",
            parameters=CURSOR_PARAMETERS,
            responses=page_of(out, f"{name}Page"),
            tags=["policies"],
        ),
        "post": extend_schema(
            summary=f"Create a {what} policy",
            request=create_in,
            responses={200: outcome, 201: outcome},
            parameters=[DRY_RUN],
            tags=["policies"],
        ),
    }


def _detail_schema(
    patch_in: type[serializers.Serializer], out: type[serializers.Serializer], what: str
) -> dict[str, Any]:
    name = out.__name__.removesuffix("Out")
    return {
        "get": extend_schema(summary=f"Get a {what} policy", responses=out, tags=["policies"]),
        "patch": extend_schema(
            summary=f"Update a {what} policy",
            request=patch_in,
            responses=outcome_of(out, f"{name}Outcome"),
            parameters=[DRY_RUN, IF_MATCH],
            tags=["policies"],
        ),
        "delete": extend_schema(
            summary=f"Delete a {what} policy",
            responses={200: DeleteOutcome},
            parameters=[DRY_RUN, IF_MATCH],
            tags=["policies"],
        ),
    }


def _precedence_schema(
    order_in: type[serializers.Serializer], out: type[serializers.Serializer], what: str
) -> dict[str, Any]:
    name = out.__name__.removesuffix("Out")
    return {
        "put": extend_schema(
            summary=f"Set the precedence of {what} policies",
            request=order_in,
            responses=outcome_of(out, f"{name}PrecedenceOutcome", many=True),
            parameters=[DRY_RUN],
            tags=["policies"],
        )
    }


@extend_schema_view(**_list_schema(SensorPolicyIn, SensorPolicyOut, "sensor"))
class SensorPolicyListView(SensorPolicyAPI, PolicyListView):
    queryset = SensorUpdatePolicy.objects.all()


@extend_schema_view(**_detail_schema(SensorPolicyPatchIn, SensorPolicyOut, "sensor"))
class SensorPolicyDetailView(SensorPolicyAPI, PolicyDetailView):
    queryset = SensorUpdatePolicy.objects.all()


@extend_schema_view(**_precedence_schema(SensorOrderIn, SensorPolicyOut, "sensor"))
class SensorPolicyPrecedenceView(SensorPolicyAPI, PolicyPrecedenceView):
    """Sets the precedence of one platform's sensor policies: ``order`` lists them all, first wins."""

    queryset = SensorUpdatePolicy.objects.all()


@extend_schema_view(**_list_schema(ContentPolicyIn, ContentPolicyOut, "content"))
class ContentPolicyListView(ContentPolicyAPI, PolicyListView):
    queryset = ContentUpdatePolicy.objects.all()


@extend_schema_view(**_detail_schema(ContentPolicyPatchIn, ContentPolicyOut, "content"))
class ContentPolicyDetailView(ContentPolicyAPI, PolicyDetailView):
    queryset = ContentUpdatePolicy.objects.select_related("category")


@extend_schema_view(**_precedence_schema(ContentOrderIn, ContentPolicyOut, "content"))
class ContentPolicyPrecedenceView(ContentPolicyAPI, PolicyPrecedenceView):
    queryset = ContentUpdatePolicy.objects.all()
