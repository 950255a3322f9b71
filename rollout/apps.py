from __future__ import annotations

from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "rollout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.metrics import metrics_source_register
        from console.tenancy import tenant_setup_register
        from rollout.distribution.credentials import edge_credential_loader_register
        from rollout.metrics import rollout_metrics
        from rollout.policies.defaults import policy_defaults_ensure
        from rollout.selectors.groups import RolloutHostGroupSource
        from telemetry.credentials import host_credential_load
        from telemetry.membership import group_source_register

        # Telemetry defines these seams and knows nothing of rollout; rollout plugs in here.
        group_source_register(RolloutHostGroupSource())
        # Every new tenant starts with its default policies (reads never create them).
        tenant_setup_register(policy_defaults_ensure)
        # Celery tasks live next to their services (autodiscovery only imports <app>.tasks); each
        # keeps the name it was registered under, so beat entries and queued messages still match.
        import rollout.desired.tasks
        import rollout.notifications.webhooks
        import rollout.rings.tick  # noqa: F401

        edge_credential_loader_register(host_credential_load)
        # Outbox, sync, breakers and gate tick, read when Prometheus scrapes /metrics.
        metrics_source_register("rollout", rollout_metrics)
