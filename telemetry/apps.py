from __future__ import annotations

from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    name = "telemetry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console.metrics import metrics_source_register
        from telemetry.metrics import telemetry_metrics

        # Staged heartbeats and the last flush, read when Prometheus scrapes /metrics.
        metrics_source_register("telemetry", telemetry_metrics)
