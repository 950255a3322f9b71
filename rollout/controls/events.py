"""Audit actions of customer controls (windows, freezes, pauses), declared once: services pass these
to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

WINDOW_CREATED: Final = "window.create"
WINDOW_UPDATED: Final = "window.update"
WINDOW_DELETED: Final = "window.delete"
FREEZE_CREATED: Final = "freeze.create"
FREEZE_LIFT_REQUESTED: Final = "freeze.lift_request"
FREEZE_LIFTED: Final = "freeze.lift"
FREEZE_BYPASS_REQUESTED: Final = "freeze.bypass_request"
FREEZE_BYPASSED: Final = "freeze.bypass"
PAUSE_CREATED: Final = "pause.create"
PAUSE_RESUMED: Final = "pause.resume"
