"""REST API of the foundation under /api/v1/: members, invitations, API clients, support access, audit.

One view per resource shape, nested Input/Output serializers that only validate and present;
the scope each HTTP method needs is declared in ``scope_map`` (console.access has the role table).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from console import selectors, services
from console.access import ADMIN, OWNER, READ, Actor
from console.models import (
    ApiClient,
    AuditEvent,
    Invitation,
    Membership,
    Role,
    SupportGrant,
    SupportRequest,
    SupportScope,
    Tenant,
    User,
)
from console.pagination import CursorPagination
from console.scoping import TenantAPIView, VendorAPIView


class AuditCursorPagination(CursorPagination):
    ordering = "-id"


# --- serializers ---------------------------------------------------------------------------------


class MembershipOut(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ("id", "username", "email", "role", "created_at")


class InvitationOut(serializers.ModelSerializer[Invitation]):
    status = serializers.CharField()

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "status", "expires_at", "accepted_at", "created_at")


class ApiClientOut(serializers.ModelSerializer[ApiClient]):
    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiClient
        fields = (
            "id",
            "name",
            "prefix",
            "scopes",
            "allowed_ips",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "last_used_ip",
            "rate_limit_per_minute",
            "created_at",
            "active",
        )

    def get_active(self, obj: ApiClient) -> bool:
        return obj.is_active()


class SupportGrantOut(serializers.ModelSerializer[SupportGrant]):
    staff = serializers.CharField(source="staff.username")
    active = serializers.SerializerMethodField()

    class Meta:
        model = SupportGrant
        fields = (
            "id",
            "staff",
            "scope",
            "case_id",
            "reason",
            "starts_at",
            "expires_at",
            "break_glass",
            "revoked_at",
            "created_at",
            "active",
        )

    def get_active(self, obj: SupportGrant) -> bool:
        return obj.is_active()


class SupportRequestOut(serializers.ModelSerializer[SupportRequest]):
    staff = serializers.CharField(source="staff.username")
    tenant = serializers.CharField(source="tenant.slug")

    class Meta:
        model = SupportRequest
        fields = (
            "id",
            "tenant",
            "staff",
            "scope",
            "case_id",
            "reason",
            "duration_hours",
            "status",
            "answer_by",
            "decided_at",
            "grant",
            "created_at",
        )


class AuditEventOut(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = (
            "seq",
            "created_at",
            "actor_kind",
            "actor_id",
            "actor_label",
            "grant_id",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
            "request_id",
            "ip",
            "user_agent",
            "hash",
        )


def _paginated(view: Any, queryset: Any, serializer: type[serializers.BaseSerializer[Any]]) -> Response:
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer(page, many=True).data)


# --- members -------------------------------------------------------------------------------------


class MemberListApi(TenantAPIView):
    """The tenant's members and their roles."""

    queryset = Membership.objects.select_related("user")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=MembershipOut(many=True), tags=["members"])
    def get(self, request: Request) -> Response:
        return _paginated(self, self.get_queryset(), MembershipOut)


