"""Tests of rollout/groups/."""
