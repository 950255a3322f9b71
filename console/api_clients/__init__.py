"""API clients: a tenant's (or the vendor's) machine identities with scopes; tokens shown once,
stored hashed, expiring, rotatable, revocable. Services, API and pages. Imports console's core modules only."""
