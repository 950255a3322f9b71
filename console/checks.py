"""Deployment checks of the console's own settings (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def audit_anchor_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = str(getattr(settings, "AUDIT_ANCHOR_KEY", "") or "")
    if key and not key.startswith("dev-only-") and len(key) >= 32:
        return []
    return [
        Warning(
            "AUDIT_ANCHOR_KEY is missing, a development key or shorter than 32 characters: the audit "
            "chains' heads cannot be signed, so a chain rewritten in the database goes unnoticed.",
            hint="Set AUDIT_ANCHOR_KEY or AUDIT_ANCHOR_KEY_FILE (random, kept out of the database).",
            id="console.W001",
        )
    ]


@register(Tags.security, deploy=True)
def metrics_token_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    token = str(getattr(settings, "METRICS_TOKEN", "") or "")
    if not token or len(token) >= 24:
        return []  # no token: /metrics does not exist
    return [
        Warning(
            "METRICS_TOKEN is shorter than 24 characters: /metrics (tenant names, queue depths, "
            "traffic) is guarded by a guessable token.",
            hint="Set METRICS_TOKEN or METRICS_TOKEN_FILE to a random value of 24+ characters.",
            id="console.W002",
        )
    ]
