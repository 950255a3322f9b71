from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import ADMIN, OWNER, READ
from console.api import paginated
from console.models import Invitation, Membership, Role, Tenant
from console.people.services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    tenant_update_security,
)
from console.scoping import TenantAPIView


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


class MemberListApi(TenantAPIView):
    """The tenant's members and their roles."""

    queryset = Membership.objects.select_related("user")
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(responses=MembershipOut(many=True), tags=["members"])
    def get(self, request: Request) -> Response:
        return paginated(self, self.get_queryset(), MembershipOut)


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
        membership = membership_change_role(
            tenant=self.tenant, actor=self.ctx.actor, membership=membership, role=data.validated_data["role"]
        )
        return Response(MembershipOut(membership).data)

    @extend_schema(responses={204: None}, tags=["members"])
    def delete(self, request: Request, pk: str) -> Response:
        membership_remove(tenant=self.tenant, actor=self.ctx.actor, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        return paginated(self, self.get_queryset(), InvitationOut)

    @extend_schema(request=InvitationListInput, responses={201: InvitationCreated}, tags=["members"])
    def post(self, request: Request) -> Response:
        data = self.InvitationListInput(data=request.data)
        data.is_valid(raise_exception=True)
        issued = invitation_create(tenant=self.tenant, actor=self.ctx.actor, **data.validated_data)
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
        invitation_revoke(tenant=self.tenant, actor=self.ctx.actor, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        tenant = tenant_update_security(
            tenant=self.tenant, actor=self.ctx.actor, require_2fa=data.validated_data["require_2fa"]
        )
        return Response(self.TenantSettingsOutput(tenant).data)
