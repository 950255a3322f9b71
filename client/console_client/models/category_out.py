from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CategoryOut")


@_attrs_define
class CategoryOut:
    """
    Attributes:
        id (UUID):
        key (str):
        name (str):
        system_critical (bool):
        max_pause_hours (int | None):
    """

    id: UUID
    key: str
    name: str
    system_critical: bool
    max_pause_hours: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        key = self.key

        name = self.name

        system_critical = self.system_critical

        max_pause_hours: int | None
        max_pause_hours = self.max_pause_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "key": key,
                "name": name,
                "system_critical": system_critical,
                "max_pause_hours": max_pause_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        key = d.pop("key")

        name = d.pop("name")

        system_critical = d.pop("system_critical")

        def _parse_max_pause_hours(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_pause_hours = _parse_max_pause_hours(d.pop("max_pause_hours"))

        category_out = cls(
            id=id,
            key=key,
            name=name,
            system_critical=system_critical,
            max_pause_hours=max_pause_hours,
        )

        category_out.additional_properties = d
        return category_out

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
