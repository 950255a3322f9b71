"""Websocket authentication: the browser's session cookie, or ``Authorization: Bearer`` for automation."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.http import HttpRequest

from console.authentication import api_client_authenticate


class _TokenMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        scope = dict(scope)
        scope["api_client"] = None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            scope["api_client"] = await _client_for(
                auth.split(None, 1)[1].strip(), scope, headers.get("x-forwarded-for", "")
            )
        return await self.inner(scope, receive, send)


@database_sync_to_async
def _client_for(token: str, scope: dict[str, Any], forwarded_for: str) -> Any:
    from rest_framework.exceptions import AuthenticationFailed

    request = HttpRequest()
    client = scope.get("client") or ("", 0)
    request.META["REMOTE_ADDR"] = client[0] if client else ""
    request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for  # believed only from a trusted proxy
    try:
        return api_client_authenticate(token, request)
    except AuthenticationFailed:
        return None


def WebsocketAuthMiddleware(inner: Any) -> Any:
    return AuthMiddlewareStack(_TokenMiddleware(inner))