class MemberDetailApi(TenantAPIView):
    queryset = Membership.objects.select_related("user")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": ADMIN, "DELETE": ADMIN}

    class MemberDetailInput(serializers.Serializer[Any]):
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(responses=MembershipOut, tags=["members"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(MembershipOut(self.get_object()).data)

    @extend_schema(request=MemberDetailInput, responses=MembershipOut, tags=["members"])
    def patch(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        data = self.MemberDetailInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            tenant=self.tenant, actor=self.ctx.actor, membership=membership, role=data.validated_data["role"]
        )
        return Response(MembershipOut(membership).data)

    @extend_schema(responses={204: None}, tags=["members"])
    def delete(self, request: Request, pk: str) -> Response:
        services.membership_remove(tenant=self.tenant, actor=self.ctx.actor, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- invitations ---------------------------------------------------------------------------------


class InvitationListApi(TenantAPIView):
    """Invitations by link: expiring, single use; the link is in the response once."""

    queryset = Invitation.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "POST": ADMIN}

    class InvitationListInput(serializers.Serializer[Any]):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices)
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    class InvitationCreated(InvitationOut):
        url = serializers.CharField()

        class Meta(InvitationOut.Meta):
            fields = (*InvitationOut.Meta.fields, "url")  # type: ignore[assignment]

    @extend_schema(responses=InvitationOut(many=True), tags=["members"])
    def get(self, request: Request) -> Response:
        return _paginated(self, self.get_queryset(), InvitationOut)

    @extend_schema(request=InvitationListInput, responses={201: InvitationCreated}, tags=["members"])
    def post(self, request: Request) -> Response:
        data = self.InvitationListInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.invitation_create(tenant=self.tenant, actor=self.ctx.actor, **data.validated_data)
        body = dict(InvitationOut(issued.invitation).data)
        body["url"] = request.build_absolute_uri(issued.path)
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationDetailApi(TenantAPIView):
    queryset = Invitation.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "DELETE": ADMIN}

    @extend_schema(responses=InvitationOut, tags=["members"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(InvitationOut(self.get_object()).data)

    @extend_schema(responses={204: None}, tags=["members"])
    def delete(self, request: Request, pk: str) -> Response:
        services.invitation_revoke(tenant=self.tenant, actor=self.ctx.actor, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- API clients ---------------------------------------------------------------------------------


class ApiClientCreated(ApiClientOut):
    token = serializers.CharField(help_text="Shown once; only its hash is stored.")

    class Meta(ApiClientOut.Meta):
        fields = (*ApiClientOut.Meta.fields, "token")  # type: ignore[assignment]


def _with_token(client: ApiClient, token: str) -> dict[str, Any]:
    body = dict(ApiClientOut(client).data)
    body["token"] = token
    return body


class ApiClientListApi(TenantAPIView):
    """Machine identities of the tenant."""

    queryset = ApiClient.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "POST": ADMIN}

    class ApiClientListInput(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=services.TENANT_API_SCOPE_CHOICES), min_length=1
        )
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        allowed_ips = serializers.ListField(
            child=serializers.CharField(max_length=64), required=False, max_length=100
        )
        rate_limit_per_minute = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=1_000_000
        )

    @extend_schema(responses=ApiClientOut(many=True), tags=["api clients"])
    def get(self, request: Request) -> Response:
        return _paginated(self, self.get_queryset(), ApiClientOut)

    @extend_schema(request=ApiClientListInput, responses={201: ApiClientCreated}, tags=["api clients"])
    def post(self, request: Request) -> Response:
        data = self.ApiClientListInput(data=request.data)
        data.is_valid(raise_exception=True)
        client, token = services.api_client_create(
            tenant=self.tenant, actor=self.ctx.actor, **data.validated_data
        )
        return Response(_with_token(client, token), status=status.HTTP_201_CREATED)


class ApiClientDetailApi(TenantAPIView):
    queryset = ApiClient.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "DELETE": ADMIN}

    @extend_schema(responses=ApiClientOut, tags=["api clients"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(ApiClientOut(self.get_object()).data)

    @extend_schema(responses={204: None}, description="Revokes the client at once.", tags=["api clients"])
    def delete(self, request: Request, pk: str) -> Response:
        services.api_client_revoke(tenant=self.tenant, actor=self.ctx.actor, client=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiClientRotateApi(TenantAPIView):
    queryset = ApiClient.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=ApiClientCreated, tags=["api clients"])
    def post(self, request: Request, pk: str) -> Response:
        client, token = services.api_client_rotate(
            tenant=self.tenant, actor=self.ctx.actor, client=self.get_object()
        )
        return Response(_with_token(client, token))


# --- support access (tenant side) ----------------------------------------------------------------


class SupportRequestListApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=SupportRequestOut(many=True), tags=["support"])
    def get(self, request: Request) -> Response:
        return _paginated(self, self.get_queryset(), SupportRequestOut)


class SupportRequestDetailApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=SupportRequestOut, tags=["support"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(SupportRequestOut(self.get_object()).data)


class SupportRequestApproveApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses={201: SupportGrantOut}, tags=["support"])
    def post(self, request: Request, pk: str) -> Response:
        grant = services.support_request_approve(
            tenant=self.tenant, actor=self.ctx.actor, request=self.get_object()
        )
        return Response(SupportGrantOut(grant).data, status=status.HTTP_201_CREATED)


class SupportRequestDenyApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=SupportRequestOut, tags=["support"])
    def post(self, request: Request, pk: str) -> Response:
        req = services.support_request_deny(
            tenant=self.tenant, actor=self.ctx.actor, request=self.get_object()
        )
        return Response(SupportRequestOut(req).data)


