from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DocContentPolicyOut")


@_attrs_define
class DocContentPolicyOut:
    """
    Attributes:
        name (str):
        category (str):
        default (bool):
        mode (str):
        windows (list[str]):
        critical_bypass_windows (bool):
        groups (list[str]):
    """

    name: str
    category: str
    default: bool
    mode: str
    windows: list[str]
    critical_bypass_windows: bool
    groups: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        category = self.category

        default = self.default

        mode = self.mode

        windows = self.windows

        critical_bypass_windows = self.critical_bypass_windows

        groups = self.groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "category": category,
                "default": default,
                "mode": mode,
                "windows": windows,
                "critical_bypass_windows": critical_bypass_windows,
                "groups": groups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        category = d.pop("category")

        default = d.pop("default")

        mode = d.pop("mode")

        windows = cast(list[str], d.pop("windows"))

        critical_bypass_windows = d.pop("critical_bypass_windows")

        groups = cast(list[str], d.pop("groups"))

        doc_content_policy_out = cls(
            name=name,
            category=category,
            default=default,
            mode=mode,
            windows=windows,
            critical_bypass_windows=critical_bypass_windows,
            groups=groups,
        )

        doc_content_policy_out.additional_properties = d
        return doc_content_policy_out

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
