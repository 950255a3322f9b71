"""The tenant defaults: a default sensor policy per platform and a default content policy per category.

Ensured when a tenant is created (``console.tenancy``, registered by ``rollout.apps``) and for every
tenant when the vendor adds a category; never on a read."""

from __future__ import annotations

from django.db import transaction

from console.access import Actor
from console.audit import audit_record
from console.models import Tenant
from rollout.models import ContentCategory, ContentUpdatePolicy, SensorUpdatePolicy
from rollout.policies.events import CONTENT_POLICY_CREATED, SENSOR_POLICY_CREATED
from rollout.policies.services import DEFAULT_PRECEDENCE, content_policy_dict, sensor_policy_dict
from telemetry.models import Platform

DEFAULT_SENSOR_TARGET = "n-1"


DEFAULT_CONTENT_MODE = "ga"


def policy_defaults_ensure(*, tenant: Tenant, actor: Actor) -> None:
    """Every tenant has a default sensor policy per platform and a default content policy per
    category (they cannot be deleted). Idempotent."""
    with transaction.atomic():
        have_sensor = set(
            SensorUpdatePolicy.objects.filter(tenant=tenant, is_default=True).values_list(
                "platform", flat=True
            )
        )
        for platform in Platform.values:
            if platform not in have_sensor:
                policy, created = SensorUpdatePolicy.objects.get_or_create(
                    tenant=tenant,
                    platform=platform,
                    is_default=True,
                    defaults={
                        "name": f"Default {Platform(platform).label} sensor policy",
                        "target": DEFAULT_SENSOR_TARGET,
                        "precedence": DEFAULT_PRECEDENCE,
                    },
                )
                if created:
                    audit_record(
                        tenant=tenant,
                        actor=actor,
                        action=SENSOR_POLICY_CREATED,
                        target=policy,
                        after=sensor_policy_dict(policy),
                    )
        have_content = set(
            ContentUpdatePolicy.objects.filter(tenant=tenant, is_default=True).values_list(
                "category_id", flat=True
            )
        )
        for category in ContentCategory.objects.exclude(pk__in=have_content):
            content, created = ContentUpdatePolicy.objects.get_or_create(
                tenant=tenant,
                category=category,
                is_default=True,
                defaults={
                    "name": f"Default {category.name.lower()} policy",
                    "mode": DEFAULT_CONTENT_MODE,
                    "precedence": DEFAULT_PRECEDENCE,
                },
            )
            if created:
                audit_record(
                    tenant=tenant,
                    actor=actor,
                    action=CONTENT_POLICY_CREATED,
                    target=content,
                    after=content_policy_dict(content),
                )


DEFAULTS_ACTOR = Actor.system("rollout defaults")
