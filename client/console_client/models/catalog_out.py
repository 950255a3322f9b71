from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.catalog_out_sensor_levels import CatalogOutSensorLevels
    from ..models.category_out import CategoryOut
    from ..models.release_out import ReleaseOut


T = TypeVar("T", bound="CatalogOut")


@_attrs_define
class CatalogOut:
    """
    Attributes:
        sensor_levels (CatalogOutSensorLevels): Per platform.
        categories (list[CategoryOut]):
        content_releases (list[ReleaseOut]): The latest 200 releases past the vendor's internal stage.
    """

    sensor_levels: CatalogOutSensorLevels
    categories: list[CategoryOut]
    content_releases: list[ReleaseOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sensor_levels = self.sensor_levels.to_dict()

        categories = []
        for categories_item_data in self.categories:
            categories_item = categories_item_data.to_dict()
            categories.append(categories_item)

        content_releases = []
        for content_releases_item_data in self.content_releases:
            content_releases_item = content_releases_item_data.to_dict()
            content_releases.append(content_releases_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sensor_levels": sensor_levels,
                "categories": categories,
                "content_releases": content_releases,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.catalog_out_sensor_levels import CatalogOutSensorLevels
        from ..models.category_out import CategoryOut
        from ..models.release_out import ReleaseOut

        d = dict(src_dict)
        sensor_levels = CatalogOutSensorLevels.from_dict(d.pop("sensor_levels"))

        categories = []
        _categories = d.pop("categories")
        for categories_item_data in _categories:
            categories_item = CategoryOut.from_dict(categories_item_data)

            categories.append(categories_item)

        content_releases = []
        _content_releases = d.pop("content_releases")
        for content_releases_item_data in _content_releases:
            content_releases_item = ReleaseOut.from_dict(content_releases_item_data)

            content_releases.append(content_releases_item)

        catalog_out = cls(
            sensor_levels=sensor_levels,
            categories=categories,
            content_releases=content_releases,
        )

        catalog_out.additional_properties = d
        return catalog_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
