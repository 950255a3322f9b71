"""Tests of rollout/resolver/."""
