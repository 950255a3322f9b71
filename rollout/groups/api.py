from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
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
from rollout.groups.services import (
    ZERO_MATCH_WARNING,
    group_rule_from_input,
    host_group_create,
    host_group_delete,
    host_group_members_change,
    host_group_update,
    members_from_csv,
)
from rollout.models import HostGroup
from rollout.selectors.groups import group_hosts, group_member_counts, rule_preview


def group_out(group: HostGroup, host_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(group.pk),
        "name": group.name,
        "description": group.description,
        "rule_text": group.rule_text,
        "rule": group.rule,
        "static_members": group.members.count(),
        "version": group.version,
        "updated_at": group.updated_at.isoformat(),
    }
    if host_count is not None:
        out["host_count"] = host_count
        out["warnings"] = [ZERO_MATCH_WARNING] if host_count == 0 else []
    return out


class GroupOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    rule_text = serializers.CharField(allow_null=True, allow_blank=True)
    rule = serializers.JSONField(
        allow_null=True, help_text="The parsed rule (and/or tree), null if static only."
    )
    static_members = serializers.IntegerField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    host_count = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())


class GroupHostOut(serializers.Serializer):
    id = serializers.UUIDField()
    hostname = serializers.CharField()
    platform = serializers.CharField()


class RulePreviewOut(serializers.Serializer):
    rule = serializers.JSONField()
    rule_text = serializers.CharField(allow_null=True, allow_blank=True)
    count = serializers.IntegerField()
    total = serializers.IntegerField()
    sample = GroupHostOut(many=True)
    warning = serializers.CharField(allow_null=True)


GroupPageOut = page_of(GroupOut, "HostGroupPage")
GroupOutcome = outcome_of(GroupOut, "HostGroupOutcome")


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

    @extend_schema(
        summary="List host groups",
        parameters=CURSOR_PARAMETERS,
        responses=GroupPageOut,
        tags=["host groups"],
    )
    def get(self, request: Request) -> Response:
        def present_page(groups: list[HostGroup]) -> list[dict[str, Any]]:
            counts = group_member_counts(self.tenant, groups)
            return [group_out(g, counts.get(str(g.pk))) for g in groups]

        return paginated(
            request, self, self.get_queryset(), ordering=("name", "id"), present_page=present_page
        )

    @extend_schema(
        summary="Create a host group",
        request=GroupIn,
        responses={200: GroupOutcome, 201: GroupOutcome},
        parameters=[DRY_RUN],
        tags=["host groups"],
    )
    def post(self, request: Request) -> Response:
        data = input_valid(GroupIn, request.data)
        outcome = host_group_create(
            tenant=self.tenant, actor=self.ctx.actor, dry_run=dry_run_requested(request), **data
        )
        present = None
        if not outcome.dry_run:
            present = group_out(outcome.obj, group_hosts(self.tenant, outcome.obj).count())
        return outcome_response(outcome, present, status=201)


class HostGroupPreviewView(TenantAPIView):
    """Live preview of a rule: the count and the first matching hosts (parse errors name the column)."""

    queryset = HostGroup.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": READ}

    @extend_schema(
        summary="Preview a group rule", request=RuleIn, responses=RulePreviewOut, tags=["host groups"]
    )
    def post(self, request: Request) -> Response:
        data = input_valid(RuleIn, request.data)
        rule, text = group_rule_from_input(rule_text=data["rule_text"], rule=data["rule"])
        if rule is None:
            raise InvalidInput("Type a rule to preview.", errors={"rule_text": ["Type a rule to preview."]})
        preview = rule_preview(self.tenant, rule)
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

    @extend_schema(summary="Get a host group", responses=GroupOut, tags=["host groups"])
    def get(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        response = Response(group_out(group, group_hosts(self.tenant, group).count()))
        response["ETag"] = etag_of(group)
        return response

    @extend_schema(
        summary="Update a host group",
        request=GroupPatchIn,
        responses=GroupOutcome,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["host groups"],
    )
    def patch(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        expected = if_match_version(request)
        data = input_valid(GroupPatchIn, request.data, partial=True)
        outcome = host_group_update(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            expected_version=expected,
            dry_run=dry_run_requested(request),
            **data,
        )
        present = (
            None if outcome.dry_run else group_out(outcome.obj, group_hosts(self.tenant, outcome.obj).count())
        )
        return outcome_response(outcome, present)

    @extend_schema(
        summary="Delete a host group",
        responses={200: DeleteOutcome},
        parameters=[DRY_RUN, IF_MATCH],
        tags=["host groups"],
    )
    def delete(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        outcome = host_group_delete(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        return outcome_response(outcome, None)


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

    @extend_schema(
        summary="List a group's hosts",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(GroupHostOut, "HostGroupMemberPage"),
        tags=["host groups"],
    )
    def get(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        hosts = group_hosts(self.tenant, group).values("id", "hostname", "platform")
        return paginated(
            request, self, hosts, ordering=("hostname", "id"), present=lambda h: {**h, "id": str(h["id"])}
        )

    @extend_schema(
        summary="Change a group's static members",
        request=MembersIn,
        responses=GroupOutcome,
        parameters=[DRY_RUN, IF_MATCH],
        tags=["host groups"],
    )
    def post(self, request: Request, pk: Any) -> Response:
        group = self.get_object()
        data = input_valid(MembersIn, request.data)
        add = list(data["add"])
        if data["csv"]:
            add += members_from_csv(self.tenant, data["csv"])
        outcome = host_group_members_change(
            tenant=self.tenant,
            actor=self.ctx.actor,
            group=group,
            add=add,
            remove=data["remove"],
            expected_version=if_match_version(request),
            dry_run=dry_run_requested(request),
        )
        present = (
            None if outcome.dry_run else group_out(outcome.obj, group_hosts(self.tenant, outcome.obj).count())
        )
        return outcome_response(outcome, present)
