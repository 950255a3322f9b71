from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CategoryInRequest")


@_attrs_define
class CategoryInRequest:
    """
    Attributes:
        key (str):
        name (str | Unset):  Default: ''.
        system_critical (bool | Unset):  Default: False.
        max_pause_hours (int | None | Unset):
    """

    key: str
    name: str | Unset = ""
    system_critical: bool | Unset = False
    max_pause_hours: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        name = self.name

        system_critical = self.system_critical

        max_pause_hours: int | None | Unset
        if isinstance(self.max_pause_hours, Unset):
            max_pause_hours = UNSET
        else:
            max_pause_hours = self.max_pause_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if system_critical is not UNSET:
            field_dict["system_critical"] = system_critical
        if max_pause_hours is not UNSET:
            field_dict["max_pause_hours"] = max_pause_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        name = d.pop("name", UNSET)

        system_critical = d.pop("system_critical", UNSET)

        def _parse_max_pause_hours(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_pause_hours = _parse_max_pause_hours(d.pop("max_pause_hours", UNSET))

        category_in_request = cls(
            key=key,
            name=name,
            system_critical=system_critical,
            max_pause_hours=max_pause_hours,
        )

        category_in_request.additional_properties = d
        return category_in_request

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
