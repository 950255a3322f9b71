from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from rollout.models.catalog import ContentCategory
from rollout.models.groups import HostGroup


class MaintenanceWindow(models.Model):
    """A recurring window (weekdays, local start, wall-clock duration, IANA timezone) in which
    content may arrive for the policies that use it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="maintenance_windows")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    weekdays = ArrayField(models.PositiveSmallIntegerField(), help_text="0 = Monday ... 6 = Sunday")
    start = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    timezone = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "name"], name="window_unique_name")
        ]
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Freeze(models.Model):
    """A one-off period in which nothing new is delivered, overriding every window. Lifting it early,
    or letting vendor-marked critical content through it (a bypass), needs a second admin to approve."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="freezes")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reason = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    lift_requested_by = models.CharField(max_length=200, blank=True, default="")
    lift_requested_by_id = models.CharField(max_length=64, blank=True, default="")
    lift_requested_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=300, blank=True, default="")
    lifted_by = models.CharField(max_length=200, blank=True, default="")
    lifted_at = models.DateTimeField(null=True, blank=True)
    bypass_requested_by = models.CharField(max_length=200, blank=True, default="")
    bypass_requested_by_id = models.CharField(max_length=64, blank=True, default="")
    bypass_requested_at = models.DateTimeField(null=True, blank=True)
    bypass_reason = models.CharField(max_length=300, blank=True, default="")
    bypass_approved_by = models.CharField(max_length=200, blank=True, default="")
    bypass_approved_at = models.DateTimeField(
        null=True, blank=True, help_text="From then on, vendor-marked critical content passes the freeze"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_at"]

    def __str__(self) -> str:
        return self.reason


class PauseScope(models.TextChoices):
    TENANT = "tenant", "Whole tenant"
    HOST_GROUP = "host_group", "Host group"
    CONTENT_CATEGORY = "content_category", "Content category"
    SENSOR = "sensor", "Sensor updates"


class Pause(models.Model):
    """Nothing new reaches the scope while active; hosts keep what they have. Always wins."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="pauses")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(max_length=20, choices=PauseScope.choices)
    group = models.ForeignKey(HostGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    category = models.ForeignKey(
        ContentCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300)
    created_by = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    expires_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "resumed_at"], name="pause_tenant_active"),
        ]

    def __str__(self) -> str:
        return f"pause {self.scope}: {self.reason}"
