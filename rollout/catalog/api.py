from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import InvalidInput, NotFound
from console.markup import notes_html
from console.pagination import CURSOR_PARAMETERS, page_of, paginated
from console.scoping import READ, TenantAPIView, VendorAPIView
from rollout.catalog.contracts import release_matrix
from rollout.catalog.matrix_api import CapabilityIO, capabilities_of
from rollout.catalog.services import (
    content_category_create,
    content_release_publish,
    content_release_stage_set,
    content_validate,
    sensor_build_publish,
    sensor_build_stage_set,
    template_type_create,
)
from rollout.desired.changes import DRY_RUN, BlastRadiusOut, dry_run_requested, input_valid
from rollout.models import ContentCategory, ContentRelease, SensorBuild, SensorUpdatePolicy, TemplateType
from rollout.selectors.state import catalog_state, n_levels
from telemetry.models import Platform


def build_out(build: SensorBuild) -> dict[str, Any]:
    return {
        "id": str(build.pk),
        "platform": build.platform,
        "version": build.version,
        "release_line": build.release_line,
        "stage": build.stage,
        "released_at": build.released_at.isoformat(),
        "notes": build.notes,
    }


def category_out(category: ContentCategory) -> dict[str, Any]:
    return {
        "id": str(category.pk),
        "key": category.key,
        "name": category.name,
        "system_critical": category.system_critical,
        "max_pause_hours": category.max_pause_hours,
    }


def template_out(template: TemplateType) -> dict[str, Any]:
    return {
        "id": str(template.pk),
        "name": template.name,
        "field_count": template.field_count,
        "field_types": list(template.field_types),
        "min_sensor_build": template.min_sensor_build,
    }


def release_out(release: ContentRelease, *, with_instances: bool = False) -> dict[str, Any]:
    out = {
        "id": str(release.pk),
        "category": release.category.key,
        "version": release.version,
        "stage": release.stage,
        "critical": release.critical,
        "digest": release.digest,
        "valid": release.valid,
        "validation_report": release.validation_report,
        "notes": release.notes,
        "notes_html": notes_html(release.notes),
        "created_at": release.created_at.isoformat(),
        "early_access_at": release.early_access_at.isoformat() if release.early_access_at else None,
        "ga_at": release.ga_at.isoformat() if release.ga_at else None,
        "instance_count": len(release.instances) if isinstance(release.instances, list) else 0,
    }
    if with_instances:
        out["instances"] = release.instances
    return out


class BuildOut(serializers.Serializer):
    id = serializers.UUIDField()
    platform = serializers.CharField()
    version = serializers.CharField()
    release_line = serializers.CharField()
    stage = serializers.CharField(help_text="early_adopter, ga or withdrawn.")
    released_at = serializers.DateTimeField()
    notes = serializers.CharField(allow_blank=True)


class BuildPageOut(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Null on the last page.")
    previous = serializers.URLField(allow_null=True, help_text="Null on the first page.")
    results = BuildOut(many=True)
    n_levels = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per platform: the builds N, N-1, N-2 resolve to now.",
    )


class BuildStageOut(serializers.Serializer):
    build = BuildOut()
    dry_run = serializers.BooleanField()
    shifts = serializers.ListField(child=serializers.CharField(), help_text="What moves where, in words.")
    tenants = serializers.DictField(child=BlastRadiusOut(), help_text="Per tenant slug: its blast radius.")


class CategoryOut(serializers.Serializer):
    id = serializers.UUIDField()
    key = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    system_critical = serializers.BooleanField()
    max_pause_hours = serializers.IntegerField(allow_null=True)


class TemplateOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    field_count = serializers.IntegerField()
    field_types = serializers.ListField(child=serializers.CharField())
    min_sensor_build = serializers.CharField()


class ReleaseLightOut(serializers.Serializer):
    id = serializers.UUIDField()
    category = serializers.CharField()
    version = serializers.CharField()
    stage = serializers.CharField(help_text="internal, canary, early_access, ga or recalled.")
    critical = serializers.BooleanField()
    digest = serializers.CharField(allow_blank=True)
    valid = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ReleaseOut(ReleaseLightOut):
    validation_report = serializers.DictField()
    notes = serializers.CharField(allow_blank=True)
    notes_html = serializers.CharField(allow_blank=True)
    early_access_at = serializers.DateTimeField(allow_null=True)
    ga_at = serializers.DateTimeField(allow_null=True)
    instance_count = serializers.IntegerField()


class ReleaseDetailOut(ReleaseOut):
    instances = serializers.JSONField(help_text="The template instances, as published.")


class ValidationProblemOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    instance = serializers.CharField(allow_blank=True)
    field = serializers.JSONField(allow_null=True)


class ValidationReportOut(serializers.Serializer):
    ok = serializers.BooleanField()
    digest = serializers.CharField(allow_blank=True)
    instance_count = serializers.IntegerField()
    problems = ValidationProblemOut(many=True)
    incompatible_hosts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per template type: hosts per tenant slug whose sensor build is too old.",
    )
    checked_at = serializers.DateTimeField()


class SensorLevelOut(serializers.Serializer):
    level = serializers.CharField(help_text="n, n-1 or n-2.")
    build = serializers.CharField()
    release_line = serializers.CharField()


class CatalogOut(serializers.Serializer):
    sensor_levels = serializers.DictField(child=SensorLevelOut(many=True), help_text="Per platform.")
    categories = CategoryOut(many=True)
    content_releases = ReleaseOut(
        many=True, help_text="The latest 200 releases past the vendor's internal stage."
    )


class BuildIn(serializers.Serializer):
    platform = serializers.CharField(max_length=16)
    version = serializers.CharField(max_length=32)
    stage = serializers.CharField(max_length=16, required=False, default="early_adopter")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    capabilities = CapabilityIO(many=True, required=False)


