"""``seed_demo`` and ``replay_incident``: thin entry points over ``rollout.demo`` and ``rollout.replay``."""
