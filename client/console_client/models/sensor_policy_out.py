from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.named_ref_out import NamedRefOut
    from ..models.sensor_policy_out_update_blocks_item import (
        SensorPolicyOutUpdateBlocksItem,
    )


T = TypeVar("T", bound="SensorPolicyOut")


@_attrs_define
class SensorPolicyOut:
    """
    Attributes:
        id (UUID):
        name (str):
        platform (str):
        target (str): n, n-1, n-2, pinned:<build> or off.
        update_blocks (list[SensorPolicyOutUpdateBlocksItem]): Times sensor updates are prohibited.
        timezone (str):
        uninstall_protection (bool):
        is_default (bool):
        precedence (int | None): Null for the default policy.
        groups (list[NamedRefOut]):
        version (int):
    """

    id: UUID
    name: str
    platform: str
    target: str
    update_blocks: list[SensorPolicyOutUpdateBlocksItem]
    timezone: str
    uninstall_protection: bool
    is_default: bool
    precedence: int | None
    groups: list[NamedRefOut]
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        platform = self.platform

        target = self.target

        update_blocks = []
        for update_blocks_item_data in self.update_blocks:
            update_blocks_item = update_blocks_item_data.to_dict()
            update_blocks.append(update_blocks_item)

        timezone = self.timezone

        uninstall_protection = self.uninstall_protection

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
                "platform": platform,
                "target": target,
                "update_blocks": update_blocks,
                "timezone": timezone,
                "uninstall_protection": uninstall_protection,
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
        from ..models.sensor_policy_out_update_blocks_item import (
            SensorPolicyOutUpdateBlocksItem,
        )

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        platform = d.pop("platform")

        target = d.pop("target")

        update_blocks = []
        _update_blocks = d.pop("update_blocks")
        for update_blocks_item_data in _update_blocks:
            update_blocks_item = SensorPolicyOutUpdateBlocksItem.from_dict(
                update_blocks_item_data
            )

            update_blocks.append(update_blocks_item)

        timezone = d.pop("timezone")

        uninstall_protection = d.pop("uninstall_protection")

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

        sensor_policy_out = cls(
            id=id,
            name=name,
            platform=platform,
            target=target,
            update_blocks=update_blocks,
            timezone=timezone,
            uninstall_protection=uninstall_protection,
            is_default=is_default,
            precedence=precedence,
            groups=groups,
            version=version,
        )

        sensor_policy_out.additional_properties = d
        return sensor_policy_out

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
