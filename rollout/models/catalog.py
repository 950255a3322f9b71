from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now as utc_now

from telemetry.models import Platform


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
    # The contract matrix's second-approver hold: who approved the canary move first (an actor id, so
    # the same person or client cannot be the second), blank until someone has.
    first_approver_id = models.CharField(max_length=64, blank=True, default="")
    first_approver = models.CharField(max_length=200, blank=True, default="")
    first_approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["category", "version"], name="contentrelease_unique_version")
        ]
        ordering: ClassVar[list[str]] = ["category", "-created_at"]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.version}"


class SensorCapability(models.Model):
    """What one sensor build's content interpreter really supplies for one template type: how many
    inputs it feeds the interpreter, which value types each accepts, and how large a file of that
    template type's instances (bytes, entries) it loads. A build interprets nothing it does not
    declare (19 July: the template type wanted 21 inputs, the build supplied 20)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    build = models.ForeignKey(SensorBuild, on_delete=models.CASCADE, related_name="capabilities")
    template_type = models.ForeignKey(TemplateType, on_delete=models.PROTECT, related_name="capabilities")
    input_count = models.PositiveIntegerField()
    accepted_types = ArrayField(models.CharField(max_length=16))
    max_bytes = models.PositiveIntegerField()
    max_entries = models.PositiveIntegerField()
    declared_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["build", "template_type"], name="sensorcapability_unique")
        ]
        ordering: ClassVar[list[str]] = ["build", "template_type"]

    def __str__(self) -> str:
        return f"{self.build_id}:{self.template_type_id}"


class Compatibility(models.TextChoices):
    COMPATIBLE = "compatible", "Compatible"
    UNTESTED = "untested", "Compatible, with untested fields"
    INCOMPATIBLE = "incompatible", "Incompatible"


class ReleaseBuildCheck(models.Model):
    """One cell of the contract matrix: a content release checked against one sensor build in use
    (by platform and version, so a build hosts report that the catalog does not know is a cell too).
    ``problems`` name the instance and field; ``untested`` the fields no instance gives a real value.
    An incompatible cell means hosts on that build are never offered the release."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    release = models.ForeignKey(ContentRelease, on_delete=models.CASCADE, related_name="build_checks")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    build_version = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Compatibility.choices)
    problems = models.JSONField(default=list)
    untested = models.JSONField(default=list)
    hosts = models.PositiveIntegerField(default=0)
    sources = models.JSONField(default=list)  # why the build is in use: n, n-1, n-2, pinned, reported
    checked_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["release", "platform", "build_version"], name="releasebuildcheck_unique"
            )
        ]
        ordering: ClassVar[list[str]] = ["release", "platform", "build_version"]

    def __str__(self) -> str:
        return f"{self.release_id}@{self.platform}:{self.build_version}={self.status}"
