from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SensorLevelOut")


@_attrs_define
class SensorLevelOut:
    """
    Attributes:
        level (str): n, n-1 or n-2.
        build (str):
        release_line (str):
    """

    level: str
    build: str
    release_line: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        level = self.level

        build = self.build

        release_line = self.release_line

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "level": level,
                "build": build,
                "release_line": release_line,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        level = d.pop("level")

        build = d.pop("build")

        release_line = d.pop("release_line")

        sensor_level_out = cls(
            level=level,
            build=build,
            release_line=release_line,
        )

        sensor_level_out.additional_properties = d
        return sensor_level_out

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
