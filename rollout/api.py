"""REST API: the vendor catalog (vendor credentials) and each tenant's update control.

Writes accept ``?dry_run=true``: nothing is saved and the answer is the blast radius the save would
have. Versioned objects answer ``ETag``; PATCH and DELETE need ``If-Match`` (428 without, 412 stale).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import Actor
from console.errors import InvalidInput, NotFound, PreconditionRequired
from console.scoping import ADMIN, OPERATE, READ, WRITE, TenantAPIView, VendorAPIView
from rollout import selectors, services
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    MaintenanceWindow,
    Pause,
    SensorBuild,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.presenters import (
    ZERO_MATCH_WARNING,
    blast_out,
    build_out,
    category_out,
    content_policy_out,
    freeze_out,
    group_out,
    pause_out,
    release_out,
    resolution_out,
    sensor_policy_out,
    template_out,
    window_out,
)
from rollout.recurrence import Recurrence, next_occurrences
from telemetry.models import Host, Platform

DEFAULTS_ACTOR = Actor.system("rollout defaults")
DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="Preview only: nothing is saved; the blast radius is returned"
)
IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag you edited")


def _valid(
    serializer_class: type[serializers.Serializer], data: Any, partial: bool = False
) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _dry_run(request: Request) -> bool:
    return str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")


def _etag(obj: Any) -> str:
    return f'"{obj.version}"'


def _if_match(request: Request) -> int:
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


def _outcome(outcome: services.Outcome, present: Any, status: int = 200) -> Response:
    body = {"dry_run": outcome.dry_run, "blast_radius": blast_out(outcome.blast)}
    if present is not None:
        body["object"] = present
    response = Response(body, status=200 if outcome.dry_run else status)
    if not outcome.dry_run and hasattr(outcome.obj, "version") and outcome.obj.pk:
        response["ETag"] = _etag(outcome.obj)
    return response


# --- vendor --------------------------------------------------------------------------------------


class BuildIn(serializers.Serializer):
    platform = serializers.CharField(max_length=16)
    version = serializers.CharField(max_length=32)
    stage = serializers.CharField(max_length=16, required=False, default="early_adopter")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class StageIn(serializers.Serializer):
    stage = serializers.CharField(max_length=16)


class VendorBuildListView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        levels = {p: [b.version for b in selectors.n_levels(p)] for p in Platform.values}
        return Response(
            {
                "results": [build_out(b) for b in SensorBuild.objects.order_by("platform", "-released_at")],
                "n_levels": levels,
            }
        )

    @extend_schema(request=BuildIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        data = _valid(BuildIn, request.data)
        build = services.sensor_build_publish(actor=self.actor, **data)
        return Response(build_out(build), status=201)


class VendorBuildStageView(VendorAPIView):
    @extend_schema(request=StageIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["vendor"])
    def post(self, request: Request, pk: Any) -> Response:
        build = _vendor_get(SensorBuild, pk)
        data = _valid(StageIn, request.data)
        result = services.sensor_build_stage_set(
            actor=self.actor, build=build, stage=data["stage"], dry_run=_dry_run(request)
        )
        return Response(
            {
                "build": build_out(result["build"]),
                "dry_run": result["dry_run"],
                "shifts": result["shifts"],
                "tenants": result["tenants"],
            }
        )


def _vendor_get(model: Any, pk: Any) -> Any:
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise NotFound() from exc
        raise


class CategoryIn(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    system_critical = serializers.BooleanField(required=False, default=False)
    max_pause_hours = serializers.IntegerField(required=False, allow_null=True, default=None)


class VendorCategoryListView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        return Response({"results": [category_out(c) for c in ContentCategory.objects.all()]})

    @extend_schema(request=CategoryIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        category = services.content_category_create(actor=self.actor, **_valid(CategoryIn, request.data))
        return Response(category_out(category), status=201)


class TemplateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    field_types = serializers.ListField(child=serializers.CharField(max_length=16), max_length=256)
    min_sensor_build = serializers.CharField(max_length=32)


class VendorTemplateListView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        return Response({"results": [template_out(t) for t in TemplateType.objects.all()]})

    @extend_schema(request=TemplateIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        template = services.template_type_create(actor=self.actor, **_valid(TemplateIn, request.data))
        return Response(template_out(template), status=201)


class ReleaseIn(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    version = serializers.CharField(max_length=32)
    instances = serializers.JSONField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000)
    critical = serializers.BooleanField(required=False, default=False)
    digest = serializers.CharField(required=False, allow_null=True, default=None, max_length=128)


class VendorReleaseListView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        releases = (
            ContentRelease.objects.select_related("category").defer("instances").order_by("-created_at")[:500]
        )
        return Response({"results": [_release_light(r) for r in releases]})

    @extend_schema(request=ReleaseIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        data = _valid(ReleaseIn, request.data)
        category = ContentCategory.objects.filter(key=data.pop("category")).first()
        if category is None:
            raise InvalidInput(
                "Unknown content category.", errors={"category": ["Unknown content category."]}
            )
        release = services.content_release_publish(actor=self.actor, category=category, **data)
        return Response(release_out(release), status=201)


def _release_light(release: ContentRelease) -> dict[str, Any]:
    out = release_out(release) if "instances" not in release.get_deferred_fields() else None
    if out is not None:
        return out
    return {
        "id": str(release.pk),
        "category": release.category.key,
        "version": release.version,
        "stage": release.stage,
        "valid": release.valid,
        "critical": release.critical,
        "digest": release.digest,
        "created_at": release.created_at.isoformat(),
    }


class ValidateIn(serializers.Serializer):
    instances = serializers.JSONField()
    digest = serializers.CharField(required=False, allow_null=True, default=None, max_length=128)


class VendorReleaseValidateView(VendorAPIView):
    """Runs the validation gate without publishing (for the release pipeline)."""

    @extend_schema(request=ValidateIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        data = _valid(ValidateIn, request.data)
        return Response(services.content_validate(data["instances"], digest=data["digest"]))


class VendorReleaseDetailView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(release_out(_vendor_get(ContentRelease, pk), with_instances=True))


class VendorReleaseStageView(VendorAPIView):
    @extend_schema(request=StageIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request, pk: Any) -> Response:
        release = _vendor_get(ContentRelease, pk)
        data = _valid(StageIn, request.data)
        return Response(
            release_out(
                services.content_release_stage_set(actor=self.actor, release=release, stage=data["stage"])
            )
        )


# --- tenant: catalog and explain -----------------------------------------------------------------


class CatalogView(TenantAPIView):
    """What the tenant can choose from: N / N-1 / N-2 per platform, content releases per category."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["catalog"])
    def get(self, request: Request) -> Response:
        catalog = selectors.catalog_state()
        levels = {
            platform: [
                {"level": "n" if i == 0 else f"n-{i}", "build": b.version, "release_line": b.line}
                for i, b in enumerate(selectors.n_levels(platform, catalog))
            ]
            for platform in Platform.values
        }
        releases = (
            ContentRelease.objects.select_related("category")
            .exclude(stage="internal")
            .order_by("-created_at")[:200]
        )
        return Response(
            {
                "sensor_levels": levels,
                "categories": [category_out(c) for c in ContentCategory.objects.all()],
                "content_releases": [release_out(r) for r in releases],
            }
        )


