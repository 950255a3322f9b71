from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GrowthOut")


@_attrs_define
class GrowthOut:
    """
    Attributes:
        size_bytes (int):
        entries (int):
        previous_version (None | str):
        previous_bytes (int):
        previous_entries (int):
        needs_second_approver (bool):
    """

    size_bytes: int
    entries: int
    previous_version: None | str
    previous_bytes: int
    previous_entries: int
    needs_second_approver: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        size_bytes = self.size_bytes

        entries = self.entries

        previous_version: None | str
        previous_version = self.previous_version

        previous_bytes = self.previous_bytes

        previous_entries = self.previous_entries

        needs_second_approver = self.needs_second_approver

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "size_bytes": size_bytes,
                "entries": entries,
                "previous_version": previous_version,
                "previous_bytes": previous_bytes,
                "previous_entries": previous_entries,
                "needs_second_approver": needs_second_approver,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        size_bytes = d.pop("size_bytes")

        entries = d.pop("entries")

        def _parse_previous_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_version = _parse_previous_version(d.pop("previous_version"))

        previous_bytes = d.pop("previous_bytes")

        previous_entries = d.pop("previous_entries")

        needs_second_approver = d.pop("needs_second_approver")

        growth_out = cls(
            size_bytes=size_bytes,
            entries=entries,
            previous_version=previous_version,
            previous_bytes=previous_bytes,
            previous_entries=previous_entries,
            needs_second_approver=needs_second_approver,
        )

        growth_out.additional_properties = d
        return growth_out

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
