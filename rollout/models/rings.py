"""Rings, health gates, rollouts, vendor stages and notifications (models of the staged-rollout step)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant


class Ring(models.Model):
    """One step of a tenant's staged rollout order: a host group, or a stable percentage of the
    tenant's hosts (by a hash of the host id, so a host stays in its ring), with a soak time and the
    thresholds of its health gate. Rings are cumulative: a host belongs to the first ring that takes it;
    a host no ring takes receives a release only once the rollout has passed the last ring."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="rings")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    group = models.ForeignKey(
        "rollout.HostGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="rings"
    )
    percentage = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Hosts whose id hashes below it"
    )
    soak_minutes = models.PositiveIntegerField(default=60)
    max_crash_rate = models.FloatField(default=0.02)
    max_boot_loop_rate = models.FloatField(default=0.02)
    max_silence_rate = models.FloatField(default=0.05)
    max_update_failure_rate = models.FloatField(default=0.10)
    min_sample = models.PositiveIntegerField(default=5)
    statistical_gate = models.BooleanField(
        default=False,
        help_text="Also compare with a control cohort (hosts not reached yet): halt on evidence of a rise, "
        "pass only on evidence of none (an inconclusive ring keeps soaking past its soak time)",
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change: the ETag")
    created_at = models.DateTimeField(default=utc_now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "order"], name="ring_unique_order"),
            models.UniqueConstraint(fields=["tenant", "name"], name="ring_unique_name"),
        ]
        ordering: ClassVar[list[str]] = ["tenant", "order"]

    def __str__(self) -> str:
        return self.name


class RolloutState(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_RING = "in_ring", "In ring"
    HALTED = "halted", "Halted"
    COMPLETED = "completed", "Completed"
    ROLLED_BACK = "rolled_back", "Rolled back"
    SUPERSEDED = "superseded", "Superseded"  # a sensor build no N level resolves to any more


class Rollout(models.Model):
    """One release (content version of a category, or a sensor build of a platform) moving through
    one tenant's rings. ``ring_index`` is 0-based; hosts in rings ``<= ring_index`` may have
    ``version``, the others keep ``previous_version`` (the last known good)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="rollouts")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.CharField(max_length=80, help_text="content:<category> or sensor:<platform>")
    version = models.CharField(max_length=32)
    previous_version = models.CharField(max_length=32, blank=True, default="")
    release = models.ForeignKey(
        "rollout.ContentRelease", on_delete=models.CASCADE, null=True, blank=True, related_name="rollouts"
    )
    state = models.CharField(max_length=16, choices=RolloutState.choices, default=RolloutState.PENDING)
    ring_index = models.PositiveIntegerField(default=0)
    ring_entered_at = models.DateTimeField(null=True, blank=True)
    halted_reason = models.CharField(max_length=500, blank=True, default="")
    last_gate = models.JSONField(default=dict, blank=True)
    promote_requested_by = models.CharField(max_length=200, blank=True, default="")
    promote_requested_by_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=utc_now)
    updated_at = models.DateTimeField(default=utc_now)
    halted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant", "subject", "version"], name="rollout_unique_version"),
        ]
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "state"], name="rollout_tenant_state"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.version}"

    @property
    def category(self) -> str:
        """The content category, or the platform of a sensor-build rollout."""
        return self.subject.split(":", 1)[1]

    @property
    def is_sensor(self) -> bool:
        return self.subject.startswith("sensor:")


class RolloutEvent(models.Model):
    """The history of one rollout: started, ring advanced, gate failed, halted, resumed, promoted,
    rolled back, recalled (append-only; the audit log records who, this records what happened)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rollout = models.ForeignKey(Rollout, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=utc_now)
    kind = models.CharField(max_length=32)
    ring_index = models.PositiveIntegerField(default=0)
    actor = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class RolloutStop(models.Model):
    """One halt or rollback (recall) of a rollout: the hold that carried it to the distribution
    backend ahead of the recompute, and the stage timestamps of the safety loop (when the crash
    report reached the console, when a gate saw it, when the stop committed, when its hold was
    published, when the edge first served it, when the hold was cleared)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rollout = models.ForeignKey(
        Rollout, on_delete=models.CASCADE, related_name="stops", null=True, blank=True
    )
    release = models.ForeignKey(
        "rollout.ContentRelease",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        help_text="A recall's stop in a tenant with no rollout of the release (no rings)",
    )
    kind = models.CharField(max_length=16, help_text="halted or rolled_back")
    hold_scope = models.CharField(max_length=16)
    hold_key = models.CharField(max_length=200)
    reason = models.CharField(max_length=500, blank=True, default="")
    by_signal = models.BooleanField(default=False, help_text="Woken by a crash signal, not the tick")
    crash_received_at = models.DateTimeField(null=True, blank=True)
    gate_seen_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(default=utc_now)
    hold_published_at = models.DateTimeField(null=True, blank=True)
    edge_served_at = models.DateTimeField(null=True, blank=True)
    hold_cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-committed_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["tenant"],
                name="rolloutstop_holding",
                condition=models.Q(hold_cleared_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.rollout_id or self.release_id}"