class HostExplainView(TenantAPIView):
    """Why is this host on X: the resolver's answer with the deciding policy, group and rule."""

    queryset = Host.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["hosts"])
    def get(self, request: Request, pk: Any) -> Response:
        host = self.get_object()
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        resolution = selectors.host_explain(self.tenant, host, timezone.now())
        body = resolution_out(resolution)
        body["hostname"] = host.hostname
        body["platform"] = host.platform
        return Response(body)


# --- tenant: host groups -------------------------------------------------------------------------


class GroupIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    rule_text = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=2000, default=None
    )
    rule = serializers.JSONField(required=False, allow_null=True, default=None)


class GroupPatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    rule_text = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=2000)
    rule = serializers.JSONField(required=False, allow_null=True)


class RuleIn(serializers.Serializer):
    rule_text = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=2000, default=None
    )
    rule = serializers.JSONField(required=False, allow_null=True, default=None)


class HostGroupListView(TenantAPIView):
    queryset = HostGroup.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["host groups"])
    def get(self, request: Request) -> Response:
        groups = list(self.get_queryset().order_by("name", "id"))
        counts = selectors.group_member_counts(self.tenant, groups)
        return Response({"results": [group_out(g, counts.get(str(g.pk))) for g in groups]})

    @extend_schema(request=GroupIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["host groups"])
    def post(self, request: Request) -> Response:
        data = _valid(GroupIn, request.data)
        outcome = services.host_group_create(
            tenant=self.tenant, actor=self.ctx.actor, dry_run=_dry_run(request), **data
        )
        present = None
        if not outcome.dry_run:
            present = group_out(outcome.obj, selectors.group_hosts(self.tenant, outcome.obj).count())
        return _outcome(outcome, present, status=201)


