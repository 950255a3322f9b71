from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import ADMIN, READ, Actor
from console.api import paginated
from console.errors import InvalidInput
from console.models import SupportGrant, SupportRequest, SupportScope, Tenant, User
from console.scoping import TenantAPIView, VendorAPIView
from console.support.services import (
    BREAK_GLASS_MAX_HOURS,
    SUPPORT_GRANT_MAX_HOURS,
    SUPPORT_ROLES,
    support_grant_break_glass,
    support_grant_create,
    support_grant_revoke,
    support_request_approve,
    support_request_create,
    support_request_deny,
)


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


class SupportRequestListApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=SupportRequestOut(many=True), tags=["support"])
    def get(self, request: Request) -> Response:
        return paginated(self, self.get_queryset(), SupportRequestOut)


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
        grant = support_request_approve(tenant=self.tenant, actor=self.ctx.actor, request=self.get_object())
        return Response(SupportGrantOut(grant).data, status=status.HTTP_201_CREATED)


class SupportRequestDenyApi(TenantAPIView):
    queryset = SupportRequest.objects.select_related("staff", "tenant")
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=SupportRequestOut, tags=["support"])
    def post(self, request: Request, pk: str) -> Response:
        req = support_request_deny(tenant=self.tenant, actor=self.ctx.actor, request=self.get_object())
        return Response(SupportRequestOut(req).data)


class SupportGrantListApi(TenantAPIView):
    """Every grant the tenant gave (or a support lead took by break-glass)."""

    queryset = SupportGrant.objects.select_related("staff")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    class SupportGrantListInput(serializers.Serializer[Any]):
        staff = serializers.CharField(max_length=150, help_text="The vendor support engineer's username")
        scope = serializers.ChoiceField(choices=SupportScope.choices, default=SupportScope.READ)
        reason = serializers.CharField(max_length=2000)
        case_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        duration_hours = serializers.IntegerField(min_value=1, max_value=SUPPORT_GRANT_MAX_HOURS, default=4)

    @extend_schema(responses=SupportGrantOut(many=True), tags=["support"])
    def get(self, request: Request) -> Response:
        return paginated(self, self.get_queryset(), SupportGrantOut)

    @extend_schema(request=SupportGrantListInput, responses={201: SupportGrantOut}, tags=["support"])
    def post(self, request: Request) -> Response:
        data = self.SupportGrantListInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grant = support_grant_create(
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
        support_grant_revoke(tenant=self.tenant, actor=self.ctx.actor, grant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class _SupportStaffApi(VendorAPIView):
    vendor_scopes: ClassVar[frozenset[str]] = frozenset()  # people only, never a pipeline token
    vendor_roles: ClassVar[frozenset[str]] = frozenset(SUPPORT_ROLES)
    read_roles: ClassVar[frozenset[str]] = frozenset(SUPPORT_ROLES)

    def staff_actor(self, request: Request) -> tuple[User, Actor]:
        user: User = request.user  # type: ignore[assignment]
        return user, Actor.for_vendor_staff(user, request._request)


def _tenant_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
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
        duration_hours = serializers.IntegerField(min_value=1, max_value=SUPPORT_GRANT_MAX_HOURS, default=4)

    @extend_schema(responses=SupportRequestOut(many=True), tags=["vendor support"])
    def get(self, request: Request) -> Response:
        return paginated(
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
        req = support_request_create(
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
        return paginated(
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
            min_value=1, max_value=BREAK_GLASS_MAX_HOURS, default=BREAK_GLASS_MAX_HOURS
        )

    @extend_schema(request=VendorBreakGlassInput, responses={201: SupportGrantOut}, tags=["vendor support"])
    def post(self, request: Request) -> Response:
        data = self.VendorBreakGlassInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff, actor = self.staff_actor(request)
        grant = support_grant_break_glass(
            tenant=_tenant_by_slug(v["tenant"]),
            staff=staff,
            actor=actor,
            justification=v["justification"],
            scope=v["scope"],
            duration_hours=v["duration_hours"],
        )
        return Response(SupportGrantOut(grant).data, status=status.HTTP_201_CREATED)
