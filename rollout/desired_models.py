"""Desired state, revisions and the outbox (models of the orchestration step)."""

from __future__ import annotations
