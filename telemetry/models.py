"""Host inventory (the fleet as sensors report it)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from console.models import Tenant


class Platform(models.TextChoices):
    WINDOWS = "windows", "Windows"
    MACOS = "macos", "macOS"
    LINUX = "linux", "Linux"


class HostStatus(models.TextChoices):
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"
    CRASHED = "crashed", "Crashed"
    BOOT_LOOP = "boot_loop", "Boot loop"
    SILENT = "silent", "Silent"
    RECOVERING = "recovering", "Recovering"


class Host(models.Model):
    """One sensor (agent) on one machine; ``id`` is the sensor's agent id."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="hosts")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hostname = models.CharField(max_length=255)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    os_version = models.CharField(max_length=64, blank=True, default="")
    tags = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    site = models.CharField(max_length=64, blank=True, default="")
    sensor_build = models.CharField(max_length=32, blank=True, default="")
    content_versions = models.JSONField(default=dict, blank=True, help_text="category -> version")
    status = models.CharField(max_length=16, choices=HostStatus.choices, default=HostStatus.ONLINE)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "hostname", "id"], name="host_tenant_hostname"),
            models.Index(fields=["tenant", "status"], name="host_tenant_status"),
            models.Index(fields=["tenant", "platform"], name="host_tenant_platform"),
            GinIndex(fields=["tags"], name="host_tags_gin"),
        ]

    def __str__(self) -> str:
        return self.hostname
