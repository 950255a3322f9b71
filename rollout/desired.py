"""Desired state: incremental recompute, publish to the distribution backend (being written)."""

from __future__ import annotations


def outbox_process(tenant_id: str) -> None:
    """Recomputes and publishes one tenant's desired state from its pending outbox rows."""
    raise NotImplementedError
