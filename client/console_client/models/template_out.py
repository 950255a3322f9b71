from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TemplateOut")


@_attrs_define
class TemplateOut:
    """
    Attributes:
        id (UUID):
        name (str):
        field_count (int):
        field_types (list[str]):
        min_sensor_build (str):
    """

    id: UUID
    name: str
    field_count: int
    field_types: list[str]
    min_sensor_build: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        field_count = self.field_count

        field_types = self.field_types

        min_sensor_build = self.min_sensor_build

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "field_count": field_count,
                "field_types": field_types,
                "min_sensor_build": min_sensor_build,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        field_count = d.pop("field_count")

        field_types = cast(list[str], d.pop("field_types"))

        min_sensor_build = d.pop("min_sensor_build")

        template_out = cls(
            id=id,
            name=name,
            field_count=field_count,
            field_types=field_types,
            min_sensor_build=min_sensor_build,
        )

        template_out.additional_properties = d
        return template_out

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
