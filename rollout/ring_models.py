"""Rings, health gates, rollouts, vendor stages and notifications (models of the staged-rollout step)."""

from __future__ import annotations
