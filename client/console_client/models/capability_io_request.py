from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.accepted_types_enum import AcceptedTypesEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="CapabilityIORequest")


@_attrs_define
class CapabilityIORequest:
    """
    Attributes:
        template_type (str):
        input_count (int):
        accepted_types (list[AcceptedTypesEnum]):
        max_bytes (int | Unset):  Default: 5242880.
        max_entries (int | Unset):  Default: 10000.
    """

    template_type: str
    input_count: int
    accepted_types: list[AcceptedTypesEnum]
    max_bytes: int | Unset = 5242880
    max_entries: int | Unset = 10000
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        template_type = self.template_type

        input_count = self.input_count

        accepted_types = []
        for accepted_types_item_data in self.accepted_types:
            accepted_types_item = accepted_types_item_data.value
            accepted_types.append(accepted_types_item)

        max_bytes = self.max_bytes

        max_entries = self.max_entries

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "template_type": template_type,
                "input_count": input_count,
                "accepted_types": accepted_types,
            }
        )
        if max_bytes is not UNSET:
            field_dict["max_bytes"] = max_bytes
        if max_entries is not UNSET:
            field_dict["max_entries"] = max_entries

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        template_type = d.pop("template_type")

        input_count = d.pop("input_count")

        accepted_types = []
        _accepted_types = d.pop("accepted_types")
        for accepted_types_item_data in _accepted_types:
            accepted_types_item = AcceptedTypesEnum(accepted_types_item_data)

            accepted_types.append(accepted_types_item)

        max_bytes = d.pop("max_bytes", UNSET)

        max_entries = d.pop("max_entries", UNSET)

        capability_io_request = cls(
            template_type=template_type,
            input_count=input_count,
            accepted_types=accepted_types,
            max_bytes=max_bytes,
            max_entries=max_entries,
        )

        capability_io_request.additional_properties = d
        return capability_io_request

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
