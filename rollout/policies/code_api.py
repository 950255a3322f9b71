"""The policy-as-code API: export the tenant's update control as one document, plan or apply a
document (bound to a plan's fingerprint), and the document's JSON Schema."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from console.errors import InvalidInput
from console.scoping import READ, WRITE, TenantAPIView
from rollout.desired.changes import (
    DRY_RUN,
    BlastRadiusOut,
    dry_run_requested,
    input_valid,
)
from rollout.models import SensorUpdatePolicy
from rollout.policies.code import PLAN_FINGERPRINT_RE, policy_dump, policy_export, policy_import
from rollout.policies.code_schema import DOCUMENT_SCHEMA


class DocGroupOut(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    rule = serializers.CharField(allow_null=True)
    static_members = serializers.ListField(child=serializers.CharField())


class DocWindowOut(serializers.Serializer):
    name = serializers.CharField()
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField()


class DocSensorPolicyOut(serializers.Serializer):
    name = serializers.CharField()
    platform = serializers.CharField()
    default = serializers.BooleanField()
    target = serializers.CharField()
    update_blocks = serializers.ListField(child=serializers.DictField())
    timezone = serializers.CharField()
    uninstall_protection = serializers.BooleanField()
    groups = serializers.ListField(child=serializers.CharField())


class DocContentPolicyOut(serializers.Serializer):
    name = serializers.CharField()
    category = serializers.CharField()
    default = serializers.BooleanField()
    mode = serializers.CharField()
    windows = serializers.ListField(child=serializers.CharField())
    critical_bypass_windows = serializers.BooleanField()
    groups = serializers.ListField(child=serializers.CharField())


class DocFreezeOut(serializers.Serializer):
    reason = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class PolicyDocumentOut(serializers.Serializer):
    """The policy document (``rollout.policies.code.policy_export``); names are the references."""

    version = serializers.IntegerField()
    tenant = serializers.CharField()
    groups = DocGroupOut(many=True)
    windows = DocWindowOut(many=True)
    sensor_policies = DocSensorPolicyOut(many=True, help_text="In precedence order per platform.")
    content_policies = DocContentPolicyOut(many=True, help_text="In precedence order per category.")
    freezes = DocFreezeOut(many=True)


class PlanActionOut(serializers.Serializer):
    action = serializers.CharField(help_text="create, update or delete.")
    kind = serializers.CharField()
    name = serializers.CharField()


class PolicyPlanOut(serializers.Serializer):
    dry_run = serializers.BooleanField()
    fingerprint = serializers.CharField(
        help_text="The fingerprint of the state this plan was made against: send it back as "
        "`plan_fingerprint` to apply only if that state has not moved (else 409, naming what changed)."
    )
    actions = PlanActionOut(many=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Actions per kind of action.")
    blast_radius = BlastRadiusOut(allow_null=True)


class PolicyExportView(TenantAPIView):
    """The tenant's groups, policies (in precedence order), windows and freezes as YAML or JSON."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ``format`` names the document format here, not a DRF renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["yaml", "json"])],
        summary="Export the policy document",
        responses={
            (200, "application/yaml"): PolicyDocumentOut,
            (200, "application/json"): PolicyDocumentOut,
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
    plan_fingerprint = serializers.RegexField(
        PLAN_FINGERPRINT_RE,
        required=False,
        help_text="The `fingerprint` of a plan (a dry run): the apply re-plans and is refused with a 409 "
        "problem naming the objects that changed (`changed`) and the new plan (`plan`) if the state "
        "moved since. Without it the document is applied to the state as it is.",
    )


class PolicyImportView(TenantAPIView):
    """Plans (``?dry_run=true``) or applies a policy document atomically, with its blast radius.

    A plan answers the ``fingerprint`` of the state it was made against; an apply sending it back as
    ``plan_fingerprint`` is bound to that plan: if groups, windows, policies, precedence or freezes
    changed since, nothing is applied and the answer is 409 naming what changed."""

    queryset = SensorUpdatePolicy.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": WRITE}

    @extend_schema(
        summary="Plan or apply a policy document",
        description="`?dry_run=true` plans: the answer's `fingerprint` names the state planned "
        "against. Apply with `plan_fingerprint` set to it to be sure you apply what you reviewed: if the "
        "state moved, the answer is 409 (`codes.plan_fingerprint`: `stale_plan`) with `changed` (each object created, "
        "updated, deleted or reordered since) and `plan` (the new plan's fingerprint and actions).",
        request=ImportIn,
        responses=PolicyPlanOut,
        parameters=[DRY_RUN],
        tags=["policy as code"],
    )
    def post(self, request: Request) -> Response:

        data = input_valid(ImportIn, request.data)
        plan = policy_import(
            tenant=self.tenant,
            actor=self.ctx.actor,
            text=data["document"],
            dry_run=dry_run_requested(request),
            expected_fingerprint=data.get("plan_fingerprint"),
        )
        return Response({"dry_run": dry_run_requested(request), **plan.as_dict()})


class JsonSchemaOut(serializers.Serializer):
    """A JSON Schema (draft 2020-12) document; ``$schema`` and ``$id`` keep their dollar signs."""

    schema_ = serializers.CharField(help_text="The JSON Schema dialect (draft 2020-12).")
    id_ = serializers.CharField(help_text="This document's own URL.")
    title = serializers.CharField()
    type = serializers.CharField()
    required_ = serializers.ListField(child=serializers.CharField())
    additional_properties = serializers.BooleanField()
    properties = serializers.DictField(child=serializers.DictField(), help_text="One schema per key.")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["$schema"] = fields.pop("schema_")
        fields["$id"] = fields.pop("id_")
        fields["required"] = fields.pop("required_")
        fields["additionalProperties"] = fields.pop("additional_properties")
        return fields


class PolicySchemaView(APIView):
    """The policy document's JSON Schema, generated from the definition the import validates with
    (``rollout.policies.code_schema``): public, so an editor (VS Code's YAML extension, a CI lint)
    can fetch it without a token; it holds nothing of any tenant."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get the policy document's JSON Schema",
        description="A stable URL for editors and CI: point `# yaml-language-server: $schema=<this URL>` "
        "at it. The import refuses what this schema refuses (unknown keys, wrong types), naming the path.",
        responses={(200, "application/schema+json"): JsonSchemaOut},
        auth=[],
        tags=["policy as code"],
    )
    def get(self, request: Request) -> HttpResponse:
        document = {
            "$schema": DOCUMENT_SCHEMA["$schema"],
            "$id": request.build_absolute_uri(request.path),
            "title": "Update-control policy document (version 1)",
            **{k: v for k, v in DOCUMENT_SCHEMA.items() if k != "$schema"},
        }
        response = HttpResponse(json.dumps(document, indent=2), content_type="application/schema+json")
        response["Cache-Control"] = "public, max-age=3600"
        return response
