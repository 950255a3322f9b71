"""Tests of rollout/catalog/."""
