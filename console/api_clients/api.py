from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from console.access import ADMIN
from console.api import paginated
from console.api_clients.services import (
    TENANT_API_SCOPE_CHOICES,
    api_client_create,
    api_client_revoke,
    api_client_rotate,
)
from console.models import ApiClient
from console.scoping import TenantAPIView


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
            child=serializers.ChoiceField(choices=TENANT_API_SCOPE_CHOICES), min_length=1
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
        return paginated(self, self.get_queryset(), ApiClientOut)

    @extend_schema(request=ApiClientListInput, responses={201: ApiClientCreated}, tags=["api clients"])
    def post(self, request: Request) -> Response:
        data = self.ApiClientListInput(data=request.data)
        data.is_valid(raise_exception=True)
        client, token = api_client_create(tenant=self.tenant, actor=self.ctx.actor, **data.validated_data)
        return Response(_with_token(client, token), status=status.HTTP_201_CREATED)


class ApiClientDetailApi(TenantAPIView):
    queryset = ApiClient.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "DELETE": ADMIN}

    @extend_schema(responses=ApiClientOut, tags=["api clients"])
    def get(self, request: Request, pk: str) -> Response:
        return Response(ApiClientOut(self.get_object()).data)

    @extend_schema(responses={204: None}, description="Revokes the client at once.", tags=["api clients"])
    def delete(self, request: Request, pk: str) -> Response:
        api_client_revoke(tenant=self.tenant, actor=self.ctx.actor, client=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiClientRotateApi(TenantAPIView):
    queryset = ApiClient.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}

    @extend_schema(request=None, responses=ApiClientCreated, tags=["api clients"])
    def post(self, request: Request, pk: str) -> Response:
        client, token = api_client_rotate(tenant=self.tenant, actor=self.ctx.actor, client=self.get_object())
        return Response(_with_token(client, token))