class HostGroupPreviewView(TenantAPIView):
    """Live preview of a rule: the count and the first matching hosts (parse errors name the column)."""

    queryset = HostGroup.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": READ}

    @extend_schema(request=RuleIn, responses=OpenApiTypes.OBJECT, tags=["host groups"])
    def post(self, request: Request) -> Response:
        data = _valid(RuleIn, request.data)
        rule, text = services.group_rule_from_input(rule_text=data["rule_text"], rule=data["rule"])
        if rule is None:
            raise InvalidInput("Type a rule to preview.", errors={"rule_text": ["Type a rule to preview."]})
        preview = selectors.rule_preview(self.tenant, rule)
        return Response(
            {
                "rule": rule,
                "rule_text": text,
                "count": preview.count,
                "total": preview.total,
                "sample": [{**h, "id": str(h["id"])} for h in preview.sample],
                "warning": ZERO_MATCH_WARNING if preview.empty else None,
            }
        )


class HostGroupDetailView(TenantAPIView):
    queryset = HostGroup.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["host groups"])
    def get(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        response = Response(group_out(group, selectors.group_hosts(self.tenant, group).count()))
        response["ETag"] = _etag(group)
        return response

    @extend_schema(
        request=GroupPatchIn,
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["host groups"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        expected = _if_match(request)
        data = _valid(GroupPatchIn, request.data, partial=True)
        outcome = services.host_group_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            expected_version=expected,
            dry_run=_dry_run(request),
            **data,
        )
        present = (
            None
            if outcome.dry_run
            else group_out(outcome.obj, selectors.group_hosts(self.tenant, outcome.obj).count())
        )
        return _outcome(outcome, present)

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["host groups"])
    def delete(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        outcome = services.host_group_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            expected_version=_if_match(request),
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None)


class MembersIn(serializers.Serializer):
    add = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=100_000
    )
    remove = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=100_000
    )
    csv = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000_000)


