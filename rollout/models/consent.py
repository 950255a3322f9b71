from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from rollout.models.catalog import ContentRelease


class OverrideKind(models.TextChoices):
    """The tenant's own controls a vendor may ask to let one release past. A pause is not one of
    them: a pause always wins (DESIGN section 4 rule 3); the tenant resumes it."""

    FREEZE = "freeze", "Freeze"
    WINDOW = "window", "Maintenance windows"


class OverrideState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class OverrideRule(models.Model):
    """A tenant's standing pre-approval: until ``until``, a vendor override request for a release of
    one of ``categories`` (empty: any) that asks past only ``overrides`` is approved on arrival.
    Revoked, it approves nothing more (requests already approved keep their approval)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="override_rules")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    categories = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    overrides = ArrayField(models.CharField(max_length=16, choices=OverrideKind.choices))
    until = models.DateTimeField()
    reason = models.CharField(max_length=300)
    created_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"standing consent: {', '.join(self.overrides)} until {self.until:%Y-%m-%d}"


class OverrideRequest(models.Model):
    """A vendor's request that one release pass the tenant's freeze and/or maintenance windows.
    Nothing changes for the tenant's hosts until a tenant admin approves it (or a live standing rule
    did); the approval holds until ``expires_at``. A recall never needs one."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="override_requests")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    release = models.ForeignKey(ContentRelease, on_delete=models.PROTECT, related_name="override_requests")
    overrides = ArrayField(models.CharField(max_length=16, choices=OverrideKind.choices))
    reason = models.CharField(max_length=300)
    requested_by = models.CharField(max_length=200)
    requested_by_id = models.CharField(max_length=64, blank=True, default="")
    requested_at = models.DateTimeField(default=utc_now)
    state = models.CharField(max_length=16, choices=OverrideState.choices, default=OverrideState.PENDING)
    expires_at = models.DateTimeField()
    decided_by = models.CharField(max_length=200, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    rule = models.ForeignKey(
        OverrideRule, on_delete=models.PROTECT, null=True, blank=True, related_name="approved_requests"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "state"], name="override_tenant_state"),
        ]

    def __str__(self) -> str:
        return f"override {self.release_id} past {', '.join(self.overrides)}"
