"""Tests of rollout/policies/."""
