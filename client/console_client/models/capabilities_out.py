from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.capability_io import CapabilityIO


T = TypeVar("T", bound="CapabilitiesOut")


@_attrs_define
class CapabilitiesOut:
    """
    Attributes:
        build (UUID):
        platform (str):
        version (str):
        capabilities (list[CapabilityIO]):
    """

    build: UUID
    platform: str
    version: str
    capabilities: list[CapabilityIO]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        build = str(self.build)

        platform = self.platform

        version = self.version

        capabilities = []
        for capabilities_item_data in self.capabilities:
            capabilities_item = capabilities_item_data.to_dict()
            capabilities.append(capabilities_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "build": build,
                "platform": platform,
                "version": version,
                "capabilities": capabilities,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.capability_io import CapabilityIO

        d = dict(src_dict)
        build = UUID(d.pop("build"))

        platform = d.pop("platform")

        version = d.pop("version")

        capabilities = []
        _capabilities = d.pop("capabilities")
        for capabilities_item_data in _capabilities:
            capabilities_item = CapabilityIO.from_dict(capabilities_item_data)

            capabilities.append(capabilities_item)

        capabilities_out = cls(
            build=build,
            platform=platform,
            version=version,
            capabilities=capabilities,
        )

        capabilities_out.additional_properties = d
        return capabilities_out

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
