"""Releases, groups, policies, the resolver, desired state, distribution, rings and gates."""
