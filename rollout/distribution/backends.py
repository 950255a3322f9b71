from __future__ import annotations

from typing import Any

from rollout.distribution.base import DistributionBackend
from rollout.distribution.edge import EmbeddedEdgeBackend
from rollout.distribution.http import HttpBackend


def backend_for(settings: Any) -> DistributionBackend:
    """The backend the settings name: ``DISTRIBUTION_BACKEND`` = ``"edge"`` (default) or ``"http"``."""
    kind = getattr(settings, "DISTRIBUTION_BACKEND", "edge") or "edge"
    if kind == "edge":
        return EmbeddedEdgeBackend()
    if kind == "http":
        url = getattr(settings, "DISTRIBUTION_HTTP_URL", "")
        secret = getattr(settings, "DISTRIBUTION_HTTP_SECRET", "")
        if not url or not secret:
            raise ValueError(
                "DISTRIBUTION_BACKEND='http' needs DISTRIBUTION_HTTP_URL and DISTRIBUTION_HTTP_SECRET"
            )
        return HttpBackend(
            url,
            secret,
            timeout=float(getattr(settings, "DISTRIBUTION_HTTP_TIMEOUT", 10.0)),
            max_attempts=int(getattr(settings, "DISTRIBUTION_HTTP_MAX_ATTEMPTS", 5)),
            breaker_threshold=int(getattr(settings, "DISTRIBUTION_BREAKER_THRESHOLD", 5)),
            breaker_reset_seconds=float(getattr(settings, "DISTRIBUTION_BREAKER_RESET_SECONDS", 30.0)),
        )
    raise ValueError(f"DISTRIBUTION_BACKEND={kind!r} is not one of 'edge', 'http'")
