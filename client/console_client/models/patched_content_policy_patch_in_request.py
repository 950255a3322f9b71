from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedContentPolicyPatchInRequest")


@_attrs_define
class PatchedContentPolicyPatchInRequest:
    """
    Attributes:
        name (str | Unset):
        mode (str | Unset):
        windows (list[str] | Unset):
        critical_bypass_windows (bool | Unset):
        groups (list[str] | Unset):
    """

    name: str | Unset = UNSET
    mode: str | Unset = UNSET
    windows: list[str] | Unset = UNSET
    critical_bypass_windows: bool | Unset = UNSET
    groups: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        mode = self.mode

        windows: list[str] | Unset = UNSET
        if not isinstance(self.windows, Unset):
            windows = self.windows

        critical_bypass_windows = self.critical_bypass_windows

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if mode is not UNSET:
            field_dict["mode"] = mode
        if windows is not UNSET:
            field_dict["windows"] = windows
        if critical_bypass_windows is not UNSET:
            field_dict["critical_bypass_windows"] = critical_bypass_windows
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        mode = d.pop("mode", UNSET)

        windows = cast(list[str], d.pop("windows", UNSET))

        critical_bypass_windows = d.pop("critical_bypass_windows", UNSET)

        groups = cast(list[str], d.pop("groups", UNSET))

        patched_content_policy_patch_in_request = cls(
            name=name,
            mode=mode,
            windows=windows,
            critical_bypass_windows=critical_bypass_windows,
            groups=groups,
        )

        patched_content_policy_patch_in_request.additional_properties = d
        return patched_content_policy_patch_in_request

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
