"""Host inventory (the fleet as sensors report it), enrolment, crash reports and fleet-health samples."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
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


# What a sensor itself may report; offline and silent are only ever derived by the console.
REPORTED_STATUSES: frozenset[str] = frozenset(
    {HostStatus.ONLINE, HostStatus.CRASHED, HostStatus.BOOT_LOOP, HostStatus.RECOVERING}
)
# Statuses that still expect heartbeats; a host in one of them that stops reporting is re-derived.
LIVE_STATUSES: tuple[str, ...] = (HostStatus.ONLINE, HostStatus.CRASHED, HostStatus.RECOVERING)


class EnrolmentToken(models.Model):
    """A tenant's secret that sensors present once to enrol; it maps to exactly this tenant.

    Created and revoked by tenant admins; the token is shown once, only its SHA-256 is stored.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="enrolment_tokens")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    hosts_enrolled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "-created_at"], name="enrol_token_tenant_created"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class CurrentTransactionId(models.Func):
    """``pg_current_xact_id()`` as a bigint: the id of the transaction writing the row.

    Why a transaction id rather than a time: a reader that records the oldest transaction still
    running (``pg_snapshot_xmin``) as its watermark can never skip a change committed late by a
    transaction that started early, which a timestamp watermark can."""

    template = "pg_current_xact_id()::text::bigint"
    output_field = models.BigIntegerField()


class Host(models.Model):
    """One sensor (agent) on one machine; ``id`` is the sensor's agent id.

    ``status`` is derived by the console from the last heartbeats (``reported_status`` is what the
    sensor itself said last); ``offline`` / ``silent`` / ``boot_loop`` are derived when a host
    stops reporting for three of its heartbeat intervals.
    """

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
    reported_status = models.CharField(max_length=16, blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_interval_s = models.PositiveIntegerField(default=60)
    versions_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the reported sensor build or content versions last changed"
    )
    update_offered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the distribution side last offered this host a new version"
    )
    last_crash_at = models.DateTimeField(null=True, blank=True)
    # Set on enrolment and whenever a heartbeat flush changes an attribute that host-group rules
    # match (hostname, platform, os version, tags, site, sensor build); whoever derives state from
    # those attributes reads the changes since its own watermark.
    changed_xid = models.BigIntegerField(
        null=True,
        db_default=CurrentTransactionId(),
        editable=False,
        help_text="Transaction that last changed a rule-relevant attribute (pg_current_xact_id)",
    )
    credential_prefix = models.CharField(max_length=16, unique=True, null=True, blank=True)
    credential_hash = models.CharField(max_length=64, blank=True, default="")
    enrolment_token = models.ForeignKey(
        EnrolmentToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            # Every list is ordered by (hostname, id) inside a tenant; each filter has its own prefix.
            models.Index(fields=["tenant", "hostname", "id"], name="host_tenant_hostname"),
            models.Index(fields=["tenant", "status", "hostname", "id"], name="host_tenant_status_name"),
            models.Index(fields=["tenant", "platform", "hostname", "id"], name="host_tenant_platform_name"),
            models.Index(fields=["tenant", "sensor_build", "hostname", "id"], name="host_tenant_build_name"),
            models.Index(fields=["tenant", "site", "hostname", "id"], name="host_tenant_site_name"),
            GinIndex(fields=["tags"], name="host_tags_gin"),
            # Substring search (``hostname__icontains``, run as UPPER(hostname) LIKE UPPER('%...%'))
            # is served by ``host_hostname_trgm``, a GIN index of the upper-cased name's trigrams
            # made in migration 0006 with SQL: Django 5.2 renders an OpClass over an expression in
            # a GinIndex with parentheses PostgreSQL refuses.
            # Changes rarely (not on a plain heartbeat), so flush UPDATEs stay HOT.
            models.Index(fields=["tenant", "changed_xid"], name="host_tenant_changed_xid"),
            # Deliberately no index on last_seen_at: every heartbeat changes it, and an index on it
            # would turn each flush UPDATE into a non-HOT update of every index. The quiet-host
            # sweep scans instead, at most every SWEEP_SECONDS (telemetry.ingest).
        ]

    def __str__(self) -> str:
        return self.hostname


class CrashEvent(models.Model):
    """A crash a sensor reported in a heartbeat: which component faulted on which content version."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="crash_events")
    occurred_at = models.DateTimeField()
    component = models.CharField(max_length=64)
    category = models.CharField(max_length=64)
    content_version = models.CharField(max_length=32)
    sensor_build = models.CharField(max_length=32, blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-occurred_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A retried heartbeat repeats its crash events; they land once.
            models.UniqueConstraint(fields=["host", "occurred_at", "component"], name="crash_event_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "occurred_at"], name="crash_tenant_time"),
            models.Index(fields=["host", "-occurred_at"], name="crash_host_time"),
            # The vendor's questions across tenants: who crashed on this release (the canary's
            # sensor-fault rule every gate tick, a recall's first crash report).
            models.Index(fields=["category", "content_version"], name="crash_release"),
        ]

    def __str__(self) -> str:
        return f"{self.component} on {self.category} {self.content_version}"


class FleetSample(models.Model):
    """One tenant's fleet health for one minute (the last snapshot of that minute), for charts."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    minute = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering: ClassVar[list[str]] = ["minute"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "minute"], name="fleet_sample_per_minute"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["minute"], name="fleet_sample_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.minute:%Y-%m-%d %H:%M}"
