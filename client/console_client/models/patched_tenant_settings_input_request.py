from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedTenantSettingsInputRequest")


@_attrs_define
class PatchedTenantSettingsInputRequest:
    """
    Attributes:
        require_2fa (bool | Unset):
    """

    require_2fa: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        require_2fa = self.require_2fa

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if require_2fa is not UNSET:
            field_dict["require_2fa"] = require_2fa

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        require_2fa = d.pop("require_2fa", UNSET)

        patched_tenant_settings_input_request = cls(
            require_2fa=require_2fa,
        )

        patched_tenant_settings_input_request.additional_properties = d
        return patched_tenant_settings_input_request

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
