"""Distribution sync status per tenant, "resync now", and a host's stored desired state (API)."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from console.scoping import OPERATE, READ, TenantAPIView
from rollout.desired import host_desired, sync_resync, sync_status_for
from rollout.desired_models import DesiredState, TenantRevision


class SyncStatusView(TenantAPIView):
    """Desired, published and acknowledged revision, lag, last error and circuit state."""

    queryset = TenantRevision.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        tags=["distribution"],
        description=(
            "`desired_revision`, `published_revision`, `acknowledged_revision`, `lag_revisions`,"
            " `lag_seconds`, `in_sync`, `pending_changes`, `last_error`, `circuit_state`; `failing`"
            " is true from the `sync.failing` notification of an outage until the next successful"
            " publish (`sync.recovered`), with `failing_since` and `failed_attempts`."
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(sync_status_for(self.tenant))


class SyncResyncView(TenantAPIView):
    """Publishes the tenant's whole desired state again under a new revision and re-checks holds."""

    queryset = TenantRevision.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, tags=["distribution"])
    def post(self, request: Request) -> Response:
        return Response(sync_resync(tenant=self.tenant, actor=self.ctx.actor), status=202)


class HostDesiredView(TenantAPIView):
    """What the host may run now and the rule that decided each subject, as last computed."""

    queryset = DesiredState.objects.all()
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    lookup_field = "host_id"
    lookup_url_kwarg = "pk"

    @extend_schema(responses=OpenApiTypes.OBJECT, tags=["distribution"])
    def get(self, request: Request, pk: Any) -> Response:
        return Response(host_desired(self.tenant, self.get_object()))
