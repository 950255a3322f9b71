from __future__ import annotations

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rollout.selectors import RolloutHostGroupSource
        from telemetry.membership import group_source_register

        group_source_register(RolloutHostGroupSource())
