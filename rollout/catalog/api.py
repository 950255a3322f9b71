from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.errors import InvalidInput, NotFound
from console.markup import notes_html
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
from rollout.desired.changes import DRY_RUN, dry_run_requested, input_valid
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


class BuildIn(serializers.Serializer):
    platform = serializers.CharField(max_length=16)
    version = serializers.CharField(max_length=32)
    stage = serializers.CharField(max_length=16, required=False, default="early_adopter")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    capabilities = CapabilityIO(many=True, required=False)


class StageIn(serializers.Serializer):
    stage = serializers.CharField(max_length=16)


class VendorBuildListView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        levels = {p: [b.version for b in n_levels(p)] for p in Platform.values}
        return Response(
            {
                "results": [build_out(b) for b in SensorBuild.objects.order_by("platform", "-released_at")],
                "n_levels": levels,
            }
        )

    @extend_schema(request=BuildIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        data = input_valid(BuildIn, request.data)
        capabilities = [dict(c) for c in data.pop("capabilities", [])]
        build = sensor_build_publish(actor=self.actor, capabilities=capabilities, **data)
        return Response({**build_out(build), **capabilities_of(build)}, status=201)


class VendorBuildStageView(VendorAPIView):
    @extend_schema(request=StageIn, responses=OpenApiTypes.OBJECT, parameters=[DRY_RUN], tags=["vendor"])
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
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        return Response({"results": [category_out(c) for c in ContentCategory.objects.all()]})

    @extend_schema(request=CategoryIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        category = content_category_create(actor=self.actor, **input_valid(CategoryIn, request.data))
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
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request) -> Response:
        releases = (
            ContentRelease.objects.select_related("category").defer("instances").order_by("-created_at")[:500]
        )
        return Response({"results": [_release_light(r) for r in releases]})

    @extend_schema(request=ReleaseIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
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

    @extend_schema(request=ValidateIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def post(self, request: Request) -> Response:
        data = input_valid(ValidateIn, request.data)
        return Response(content_validate(data["instances"], digest=data["digest"]))


class VendorReleaseDetailView(VendorAPIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["vendor"])
    def get(self, request: Request, pk: Any) -> Response:
        release = _vendor_get(ContentRelease, pk)
        return Response({**release_out(release, with_instances=True), "matrix": release_matrix(release)})


class VendorReleaseStageView(VendorAPIView):
    @extend_schema(request=StageIn, responses=OpenApiTypes.OBJECT, tags=["vendor"])
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

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["catalog"])
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
