"""Tests of rollout/desired/."""
