"""Management commands of the rollout app."""
