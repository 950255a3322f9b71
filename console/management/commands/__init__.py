"""``audit_verify``: checks every tenant's audit hash chain."""
