"""People of a tenant: members and their roles, invitations, and the tenant's security settings;
their services, API and pages. Imports console's core modules only."""
