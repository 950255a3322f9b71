from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.doc_content_policy_out import DocContentPolicyOut
    from ..models.doc_freeze_out import DocFreezeOut
    from ..models.doc_group_out import DocGroupOut
    from ..models.doc_sensor_policy_out import DocSensorPolicyOut
    from ..models.doc_window_out import DocWindowOut


T = TypeVar("T", bound="PolicyDocumentOut")


@_attrs_define
class PolicyDocumentOut:
    """The policy document (``rollout.policies.code.policy_export``); names are the references.

    Attributes:
        version (int):
        tenant (str):
        groups (list[DocGroupOut]):
        windows (list[DocWindowOut]):
        sensor_policies (list[DocSensorPolicyOut]): In precedence order per platform.
        content_policies (list[DocContentPolicyOut]): In precedence order per category.
        freezes (list[DocFreezeOut]):
    """

    version: int
    tenant: str
    groups: list[DocGroupOut]
    windows: list[DocWindowOut]
    sensor_policies: list[DocSensorPolicyOut]
    content_policies: list[DocContentPolicyOut]
    freezes: list[DocFreezeOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        tenant = self.tenant

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        windows = []
        for windows_item_data in self.windows:
            windows_item = windows_item_data.to_dict()
            windows.append(windows_item)

        sensor_policies = []
        for sensor_policies_item_data in self.sensor_policies:
            sensor_policies_item = sensor_policies_item_data.to_dict()
            sensor_policies.append(sensor_policies_item)

        content_policies = []
        for content_policies_item_data in self.content_policies:
            content_policies_item = content_policies_item_data.to_dict()
            content_policies.append(content_policies_item)

        freezes = []
        for freezes_item_data in self.freezes:
            freezes_item = freezes_item_data.to_dict()
            freezes.append(freezes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "tenant": tenant,
                "groups": groups,
                "windows": windows,
                "sensor_policies": sensor_policies,
                "content_policies": content_policies,
                "freezes": freezes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.doc_content_policy_out import DocContentPolicyOut
        from ..models.doc_freeze_out import DocFreezeOut
        from ..models.doc_group_out import DocGroupOut
        from ..models.doc_sensor_policy_out import DocSensorPolicyOut
        from ..models.doc_window_out import DocWindowOut

        d = dict(src_dict)
        version = d.pop("version")

        tenant = d.pop("tenant")

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = DocGroupOut.from_dict(groups_item_data)

            groups.append(groups_item)

        windows = []
        _windows = d.pop("windows")
        for windows_item_data in _windows:
            windows_item = DocWindowOut.from_dict(windows_item_data)

            windows.append(windows_item)

        sensor_policies = []
        _sensor_policies = d.pop("sensor_policies")
        for sensor_policies_item_data in _sensor_policies:
            sensor_policies_item = DocSensorPolicyOut.from_dict(
                sensor_policies_item_data
            )

            sensor_policies.append(sensor_policies_item)

        content_policies = []
        _content_policies = d.pop("content_policies")
        for content_policies_item_data in _content_policies:
            content_policies_item = DocContentPolicyOut.from_dict(
                content_policies_item_data
            )

            content_policies.append(content_policies_item)

        freezes = []
        _freezes = d.pop("freezes")
        for freezes_item_data in _freezes:
            freezes_item = DocFreezeOut.from_dict(freezes_item_data)

            freezes.append(freezes_item)

        policy_document_out = cls(
            version=version,
            tenant=tenant,
            groups=groups,
            windows=windows,
            sensor_policies=sensor_policies,
            content_policies=content_policies,
            freezes=freezes,
        )

        policy_document_out.additional_properties = d
        return policy_document_out

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
