from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.capability_io_request import CapabilityIORequest


T = TypeVar("T", bound="BuildInRequest")


@_attrs_define
class BuildInRequest:
    """
    Attributes:
        platform (str):
        version (str):
        stage (str | Unset):  Default: 'early_adopter'.
        notes (str | Unset):  Default: ''.
        capabilities (list[CapabilityIORequest] | Unset):
    """

    platform: str
    version: str
    stage: str | Unset = "early_adopter"
    notes: str | Unset = ""
    capabilities: list[CapabilityIORequest] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        platform = self.platform

        version = self.version

        stage = self.stage

        notes = self.notes

        capabilities: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.capabilities, Unset):
            capabilities = []
            for capabilities_item_data in self.capabilities:
                capabilities_item = capabilities_item_data.to_dict()
                capabilities.append(capabilities_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "platform": platform,
                "version": version,
            }
        )
        if stage is not UNSET:
            field_dict["stage"] = stage
        if notes is not UNSET:
            field_dict["notes"] = notes
        if capabilities is not UNSET:
            field_dict["capabilities"] = capabilities

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.capability_io_request import CapabilityIORequest

        d = dict(src_dict)
        platform = d.pop("platform")

        version = d.pop("version")

        stage = d.pop("stage", UNSET)

        notes = d.pop("notes", UNSET)

        _capabilities = d.pop("capabilities", UNSET)
        capabilities: list[CapabilityIORequest] | Unset = UNSET
        if _capabilities is not UNSET:
            capabilities = []
            for capabilities_item_data in _capabilities:
                capabilities_item = CapabilityIORequest.from_dict(
                    capabilities_item_data
                )

                capabilities.append(capabilities_item)

        build_in_request = cls(
            platform=platform,
            version=version,
            stage=stage,
            notes=notes,
            capabilities=capabilities,
        )

        build_in_request.additional_properties = d
        return build_in_request

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
