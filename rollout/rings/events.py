"""Audit actions of rings and staged rollouts (including the vendor's global halt and recall),
declared once: services pass these to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

RING_CREATED: Final = "ring.created"
RING_UPDATED: Final = "ring.updated"
RING_DELETED: Final = "ring.deleted"
RING_REORDERED: Final = "ring.reordered"
ROLLOUT_STARTED: Final = "rollout.start"
ROLLOUT_ADVANCED: Final = "rollout.advance"
ROLLOUT_COMPLETED: Final = "rollout.complete"
ROLLOUT_HALTED: Final = "rollout.halt"
ROLLOUT_RESUMED: Final = "rollout.resume"
ROLLOUT_ROLLED_BACK: Final = "rollout.rollback"
ROLLOUT_PROMOTE_REQUESTED: Final = "rollout.promote_request"
ROLLOUT_SUPERSEDED: Final = "rollout.supersede"
CONTENT_RELEASE_HALTED: Final = "content_release.halt"
CONTENT_RELEASE_RECALLED: Final = "content_release.recall"
