from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.doc_sensor_policy_out_update_blocks_item import (
        DocSensorPolicyOutUpdateBlocksItem,
    )


T = TypeVar("T", bound="DocSensorPolicyOut")


@_attrs_define
class DocSensorPolicyOut:
    """
    Attributes:
        name (str):
        platform (str):
        default (bool):
        target (str):
        update_blocks (list[DocSensorPolicyOutUpdateBlocksItem]):
        timezone (str):
        uninstall_protection (bool):
        groups (list[str]):
    """

    name: str
    platform: str
    default: bool
    target: str
    update_blocks: list[DocSensorPolicyOutUpdateBlocksItem]
    timezone: str
    uninstall_protection: bool
    groups: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        platform = self.platform

        default = self.default

        target = self.target

        update_blocks = []
        for update_blocks_item_data in self.update_blocks:
            update_blocks_item = update_blocks_item_data.to_dict()
            update_blocks.append(update_blocks_item)

        timezone = self.timezone

        uninstall_protection = self.uninstall_protection

        groups = self.groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "platform": platform,
                "default": default,
                "target": target,
                "update_blocks": update_blocks,
                "timezone": timezone,
                "uninstall_protection": uninstall_protection,
                "groups": groups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.doc_sensor_policy_out_update_blocks_item import (
            DocSensorPolicyOutUpdateBlocksItem,
        )

        d = dict(src_dict)
        name = d.pop("name")

        platform = d.pop("platform")

        default = d.pop("default")

        target = d.pop("target")

        update_blocks = []
        _update_blocks = d.pop("update_blocks")
        for update_blocks_item_data in _update_blocks:
            update_blocks_item = DocSensorPolicyOutUpdateBlocksItem.from_dict(
                update_blocks_item_data
            )

            update_blocks.append(update_blocks_item)

        timezone = d.pop("timezone")

        uninstall_protection = d.pop("uninstall_protection")

        groups = cast(list[str], d.pop("groups"))

        doc_sensor_policy_out = cls(
            name=name,
            platform=platform,
            default=default,
            target=target,
            update_blocks=update_blocks,
            timezone=timezone,
            uninstall_protection=uninstall_protection,
            groups=groups,
        )

        doc_sensor_policy_out.additional_properties = d
        return doc_sensor_policy_out

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
