"""API tokens: recognisable prefix, high-entropy secret, only a SHA-256 stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

TOKEN_PREFIX: Final = "ucc"  # noqa: S105 - a public marker, not a secret


def token_generate() -> tuple[str, str, str]:
    """A new token as ``(token, lookup_prefix, sha256)``; the token itself is shown once only."""
    lookup = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}_{lookup}_{secret}"
    return token, lookup, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_split(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 12 or len(parts[2]) < 20:
        return None
    if not all(c in "0123456789abcdef" for c in parts[1]):
        return None
    return parts[1]


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
