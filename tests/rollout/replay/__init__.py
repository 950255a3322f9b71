"""Tests of rollout/replay/."""