class HostGroupMembersView(TenantAPIView):
    """Static members: add / remove host ids, or add the hosts of a CSV (host_id or hostname column)."""

    queryset = HostGroup.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["host groups"])
    def get(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        hosts = (
            selectors.group_hosts(self.tenant, group)
            .order_by("hostname", "id")
            .values("id", "hostname", "platform")[:500]
        )
        return Response({"results": [{**h, "id": str(h["id"])} for h in hosts]})

    @extend_schema(
        request=MembersIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["host groups"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        data = _valid(MembersIn, request.data)
        add = list(data["add"])
        if data["csv"]:
            add += services.members_from_csv(self.tenant, data["csv"])
        outcome = services.host_group_members_change(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            add=add,
            remove=data["remove"],
            expected_version=_if_match(request),
            dry_run=_dry_run(request),
        )
        present = (
            None
            if outcome.dry_run
            else group_out(outcome.obj, selectors.group_hosts(self.tenant, outcome.obj).count())
        )
        return _outcome(outcome, present)


# --- tenant: policies ----------------------------------------------------------------------------


class BlockIn(serializers.Serializer):
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start = serializers.CharField(max_length=5)
    end = serializers.CharField(max_length=5)


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
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        policies = (
            self.get_queryset().prefetch_related("groups").order_by("platform", "is_default", "precedence")
        )
        return Response({"results": [sensor_policy_out(p) for p in policies]})

    @extend_schema(
        request=SensorPolicyIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["policies"]
    )
    def post(self, request: Request) -> Response:
        data = _valid(SensorPolicyIn, request.data)
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        outcome = services.sensor_policy_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            platform=data["platform"],
            target=data["target"],
            update_blocks=data["update_blocks"],
            timezone_name=data["timezone"],
            uninstall_protection=data["uninstall_protection"],
            group_ids=data["groups"],
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else sensor_policy_out(outcome.obj), status=201)


class SensorPolicyDetailView(TenantAPIView):
    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        response = Response(sensor_policy_out(policy))
        response["ETag"] = _etag(policy)
        return response

    @extend_schema(
        request=SensorPolicyPatchIn,
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["policies"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        expected = _if_match(request)
        data = _valid(SensorPolicyPatchIn, request.data, partial=True)
        outcome = services.sensor_policy_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=expected,
            changes=data,
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else sensor_policy_out(outcome.obj))

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["policies"])
    def delete(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        outcome = services.sensor_policy_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=_if_match(request),
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None)


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
        data = _valid(SensorOrderIn, request.data)
        outcome = services.sensor_policy_reorder(
            tenant=self.tenant,
            actor=self.ctx.actor,
            platform=data["platform"],
            order=data["order"],
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else [sensor_policy_out(p) for p in outcome.obj])


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
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
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
        data = _valid(ContentPolicyIn, request.data)
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        outcome = services.content_policy_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            name=data["name"],
            category=_category(data["category"]),
            mode=data["mode"],
            window_ids=data["windows"],
            critical_bypass_windows=data["critical_bypass_windows"],
            group_ids=data["groups"],
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else content_policy_out(outcome.obj), status=201)


class ContentPolicyDetailView(TenantAPIView):
    queryset = ContentUpdatePolicy.objects.select_related("category")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["policies"])
    def get(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        response = Response(content_policy_out(policy))
        response["ETag"] = _etag(policy)
        return response

    @extend_schema(
        request=ContentPolicyPatchIn,
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["policies"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        expected = _if_match(request)
        data = _valid(ContentPolicyPatchIn, request.data, partial=True)
        outcome = services.content_policy_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=expected,
            changes=data,
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else content_policy_out(outcome.obj))

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["policies"])
    def delete(self, request: Request, pk: Any) -> Response:
        policy = self.get_object()
        outcome = services.content_policy_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            policy=policy,
            expected_version=_if_match(request),
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None)


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
        data = _valid(ContentOrderIn, request.data)
        outcome = services.content_policy_reorder(
            tenant=self.tenant,
            actor=self.ctx.actor,
            category=_category(data["category"]),
            order=data["order"],
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else [content_policy_out(p) for p in outcome.obj])


# --- tenant: windows, freezes, pauses ------------------------------------------------------------


class WindowIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start = serializers.CharField(max_length=5)
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField(max_length=64)


def _occurrences(window: MaintenanceWindow, tz_name: str, days: int = 7) -> list[dict[str, str]]:
    from rollout.recurrence import zone

    rec = Recurrence(frozenset(window.weekdays), window.start, window.duration_minutes, window.timezone)
    tz = zone(tz_name)
    return [
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "start_local": start.astimezone(tz).isoformat(),
            "end_local": end.astimezone(tz).isoformat(),
        }
        for start, end in next_occurrences(rec, timezone.now(), days)
    ]


class WindowListView(TenantAPIView):
    queryset = MaintenanceWindow.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["windows"])
    def get(self, request: Request) -> Response:
        return Response({"results": [window_out(w) for w in self.get_queryset().order_by("name")]})

    @extend_schema(request=WindowIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["windows"])
    def post(self, request: Request) -> Response:
        data = _valid(WindowIn, request.data)
        outcome = services.window_create(
            tenant=self.tenant, actor=self.ctx.actor, data=data, dry_run=_dry_run(request)
        )
        return _outcome(outcome, None if outcome.dry_run else window_out(outcome.obj), status=201)


class WindowDetailView(TenantAPIView):
    queryset = MaintenanceWindow.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["windows"])
    def get(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        body = window_out(window)
        body["next_occurrences"] = _occurrences(window, self.tenant.timezone)
        response = Response(body)
        response["ETag"] = _etag(window)
        return response

    @extend_schema(
        request=WindowIn(partial=True),
        responses=OpenApiTypes.OBJECT,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["windows"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        expected = _if_match(request)
        data = _valid(WindowIn, request.data, partial=True)
        outcome = services.window_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            window=window,
            expected_version=expected,
            data=data,
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else window_out(outcome.obj))

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN, IF_MATCH], tags=["windows"])
    def delete(self, request: Request, pk: Any) -> Response:
        window = self.get_object()
        outcome = services.window_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            window=window,
            expected_version=_if_match(request),
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None)


class FreezeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)

    class Meta:
        ref_name = "FreezeReason"  # rollout.api_rollouts has its own ReasonIn


class FreezeListView(TenantAPIView):
    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["windows"])
    def get(self, request: Request) -> Response:
        return Response(
            {"results": [freeze_out(f) for f in self.get_queryset().order_by("-starts_at")[:200]]}
        )

    @extend_schema(request=FreezeIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["windows"])
    def post(self, request: Request) -> Response:
        data = _valid(FreezeIn, request.data)
        outcome = services.freeze_create(
            tenant=self.tenant, actor=self.ctx.actor, dry_run=_dry_run(request), **data
        )
        return _outcome(outcome, None if outcome.dry_run else freeze_out(outcome.obj), status=201)


class FreezeDetailView(TenantAPIView):
    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["windows"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(freeze_out(self.get_object()))


class FreezeLiftRequestView(TenantAPIView):
    """First admin asks to lift a freeze early."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["windows"])
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        data = _valid(ReasonIn, request.data)
        return Response(
            freeze_out(
                services.freeze_lift_request(tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, **data)
            )
        )


class FreezeLiftApproveView(TenantAPIView):
    """A second admin approves: the freeze ends now."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["windows"])
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        outcome = services.freeze_lift_approve(
            tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, dry_run=_dry_run(request)
        )
        return _outcome(outcome, None if outcome.dry_run else freeze_out(outcome.obj))


class FreezeBypassRequestView(TenantAPIView):
    """First admin asks to let vendor-marked critical content through a freeze."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT, tags=["windows"])
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        data = _valid(ReasonIn, request.data)
        return Response(
            freeze_out(
                services.freeze_bypass_request(
                    tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, **data
                )
            )
        )


class FreezeBypassApproveView(TenantAPIView):
    """A second admin approves the bypass."""

    queryset = Freeze.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["windows"])
    def post(self, request: Request, pk: Any) -> Response:
        freeze = self.get_object()
        outcome = services.freeze_bypass_approve(
            tenant=self.tenant, actor=self.ctx.actor, freeze=freeze, dry_run=_dry_run(request)
        )
        return _outcome(outcome, None if outcome.dry_run else freeze_out(outcome.obj))


class PauseIn(serializers.Serializer):
    scope = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=300)
    group = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    category = serializers.CharField(max_length=64, required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PauseListView(TenantAPIView):
    queryset = Pause.objects.select_related("group", "category")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["pauses"])
    def get(self, request: Request) -> Response:
        now = timezone.now()
        active = {p.pk for p in selectors.active_pauses(self.tenant, now)}
        pauses = self.get_queryset().order_by("-created_at")[:200]
        return Response({"results": [{**pause_out(p), "active": p.pk in active} for p in pauses]})

    @extend_schema(request=PauseIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["pauses"])
    def post(self, request: Request) -> Response:
        data = _valid(PauseIn, request.data)
        outcome = services.pause_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            scope=data["scope"],
            reason=data["reason"],
            group_id=data["group"],
            category_key=data["category"],
            expires_at=data["expires_at"],
            dry_run=_dry_run(request),
        )
        return _outcome(outcome, None if outcome.dry_run else pause_out(outcome.obj), status=201)


class PauseResumeView(TenantAPIView):
    queryset = Pause.objects.select_related("group", "category")
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["pauses"])
    def post(self, request: Request, pk: Any) -> Response:
        pause = self.get_object()
        outcome = services.pause_resume(
            tenant=self.tenant, actor=self.ctx.actor, pause=pause, dry_run=_dry_run(request)
        )
        return _outcome(outcome, None if outcome.dry_run else pause_out(outcome.obj))


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
        from rollout.policy_code import policy_dump, policy_export

        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
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
        from rollout.policy_code import policy_import

        data = _valid(ImportIn, request.data)
        plan = policy_import(
            tenant=self.tenant, actor=self.ctx.actor, text=data["document"], dry_run=_dry_run(request)
        )
        return Response({"dry_run": _dry_run(request), **plan.as_dict()})
