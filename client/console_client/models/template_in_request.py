from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TemplateInRequest")


@_attrs_define
class TemplateInRequest:
    """
    Attributes:
        name (str):
        field_types (list[str]):
        min_sensor_build (str):
    """

    name: str
    field_types: list[str]
    min_sensor_build: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        field_types = self.field_types

        min_sensor_build = self.min_sensor_build

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "field_types": field_types,
                "min_sensor_build": min_sensor_build,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        field_types = cast(list[str], d.pop("field_types"))

        min_sensor_build = d.pop("min_sensor_build")

        template_in_request = cls(
            name=name,
            field_types=field_types,
            min_sensor_build=min_sensor_build,
        )

        template_in_request.additional_properties = d
        return template_in_request

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
