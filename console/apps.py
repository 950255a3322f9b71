from __future__ import annotations

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console foundation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from console import checks, metrics, schema  # noqa: F401 - deploy checks, task metrics, OpenAPI auth
        from console.error_reporting import error_reporting_start

        error_reporting_start(
            dsn=settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT, release=settings.SENTRY_RELEASE
        )