class SupportGrantListApi(TenantAPIView):
    """Every grant the tenant gave (or a support lead took by break-glass)."""

    queryset = SupportGrant.objects.select_related("staff")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    class SupportGrantListInput(serializers.Serializer[Any]):
        staff = serializers.CharField(max_length=150, help_text="The vendor support engineer's username")
        scope = serializers.ChoiceField(choices=SupportScope.choices, default=SupportScope.READ)
        reason = serializers.CharField(max_length=2000)
        case_id = serializers.CharField(max_length=64, required=False, default="")
        duration_hours = serializers.IntegerField(
            min_value=1, max_value=services.SUPPORT_GRANT_MAX_HOURS, default=4
        )

    @extend_schema(responses=SupportGrantOut(many=True), tags=["support"])
    def get(self, request: Request) -> Response:
        return _paginated(self, self.get_queryset(), SupportGrantOut)

    @extend_schema(request=SupportGrantListInput, responses={201: SupportGrantOut}, tags=["support"])
    def post(self, request: Request) -> Response:
        data = self.SupportGrantListInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grant = services.support_grant_create(
            tenant=self.tenant,
            actor=self.ctx.actor,
            staff_username=v["staff"],
            reason=v["reason"],
            scope=v["scope"],
            duration_hours=v["duration_hours"],
            case_id=v["case_id"],
        )
        return Response(SupportGrantOut(grant).data, status=status.HTTP_201_CREATED)


