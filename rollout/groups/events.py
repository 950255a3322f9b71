"""Audit actions of host groups, declared once: services pass these to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

HOST_GROUP_CREATED: Final = "host_group.create"
HOST_GROUP_UPDATED: Final = "host_group.update"
HOST_GROUP_DELETED: Final = "host_group.delete"
HOST_GROUP_MEMBERS_CHANGED: Final = "host_group.members"
