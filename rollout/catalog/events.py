"""Audit actions of the vendor catalog, declared once: services pass these to ``audit_record``.

The strings are stored in audit rows and filtered on, so they never change once shipped.
"""

from __future__ import annotations

from typing import Final

SENSOR_BUILD_PUBLISHED: Final = "sensor_build.publish"
SENSOR_BUILD_STAGED: Final = "sensor_build.stage"
CONTENT_CATEGORY_CREATED: Final = "content_category.create"
TEMPLATE_TYPE_CREATED: Final = "template_type.create"
CONTENT_RELEASE_PUBLISHED: Final = "content_release.publish"
CONTENT_RELEASE_STAGED: Final = "content_release.stage"
CONTENT_RELEASE_STAGE_REFUSED: Final = "content_release.stage_refused"
SENSOR_CAPABILITIES_DECLARED: Final = "sensor_build.capabilities"
CONTENT_RELEASE_APPROVED: Final = "content_release.approve"
CONTENT_RELEASE_MATRIX_CHECKED: Final = "content_release.matrix"