class SupportGrantDetailApi(TenantAPIView):
    queryset = SupportGrant.objects.select_related("staff")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "DELETE": ADMIN}

    @extend_schema(responses=SupportGrantOut, tags=["support"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(SupportGrantOut(self.get_object()).data)

    @extend_schema(responses={204: None}, description="Revokes the grant at once.", tags=["support"])
    def delete(self, request: Request, pk: str) -> Response:
        services.support_grant_revoke(tenant=self.tenant, actor=self.ctx.actor, grant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tenant security -----------------------------------------------------------------------------


class TenantSettingsApi(TenantAPIView):
    """The current tenant; its owners decide whether two-factor sign-in is mandatory."""

    queryset = Membership.objects.none()  # no object lookup: the tenant is the resolved one
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "PATCH": OWNER}

    class TenantSettingsOutput(serializers.ModelSerializer[Tenant]):
        class Meta:
            model = Tenant
            fields = ("id", "slug", "name", "timezone", "require_2fa")

    class TenantSettingsInput(serializers.Serializer[Any]):
        require_2fa = serializers.BooleanField()

    @extend_schema(responses=TenantSettingsOutput, tags=["tenant"])
    def get(self, request: Request) -> Response:
        return Response(self.TenantSettingsOutput(self.tenant).data)

    @extend_schema(request=TenantSettingsInput, responses=TenantSettingsOutput, tags=["tenant"])
    def patch(self, request: Request) -> Response:
        data = self.TenantSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.tenant_update_security(
            tenant=self.tenant, actor=self.ctx.actor, require_2fa=data.validated_data["require_2fa"]
        )
        return Response(self.TenantSettingsOutput(tenant).data)


# --- audit ---------------------------------------------------------------------------------------

AUDIT_FILTER_PARAMETERS = [
    OpenApiParameter("actor", str, description="Actor label (contains) or actor id"),
    OpenApiParameter("action", str, description="Exact action, or a prefix ending in '.'"),
    OpenApiParameter("target", str, description="Target id, type, or label (contains)"),
    OpenApiParameter("grant", OpenApiTypes.UUID, description="Actions taken under this support grant"),
    OpenApiParameter("since", OpenApiTypes.DATETIME),
    OpenApiParameter("until", OpenApiTypes.DATETIME),
]


class AuditEventListApi(TenantAPIView):
    """The tenant's audit log, newest first."""

    queryset = AuditEvent.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    pagination_class = AuditCursorPagination

    @extend_schema(parameters=AUDIT_FILTER_PARAMETERS, responses=AuditEventOut(many=True), tags=["audit"])
    def get(self, request: Request) -> Response:
        filters = selectors.AuditFilter.from_params(request.query_params)
        return _paginated(
            self, selectors.audit_event_list(tenant=self.tenant, filters=filters), AuditEventOut
        )


class _AuditExportApi(TenantAPIView):
    queryset = AuditEvent.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    pagination_class = None  # the whole filtered log, streamed (and so documented)
    kind = "csv"

    def get(self, request: Request) -> StreamingHttpResponse:
        filters = selectors.AuditFilter.from_params(request.query_params)
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        if self.kind == "csv":
            body, content_type = selectors.audit_export_csv(events), "text/csv; charset=utf-8"
        else:
            body, content_type = selectors.audit_export_json(events), "application/json"
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="audit-{self.tenant.slug}.{self.kind}"'
        return response


class AuditExportCsvApi(_AuditExportApi):
    """The filtered audit log as CSV, streamed."""

    kind = "csv"

    @extend_schema(
        parameters=AUDIT_FILTER_PARAMETERS, responses={(200, "text/csv"): OpenApiTypes.STR}, tags=["audit"]
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class AuditExportJsonApi(_AuditExportApi):
    """The filtered audit log as one JSON array, streamed."""

    kind = "json"

    @extend_schema(parameters=AUDIT_FILTER_PARAMETERS, responses=AuditEventOut(many=True), tags=["audit"])
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


# --- vendor side of support ----------------------------------------------------------------------


class _SupportStaffApi(VendorAPIView):
    vendor_scopes: ClassVar[frozenset[str]] = frozenset()  # people only, never a pipeline token
    vendor_roles: ClassVar[frozenset[str]] = frozenset(services.SUPPORT_ROLES)
    read_roles: ClassVar[frozenset[str]] = frozenset(services.SUPPORT_ROLES)

    def staff_actor(self, request: Request) -> tuple[User, Actor]:
        user: User = request.user  # type: ignore[assignment]
        return user, Actor.for_vendor_staff(user, request._request)


def _tenant_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        from console.errors import InvalidInput

        raise InvalidInput("Unknown tenant.", errors={"tenant": ["No tenant with this slug."]})
    return tenant


class VendorSupportRequestListApi(_SupportStaffApi):
    """Support staff: my access requests, and filing a new one (a tenant owner/admin answers)."""

    queryset = SupportRequest.objects.select_related("tenant", "staff")

    class VendorSupportRequestListInput(serializers.Serializer[Any]):
        tenant = serializers.SlugField()
        case_id = serializers.CharField(max_length=64)
        reason = serializers.CharField(max_length=2000)
        scope = serializers.ChoiceField(choices=SupportScope.choices, default=SupportScope.READ)
        duration_hours = serializers.IntegerField(
            min_value=1, max_value=services.SUPPORT_GRANT_MAX_HOURS, default=4
        )

    @extend_schema(responses=SupportRequestOut(many=True), tags=["vendor support"])
    def get(self, request: Request) -> Response:
        return _paginated(
            self, SupportRequest.objects.filter(staff=self.staff_actor(request)[0]), SupportRequestOut
        )

    @extend_schema(
        request=VendorSupportRequestListInput, responses={201: SupportRequestOut}, tags=["vendor support"]
    )
    def post(self, request: Request) -> Response:
        data = self.VendorSupportRequestListInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff, actor = self.staff_actor(request)
        req = services.support_request_create(
            tenant=_tenant_by_slug(v["tenant"]),
            staff=staff,
            actor=actor,
            case_id=v["case_id"],
            reason=v["reason"],
            scope=v["scope"],
            duration_hours=v["duration_hours"],
        )
        return Response(SupportRequestOut(req).data, status=status.HTTP_201_CREATED)


class VendorSupportGrantListApi(_SupportStaffApi):
    """Support staff: the grants I hold."""

    queryset = SupportGrant.objects.select_related("tenant", "staff")

    class VendorSupportGrantListOutput(SupportGrantOut):
        tenant = serializers.CharField(source="tenant.slug")

        class Meta(SupportGrantOut.Meta):
            fields = (*SupportGrantOut.Meta.fields, "tenant")  # type: ignore[assignment]

    @extend_schema(responses=VendorSupportGrantListOutput(many=True), tags=["vendor support"])
    def get(self, request: Request) -> Response:
        return _paginated(
            self,
            SupportGrant.objects.filter(staff=self.staff_actor(request)[0]).select_related("tenant", "staff"),
            self.VendorSupportGrantListOutput,
        )


class VendorBreakGlassApi(_SupportStaffApi):
    """A support lead's emergency read access (at most 4 h; the tenant's admins are told at once)."""

    queryset = SupportGrant.objects.none()
    vendor_roles: ClassVar[frozenset[str]] = frozenset({"support_lead"})

    class VendorBreakGlassInput(serializers.Serializer[Any]):
        tenant = serializers.SlugField()
        justification = serializers.CharField(max_length=2000)
        scope = serializers.ChoiceField(choices=SupportScope.choices, default=SupportScope.READ)
        duration_hours = serializers.IntegerField(
            min_value=1, max_value=services.BREAK_GLASS_MAX_HOURS, default=services.BREAK_GLASS_MAX_HOURS
        )

    @extend_schema(request=VendorBreakGlassInput, responses={201: SupportGrantOut}, tags=["vendor support"])
    def post(self, request: Request) -> Response:
        data = self.VendorBreakGlassInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff, actor = self.staff_actor(request)
        grant = services.support_grant_break_glass(
            tenant=_tenant_by_slug(v["tenant"]),
            staff=staff,
            actor=actor,
            justification=v["justification"],
            scope=v["scope"],
            duration_hours=v["duration_hours"],
        )
        return Response(SupportGrantOut(grant).data, status=status.HTTP_201_CREATED)
