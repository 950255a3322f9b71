"""Audit actions of webhook endpoints, declared once: services pass these to ``audit_record``.

Not ``events.py``: that module already holds ``notify`` (the events sent to people) and imports
``webhooks``, so webhooks importing these names from it would be a cycle.
The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

WEBHOOK_CREATED: Final = "webhook.create"
WEBHOOK_DELETED: Final = "webhook.delete"
WEBHOOK_TESTED: Final = "webhook.test"
WEBHOOK_REDELIVERED: Final = "webhook.redeliver"
WEBHOOK_SECRET_ROTATED: Final = "webhook.rotate_secret"  # noqa: S105 (an action name)
