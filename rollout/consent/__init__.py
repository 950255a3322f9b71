"""Consent for vendor overrides (issue 13): a vendor action that would let a release past a tenant's
own freeze or maintenance windows is an ``OverrideRequest`` the tenant's admin approves or declines,
or that a standing pre-approval rule (``OverrideRule``, time-boxed) approves on arrival. Only an
approved request reaches the resolver (``rollout.resolver.override_for``); a recall never needs one.
Services, audit actions, API and the pieces of the pause, rollout and vendor pages. Imports
controls, desired, catalog and below.
"""
