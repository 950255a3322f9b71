"""Tests of rollout/distribution/."""
