"""Every rollout model (one app label, ``rollout``), re-exported here so ``from rollout.models import X``
works everywhere. Imports only console and telemetry models.
"""

from rollout.models.catalog import (
    BuildStage,
    Compatibility,
    ContentCategory,
    ContentRelease,
    ContentStage,
    ReleaseBuildCheck,
    SensorBuild,
    SensorCapability,
    TemplateType,
)
from rollout.models.consent import OverrideKind, OverrideRequest, OverrideRule, OverrideState
from rollout.models.controls import Freeze, MaintenanceWindow, Pause, PauseScope
from rollout.models.desired import DesiredState, OutboxEntry, TenantRevision
from rollout.models.groups import HostGroup, HostGroupMember
from rollout.models.notifications import WebhookDelivery, WebhookEndpoint
from rollout.models.policies import ContentUpdatePolicy, SensorUpdatePolicy
from rollout.models.rings import Ring, Rollout, RolloutEvent, RolloutState, RolloutStop

__all__ = [
    "BuildStage",
    "Compatibility",
    "ContentCategory",
    "ContentRelease",
    "ContentStage",
    "ContentUpdatePolicy",
    "DesiredState",
    "Freeze",
    "HostGroup",
    "HostGroupMember",
    "MaintenanceWindow",
    "OutboxEntry",
    "OverrideKind",
    "OverrideRequest",
    "OverrideRule",
    "OverrideState",
    "Pause",
    "PauseScope",
    "ReleaseBuildCheck",
    "Ring",
    "Rollout",
    "RolloutEvent",
    "RolloutState",
    "RolloutStop",
    "SensorBuild",
    "SensorCapability",
    "SensorUpdatePolicy",
    "TemplateType",
    "TenantRevision",
    "WebhookDelivery",
    "WebhookEndpoint",
]
