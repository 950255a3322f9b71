from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.patched_sensor_policy_patch_in_request_update_blocks_item import (
        PatchedSensorPolicyPatchInRequestUpdateBlocksItem,
    )


T = TypeVar("T", bound="PatchedSensorPolicyPatchInRequest")


@_attrs_define
class PatchedSensorPolicyPatchInRequest:
    """
    Attributes:
        name (str | Unset):
        target (str | Unset):
        update_blocks (list[PatchedSensorPolicyPatchInRequestUpdateBlocksItem] | Unset):
        timezone (str | Unset):
        uninstall_protection (bool | Unset):
        groups (list[str] | Unset):
    """

    name: str | Unset = UNSET
    target: str | Unset = UNSET
    update_blocks: list[PatchedSensorPolicyPatchInRequestUpdateBlocksItem] | Unset = (
        UNSET
    )
    timezone: str | Unset = UNSET
    uninstall_protection: bool | Unset = UNSET
    groups: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        target = self.target

        update_blocks: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.update_blocks, Unset):
            update_blocks = []
            for update_blocks_item_data in self.update_blocks:
                update_blocks_item = update_blocks_item_data.to_dict()
                update_blocks.append(update_blocks_item)

        timezone = self.timezone

        uninstall_protection = self.uninstall_protection

        groups: list[str] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if target is not UNSET:
            field_dict["target"] = target
        if update_blocks is not UNSET:
            field_dict["update_blocks"] = update_blocks
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if uninstall_protection is not UNSET:
            field_dict["uninstall_protection"] = uninstall_protection
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.patched_sensor_policy_patch_in_request_update_blocks_item import (
            PatchedSensorPolicyPatchInRequestUpdateBlocksItem,
        )

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        target = d.pop("target", UNSET)

        _update_blocks = d.pop("update_blocks", UNSET)
        update_blocks: (
            list[PatchedSensorPolicyPatchInRequestUpdateBlocksItem] | Unset
        ) = UNSET
        if _update_blocks is not UNSET:
            update_blocks = []
            for update_blocks_item_data in _update_blocks:
                update_blocks_item = (
                    PatchedSensorPolicyPatchInRequestUpdateBlocksItem.from_dict(
                        update_blocks_item_data
                    )
                )

                update_blocks.append(update_blocks_item)

        timezone = d.pop("timezone", UNSET)

        uninstall_protection = d.pop("uninstall_protection", UNSET)

        groups = cast(list[str], d.pop("groups", UNSET))

        patched_sensor_policy_patch_in_request = cls(
            name=name,
            target=target,
            update_blocks=update_blocks,
            timezone=timezone,
            uninstall_protection=uninstall_protection,
            groups=groups,
        )

        patched_sensor_policy_patch_in_request.additional_properties = d
        return patched_sensor_policy_patch_in_request

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
