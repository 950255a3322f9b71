"""Telemetry's routes with an object id, for the generic tenant-isolation walker (tests/isolation.py)."""

from __future__ import annotations

from typing import Any

from tests.factories import HostFactory, enrolment_token
from tests.isolation import register


@register("api-host-detail", "host-detail")
def _host(tenant: Any) -> dict[str, Any]:
    return {"pk": HostFactory(tenant=tenant).pk}


@register("api-enrolment-token-detail", "enrolment-token-revoke")
def _enrolment_token(tenant: Any) -> dict[str, Any]:
    token, _ = enrolment_token(tenant)
    return {"pk": token.pk}
