"""Audit actions of desired state (drift repair and resync), declared once: services pass these to
``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

DISTRIBUTION_REPAIRED: Final = "distribution.repair"
DISTRIBUTION_RESYNCED: Final = "distribution.resync"
