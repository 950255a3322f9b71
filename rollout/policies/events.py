"""Audit actions of sensor-update and content-update policies and of policy as code, declared once:
services pass these to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

SENSOR_POLICY_CREATED: Final = "sensor_policy.create"
SENSOR_POLICY_UPDATED: Final = "sensor_policy.update"
SENSOR_POLICY_DELETED: Final = "sensor_policy.delete"
SENSOR_POLICY_REORDERED: Final = "sensor_policy.reorder"
CONTENT_POLICY_CREATED: Final = "content_policy.create"
CONTENT_POLICY_UPDATED: Final = "content_policy.update"
CONTENT_POLICY_DELETED: Final = "content_policy.delete"
CONTENT_POLICY_REORDERED: Final = "content_policy.reorder"
POLICY_IMPORTED: Final = "policy.import"
