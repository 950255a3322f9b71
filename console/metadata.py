"""What an ``OPTIONS`` request to the API answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView


class DescriptiveMetadata(SimpleMetadata):
    """Name, description and media types of the view, without DRF's per-method "actions".

    DRF builds the actions from ``view.get_serializer()``, which asserts (a 500) on views that
    pick their serializers per method instead of setting ``serializer_class``; the OpenAPI
    schema at ``/api/v1/schema/`` is where request bodies are described.
    """

    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
