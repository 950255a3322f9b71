"""Vendor catalog (sensor builds, content categories, template types, content releases) and each
tenant's update control (host groups, sensor/content update policies, windows, freezes, pauses)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from rollout.models.catalog import ContentCategory
from rollout.models.controls import MaintenanceWindow
from rollout.models.groups import HostGroup
from telemetry.models import Platform


class SensorUpdatePolicy(models.Model):
    """Which sensor build a platform's hosts should run (``n``, ``n-1``, ``n-2``, ``pinned:<build>``,
    ``off``) and when sensor updates are prohibited. Lower ``precedence`` wins; the default policy
    (one per platform, cannot be deleted) applies to hosts no other policy reaches."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sensor_policies")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    target = models.CharField(max_length=48)
    update_blocks = models.JSONField(default=list, blank=True, help_text="[{weekdays, start, end}]")
    timezone = models.CharField(max_length=64, default="UTC")
    uninstall_protection = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    precedence = models.PositiveIntegerField(default=1)
    groups = models.ManyToManyField(HostGroup, blank=True, related_name="sensor_policies")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "name"], name="sensorpolicy_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "platform"],
                condition=models.Q(is_default=True),
                name="sensorpolicy_one_default_per_platform",
            ),
        ]
        ordering: ClassVar[list[str]] = ["platform", "is_default", "precedence"]

    def __str__(self) -> str:
        return self.name


class ContentUpdatePolicy(models.Model):
    """How one content category reaches hosts: ``early_access``, ``ga``, ``ga+<hours>``,
    ``pinned:<version>`` or ``paused``; optional maintenance windows; whether vendor-marked critical
    content may bypass them. Ordered by ``precedence`` like sensor policies."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="content_policies")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    category = models.ForeignKey(ContentCategory, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=48)
    windows = models.ManyToManyField(MaintenanceWindow, blank=True, related_name="content_policies")
    critical_bypass_windows = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    precedence = models.PositiveIntegerField(default=1)
    groups = models.ManyToManyField(HostGroup, blank=True, related_name="content_policies")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "name"], name="contentpolicy_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "category"],
                condition=models.Q(is_default=True),
                name="contentpolicy_one_default_per_category",
            ),
        ]
        ordering: ClassVar[list[str]] = ["category", "is_default", "precedence"]

    def __str__(self) -> str:
        return self.name
