"""Audit actions of vendor-override consent, declared once. A request and its decision are written to
both trails: the tenant's and the vendor's own (``tenant=None``).

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

OVERRIDE_REQUESTED: Final = "override.request"
OVERRIDE_APPROVED: Final = "override.approve"
OVERRIDE_DECLINED: Final = "override.decline"
OVERRIDE_RULE_CREATED: Final = "override_rule.create"
OVERRIDE_RULE_REVOKED: Final = "override_rule.revoke"
