"""One shared Redis connection pool per URL for the console's own fast-path data."""

from __future__ import annotations

import threading

import redis
from django.conf import settings

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def redis_client(url: str | None = None) -> redis.Redis:
    """A client for ``url`` (default ``settings.REDIS_URL``); pools are shared per URL."""
    target = url or settings.REDIS_URL
    client = _clients.get(target)
    if client is None:
        with _lock:
            client = _clients.get(target)
            if client is None:
                client = redis.Redis.from_url(
                    target, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
                )
                _clients[target] = client
    return client
