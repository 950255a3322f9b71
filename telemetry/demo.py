"""Demo data of the telemetry app: one enrolment token per demo tenant (stable, derived from SECRET_KEY).

``seed_demo --json`` prints them under ``enrolment_tokens``; ``simulate_fleet`` enrols its hosts
with them through the real enrolment API.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from console.models import Tenant
from console.tokens import token_hash
from telemetry.credentials import ENROLMENT_PREFIX
from telemetry.models import EnrolmentToken

DEMO_TOKEN_NAME = "demo-fleet"  # noqa: S105 - a label, not a secret


def demo_enrolment_token(slug: str) -> tuple[str, str]:
    """The demo enrolment token of tenant ``slug`` as ``(token, lookup)``; the same on every run."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-enrolment:{slug}".encode(), hashlib.sha256
    ).hexdigest()
    lookup = digest[:12]
    return f"{ENROLMENT_PREFIX}_{lookup}_{digest[12:56]}", lookup


def demo_enrolment_token_ensure(tenant: Tenant) -> str:
    """Creates (or keeps) the tenant's demo enrolment token; returns the secret."""
    token, lookup = demo_enrolment_token(tenant.slug)
    EnrolmentToken.objects.update_or_create(
        prefix=lookup,
        defaults={
            "tenant": tenant,
            "name": DEMO_TOKEN_NAME,
            "token_hash": token_hash(token),
            "revoked_at": None,
        },
    )
    return token


@transaction.atomic
def seed(result: dict[str, Any]) -> dict[str, Any]:
    tokens = []
    for slug in result.get("tenants", []):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is not None:
            tokens.append(
                {"tenant": slug, "name": DEMO_TOKEN_NAME, "token": demo_enrolment_token_ensure(tenant)}
            )
    return {"enrolment_tokens": tokens}
