"""ASGI application for benchmarks: the real project with ``bench.urls`` as the root URLconf."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

from django.conf import settings

settings.ROOT_URLCONF = "bench.urls"

from console.asgi import application  # noqa: E402

__all__ = ["application"]
