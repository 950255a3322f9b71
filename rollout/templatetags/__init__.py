"""Template tags of the rollout pages: the policy pickers (``rollout.policies.pickers``). May
import from ``rollout`` and lower layers, like the pages that load them."""
