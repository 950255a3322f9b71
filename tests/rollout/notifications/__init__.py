"""Tests of rollout/notifications/."""
