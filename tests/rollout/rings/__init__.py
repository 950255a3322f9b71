"""Tests of rollout/rings/."""