class StageIn(serializers.Serializer):
    stage = serializers.CharField(max_length=16)


class VendorBuildListView(VendorAPIView):
    @extend_schema(
        summary="List sensor builds",
        description="By platform, newest first; every page carries `n_levels`.",
        parameters=CURSOR_PARAMETERS,
        responses=BuildPageOut,
        tags=["vendor"],
    )
    def get(self, request: Request) -> Response:
        response = paginated(
            request,
            self,
            SensorBuild.objects.all(),
            ordering=("platform", "-released_at", "id"),
            present=build_out,
        )
        response.data["n_levels"] = {p: [b.version for b in n_levels(p)] for p in Platform.values}
        return response

    @extend_schema(
        summary="Publish a sensor build", request=BuildIn, responses={201: BuildOut}, tags=["vendor"]
    )
    def post(self, request: Request) -> Response:
        data = input_valid(BuildIn, request.data)
        capabilities = [dict(c) for c in data.pop("capabilities", [])]
        build = sensor_build_publish(actor=self.actor, capabilities=capabilities, **data)
        return Response({**build_out(build), **capabilities_of(build)}, status=201)


class VendorBuildStageView(VendorAPIView):
    @extend_schema(
        summary="Move a sensor build to a stage",
        request=StageIn,
        responses=BuildStageOut,
        parameters=[DRY_RUN],
        tags=["vendor"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        build = _vendor_get(SensorBuild, pk)
        data = input_valid(StageIn, request.data)
        result = sensor_build_stage_set(
            actor=self.actor, build=build, stage=data["stage"], dry_run=dry_run_requested(request)
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
    @extend_schema(
        summary="List content categories",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(CategoryOut, "CategoryPage"),
        tags=["vendor"],
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, ContentCategory.objects.all(), ordering=("key",), present=category_out
        )

    @extend_schema(
        summary="Create a content category", request=CategoryIn, responses={201: CategoryOut}, tags=["vendor"]
    )
    def post(self, request: Request) -> Response:
        category = content_category_create(actor=self.actor, **input_valid(CategoryIn, request.data))
        return Response(category_out(category), status=201)


class TemplateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    field_types = serializers.ListField(child=serializers.CharField(max_length=16), max_length=256)
    min_sensor_build = serializers.CharField(max_length=32)


class VendorTemplateListView(VendorAPIView):
    @extend_schema(
        summary="List template types",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(TemplateOut, "TemplateTypePage"),
        tags=["vendor"],
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, TemplateType.objects.all(), ordering=("name",), present=template_out)

    @extend_schema(
        summary="Declare a template type", request=TemplateIn, responses={201: TemplateOut}, tags=["vendor"]
    )
    def post(self, request: Request) -> Response:
        template = template_type_create(actor=self.actor, **input_valid(TemplateIn, request.data))
        return Response(template_out(template), status=201)


class ReleaseIn(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    version = serializers.CharField(max_length=32)
    instances = serializers.JSONField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000)
    critical = serializers.BooleanField(required=False, default=False)
    digest = serializers.CharField(required=False, allow_null=True, default=None, max_length=128)


class VendorReleaseListView(VendorAPIView):
    @extend_schema(
        summary="List content releases",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(ReleaseLightOut, "ContentReleasePage"),
        tags=["vendor"],
    )
    def get(self, request: Request) -> Response:
        releases = ContentRelease.objects.select_related("category").defer("instances")
        return paginated(request, self, releases, ordering=("-created_at", "id"), present=_release_light)

    @extend_schema(
        summary="Publish a content release", request=ReleaseIn, responses={201: ReleaseOut}, tags=["vendor"]
    )
    def post(self, request: Request) -> Response:
        data = input_valid(ReleaseIn, request.data)
        category = ContentCategory.objects.filter(key=data.pop("category")).first()
        if category is None:
            raise InvalidInput(
                "Unknown content category.", errors={"category": ["Unknown content category."]}
            )
        release = content_release_publish(actor=self.actor, category=category, **data)
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

    @extend_schema(
        summary="Validate content without publishing",
        request=ValidateIn,
        responses=ValidationReportOut,
        tags=["vendor"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(ValidateIn, request.data)
        return Response(content_validate(data["instances"], digest=data["digest"]))


class VendorReleaseDetailView(VendorAPIView):
    @extend_schema(summary="Get a content release", responses=ReleaseDetailOut, tags=["vendor"])
    def get(self, request: Request, pk: Any) -> Response:
        release = _vendor_get(ContentRelease, pk)
        return Response({**release_out(release, with_instances=True), "matrix": release_matrix(release)})


class VendorReleaseStageView(VendorAPIView):
    @extend_schema(
        summary="Move a content release to a stage", request=StageIn, responses=ReleaseOut, tags=["vendor"]
    )
    def post(self, request: Request, pk: Any) -> Response:
        release = _vendor_get(ContentRelease, pk)
        data = input_valid(StageIn, request.data)
        result = content_release_stage_set(actor=self.actor, release=release, stage=data["stage"])
        # 202: the release doubled against the previous one and waits for a second approver.
        return Response(release_out(result), status=200 if result.stage == data["stage"] else 202)


class CatalogView(TenantAPIView):
    """What the tenant can choose from: N / N-1 / N-2 per platform, content releases per category."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(summary="Get the catalog", responses=CatalogOut, tags=["catalog"])
    def get(self, request: Request) -> Response:
        catalog = catalog_state()
        levels = {
            platform: [
                {"level": "n" if i == 0 else f"n-{i}", "build": b.version, "release_line": b.line}
                for i, b in enumerate(n_levels(platform, catalog))
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
