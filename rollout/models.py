"""Vendor catalog (sensor builds, content categories, template types, content releases) and each
tenant's update control (host groups, sensor/content update policies, windows, freezes, pauses)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from telemetry.models import Host, Platform

# --- vendor catalog --------------------------------------------------------------------------------


class BuildStage(models.TextChoices):
    EARLY_ADOPTER = "early_adopter", "Early adopter"
    GA = "ga", "Generally available"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SensorBuild(models.Model):
    """One vendor build of the sensor for one platform (``7.11.18110``, release line ``7.11``).

    N / N-1 / N-2 of a platform are the newest GA builds of its three newest GA release lines."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    version = models.CharField(max_length=32)
    release_line = models.CharField(max_length=16)
    stage = models.CharField(max_length=16, choices=BuildStage.choices, default=BuildStage.EARLY_ADOPTER)
    released_at = models.DateTimeField(default=utc_now)
    notes = models.TextField(blank=True, default="")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["platform", "version"], name="sensorbuild_unique_version")
        ]
        ordering: ClassVar[list[str]] = ["platform", "-released_at"]

    def __str__(self) -> str:
        return f"{self.platform} {self.version}"


class ContentCategory(models.Model):
    """A vendor-defined kind of content (``rapid_response``); a system-critical one has a pause cap."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    system_critical = models.BooleanField(default=False)
    max_pause_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="System-critical only: longest a pause may hold it"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["key"]

    def __str__(self) -> str:
        return self.key


class TemplateType(models.Model):
    """A vendor-declared schema for content instances: the field types (so the field count) and the
    oldest sensor build whose content interpreter understands it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    field_types = ArrayField(models.CharField(max_length=16))
    min_sensor_build = models.CharField(max_length=32)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def field_count(self) -> int:
        return len(self.field_types)


class ContentStage(models.TextChoices):
    INTERNAL = "internal", "Internal"
    CANARY = "canary", "Canary"
    EARLY_ACCESS = "early_access", "Early access"
    GA = "ga", "Generally available"
    RECALLED = "recalled", "Recalled"


class ContentRelease(models.Model):
    """A versioned bundle of template instances for one category. It advances through the vendor
    stages only while its validation report is clean (the gate that would have stopped channel 291)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.ForeignKey(ContentCategory, on_delete=models.PROTECT, related_name="releases")
    version = models.CharField(max_length=32)
    instances = models.JSONField(default=list)
    notes = models.TextField(blank=True, default="", help_text="Markdown")
    stage = models.CharField(max_length=16, choices=ContentStage.choices, default=ContentStage.INTERNAL)
    critical = models.BooleanField(default=False, help_text="May bypass maintenance windows where allowed")
    digest = models.CharField(max_length=64)
    valid = models.BooleanField(default=False)
    validation_report = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=utc_now)
    early_access_at = models.DateTimeField(null=True, blank=True)
    ga_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["category", "version"], name="contentrelease_unique_version")
        ]
        ordering: ClassVar[list[str]] = ["category", "-created_at"]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.version}"


# --- tenant update control -------------------------------------------------------------------------


class HostGroup(models.Model):
    """Hosts chosen by static membership and/or a dynamic rule over host attributes (SQL, never a
    Python loop). ``rule`` is the structured form; ``rule_text`` what the user typed."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="host_groups")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    rule = models.JSONField(null=True, blank=True)
    rule_text = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=utc_now)
    updated_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "name"], name="hostgroup_unique_name")
        ]
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class HostGroupMember(models.Model):
    """A static member of a host group."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(HostGroup, on_delete=models.CASCADE, related_name="members")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["group", "host"], name="hostgroupmember_unique")
        ]

    def __str__(self) -> str:
        return f"{self.host_id} in {self.group_id}"


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


# The orchestration models live in their own modules; importing them here registers them.
from rollout.desired_models import DesiredState, OutboxEntry, TenantRevision  # noqa: E402, F401
from rollout.ring_models import (  # noqa: E402, F401
    Ring,
    Rollout,
    RolloutEvent,
    RolloutState,
    WebhookDelivery,
    WebhookEndpoint,
)
