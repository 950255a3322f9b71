"""Creating tenants, and the seam through which other apps set a new tenant up.

Console knows nothing of policies or rings; an app that needs every tenant to start with some rows
(rollout: a default sensor policy per platform and a default content policy per category) registers
a setup in its ``AppConfig.ready()``. ``tenant_ensure`` runs every registered setup in the
transaction that creates the tenant, so no request path ever has to create defaults on a read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from console.access import Actor
from console.audit import audit_record
from console.events import TENANT_CREATED
from console.models import Tenant

TenantSetup = Callable[..., None]

_setups: list[TenantSetup] = []


def tenant_setup_register(setup: TenantSetup) -> None:
    """``setup(tenant=..., actor=...)`` runs for every tenant created from now on (idempotent setups only)."""
    if setup not in _setups:
        _setups.append(setup)


def tenant_setup_run(*, tenant: Tenant, actor: Actor) -> None:
    """Runs every registered setup for ``tenant`` (they are idempotent: safe on an existing tenant)."""
    for setup in _setups:
        setup(tenant=tenant, actor=actor)


def tenant_ensure(*, slug: str, name: str, timezone: str, actor: Actor) -> tuple[Tenant, bool]:
    """The tenant ``slug``, created (audited, set up) when it does not exist yet."""
    with transaction.atomic():
        tenant, created = Tenant.objects.get_or_create(
            slug=slug, defaults={"name": name, "timezone": timezone}
        )
        if created:
            audit_record(
                tenant=tenant,
                actor=actor,
                action=TENANT_CREATED,
                target=tenant,
                after={"slug": slug, "name": name, "timezone": timezone},
            )
            tenant_setup_run(tenant=tenant, actor=actor)
    return tenant, created
