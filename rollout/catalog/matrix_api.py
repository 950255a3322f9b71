"""Vendor API of sensor capabilities and the contract matrix (OpenAPI-typed): what a build declares it
interprets (read, and add to an existing build), and a content release's stored matrix."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from console.conventions import input_valid
from console.errors import NotFound
from console.scoping import VendorAPIView
from rollout.catalog.contracts import capability_out, release_matrix, sensor_capabilities_declare
from rollout.catalog.validation import FIELD_TYPES, MAX_BYTES, MAX_FIELDS, MAX_INSTANCES
from rollout.models import ContentRelease, SensorBuild


class CapabilityIO(serializers.Serializer):
    template_type = serializers.CharField(max_length=120)
    input_count = serializers.IntegerField(min_value=1, max_value=MAX_FIELDS)
    accepted_types = serializers.ListField(
        child=serializers.ChoiceField(choices=FIELD_TYPES), max_length=MAX_FIELDS
    )
    max_bytes = serializers.IntegerField(min_value=1, max_value=MAX_BYTES, required=False, default=MAX_BYTES)
    max_entries = serializers.IntegerField(
        min_value=1, max_value=MAX_INSTANCES, required=False, default=MAX_INSTANCES
    )


class CapabilitiesIn(serializers.Serializer):
    capabilities = CapabilityIO(many=True, allow_empty=False)


class CapabilitiesOut(serializers.Serializer):
    build = serializers.UUIDField()
    platform = serializers.CharField()
    version = serializers.CharField()
    capabilities = CapabilityIO(many=True)


class ProblemOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    template_type = serializers.CharField()
    instance = serializers.CharField(allow_blank=True)
    field = serializers.IntegerField(allow_null=True)


class UntestedOut(serializers.Serializer):
    template_type = serializers.CharField()
    field = serializers.IntegerField()
    message = serializers.CharField()


class CellOut(serializers.Serializer):
    platform = serializers.CharField()
    build = serializers.CharField()
    status = serializers.ChoiceField(choices=["compatible", "untested", "incompatible"])
    problems = ProblemOut(many=True)
    untested = UntestedOut(many=True)
    hosts = serializers.IntegerField(help_text="Hosts reporting this build when the matrix was checked")
    sources = serializers.ListField(
        child=serializers.CharField(), help_text="Why the build is in use: n, n-1, n-2, pinned, reported"
    )
    checked_at = serializers.DateTimeField()


class GrowthOut(serializers.Serializer):
    size_bytes = serializers.IntegerField()
    entries = serializers.IntegerField()
    previous_version = serializers.CharField(allow_null=True)
    previous_bytes = serializers.IntegerField()
    previous_entries = serializers.IntegerField()
    needs_second_approver = serializers.BooleanField()


class MatrixOut(serializers.Serializer):
    release = serializers.UUIDField()
    version = serializers.CharField()
    category = serializers.CharField()
    cells = CellOut(many=True)
    blocked_everywhere = serializers.BooleanField()
    growth = GrowthOut()
    first_approver = serializers.CharField(allow_null=True)
    first_approved_at = serializers.DateTimeField(allow_null=True)


def _get(model: Any, pk: Any) -> Any:
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound() from exc


def capabilities_of(build: SensorBuild) -> dict[str, Any]:
    return {
        "build": str(build.pk),
        "platform": build.platform,
        "version": build.version,
        "capabilities": [capability_out(c) for c in build.capabilities.select_related("template_type")],
    }


class VendorBuildCapabilitiesView(VendorAPIView):
    """What a sensor build's content interpreter supplies per template type; POST adds to (or
    re-declares for) an existing build and checks the releases in the field again."""

    @extend_schema(
        summary="What a sensor build's content interpreter supplies, per template type",
        responses=CapabilitiesOut,
        tags=["vendor"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        return Response(capabilities_of(_get(SensorBuild, pk)))

    @extend_schema(
        summary="Declare template types a sensor build interprets (re-checks live releases)",
        request=CapabilitiesIn,
        responses=CapabilitiesOut,
        tags=["vendor"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        build = _get(SensorBuild, pk)
        data = input_valid(CapabilitiesIn, request.data)
        sensor_capabilities_declare(
            actor=self.actor, build=build, capabilities=[dict(c) for c in data["capabilities"]]
        )
        return Response(capabilities_of(build), status=201)


class VendorReleaseMatrixView(VendorAPIView):
    """A content release against every sensor build in use when it was last checked (on publish and
    on each stage move): compatible, untested fields, or incompatible with the instance and field."""

    @extend_schema(
        summary="A content release's contract matrix against every sensor build in use",
        responses=MatrixOut,
        tags=["vendor"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        release = _get(ContentRelease, pk)
        return Response(release_matrix(release))
