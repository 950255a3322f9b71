from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.named_ref_out import NamedRefOut


T = TypeVar("T", bound="ContentPolicyOut")


@_attrs_define
class ContentPolicyOut:
    """
    Attributes:
        id (UUID):
        name (str):
        category (str):
        mode (str): early_access, ga, ga+<hours>, pinned:<version> or paused.
        windows (list[NamedRefOut]):
        critical_bypass_windows (bool):
        is_default (bool):
        precedence (int | None): Null for the default policy.
        groups (list[NamedRefOut]):
        version (int):
    """

    id: UUID
    name: str
    category: str
    mode: str
    windows: list[NamedRefOut]
    critical_bypass_windows: bool
    is_default: bool
    precedence: int | None
    groups: list[NamedRefOut]
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        category = self.category

        mode = self.mode

        windows = []
        for windows_item_data in self.windows:
            windows_item = windows_item_data.to_dict()
            windows.append(windows_item)

        critical_bypass_windows = self.critical_bypass_windows

        is_default = self.is_default

        precedence: int | None
        precedence = self.precedence

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "category": category,
                "mode": mode,
                "windows": windows,
                "critical_bypass_windows": critical_bypass_windows,
                "is_default": is_default,
                "precedence": precedence,
                "groups": groups,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.named_ref_out import NamedRefOut

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        category = d.pop("category")

        mode = d.pop("mode")

        windows = []
        _windows = d.pop("windows")
        for windows_item_data in _windows:
            windows_item = NamedRefOut.from_dict(windows_item_data)

            windows.append(windows_item)

        critical_bypass_windows = d.pop("critical_bypass_windows")

        is_default = d.pop("is_default")

        def _parse_precedence(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        precedence = _parse_precedence(d.pop("precedence"))

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = NamedRefOut.from_dict(groups_item_data)

            groups.append(groups_item)

        version = d.pop("version")

        content_policy_out = cls(
            id=id,
            name=name,
            category=category,
            mode=mode,
            windows=windows,
            critical_bypass_windows=critical_bypass_windows,
            is_default=is_default,
            precedence=precedence,
            groups=groups,
            version=version,
        )

        content_policy_out.additional_properties = d
        return content_policy_out

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
