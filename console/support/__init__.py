"""Vendor support access: support requests, grants a tenant approves, sees and revokes, break-glass
read access, and support sessions; the tenant's and the vendor staff's sides. Imports console's core
modules only."""
