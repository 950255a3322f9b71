from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.timezone import now as utc_now

from console.models import Tenant
from telemetry.models import Host


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
