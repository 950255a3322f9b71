"""Desired state, revisions and the outbox (models of the orchestration step)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from telemetry.models import Host


class DesiredState(models.Model):
    """What one host may run now (sensor build and content versions) and the rule that decided it.

    Written only by ``rollout.desired.desired_state_recompute`` with set-based SQL; a row is rewritten
    only when its target or explanation changed, and then carries the tenant revision of that change.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No database constraint: a deleted host's row is removed by the next recompute, which then
    # knows to publish the removal (a cascade would drop it silently).
    host = models.OneToOneField(
        Host, on_delete=models.DO_NOTHING, db_constraint=False, related_name="desired_state"
    )
    platform = models.CharField(max_length=16, blank=True, default="")
    groups = ArrayField(models.CharField(max_length=36), default=list, blank=True)
    sensor_build = models.CharField(max_length=32, blank=True, default="")
    content = models.JSONField(default=dict, blank=True, help_text="category -> version")
    rules = models.JSONField(default=dict, blank=True, help_text="subject -> [rule, reason, policy id]")
    fallback = models.JSONField(
        default=dict,
        blank=True,
        help_text="subject (sensor or category) -> last known-good version the host reverts to by itself",
    )
    revision = models.BigIntegerField(default=0)
    target_revision = models.BigIntegerField(default=0, help_text="Revision at which the target last changed")
    changed_at = models.DateTimeField(default=utc_now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "revision"], name="desired_tenant_revision"),
            # The hosts of some groups (a policy change, a blast radius) without re-running rules.
            GinIndex(fields=["groups"], name="desired_groups"),
        ]

    def __str__(self) -> str:
        return f"desired {self.host_id}@{self.revision}"


class TenantRevision(models.Model):
    """One row per tenant: the desired-state revision counter and how far distribution has got."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="desired_revision")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    revision = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=128, blank=True, default="")
    full_needed = models.BooleanField(default=True, help_text="The next publish replaces the whole host set")
    published_revision = models.BigIntegerField(null=True, blank=True)
    published_digest = models.CharField(max_length=128, blank=True, default="")
    acknowledged_revision = models.BigIntegerField(null=True, blank=True)
    backend = models.CharField(max_length=32, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_repair = models.TextField(blank=True, default="")
    last_reconciled_at = models.DateTimeField(null=True, blank=True)
    recomputed_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    next_boundary_at = models.DateTimeField(null=True, blank=True)
    hosts_watermark = models.DateTimeField(null=True, blank=True)
    hosts_changed_snapshot = models.TextField(
        blank=True,
        default="",
        help_text="pg_snapshot of the last host-change sweep: changes visible in it were recomputed",
    )
    publish_failures = models.PositiveIntegerField(
        default=0, help_text="Failed attempts to reach the backend since the last successful publish"
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failure of the current episode"
    )
    failing_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When sync.failing was sent for the current episode"
    )
    combo_cache = models.JSONField(
        default=dict, blank=True, help_text="Outcome hash per host combination at the last full recompute"
    )
    hosts_total = models.BigIntegerField(
        null=True, blank=True, help_text="Hosts read by the last full pass (every host then had a row)"
    )
    policy_marks = models.JSONField(
        default=dict, blank=True, help_text="Digest and groups per policy at the last pass over every host"
    )
    inputs = models.JSONField(
        default=dict,
        blank=True,
        help_text="Digests of the inputs of the last pass over every host (rollout.desired.inputs)",
    )
    census = models.JSONField(
        default=dict,
        blank=True,
        help_text="Hosts per combination (platform, build, versions, groups) at the last pass over every host",
    )

    def __str__(self) -> str:
        return f"revision {self.revision} (published {self.published_revision})"


class OutboxEntry(models.Model):
    """A change that must reach distribution: written in the transaction of the change itself."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reason = models.CharField(max_length=100)
    host_ids = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=utc_now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant", "created_at"],
                condition=models.Q(processed_at__isnull=True),
                name="outbox_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"outbox {self.reason}"
