from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ContentShareOut")


@_attrs_define
class ContentShareOut:
    """
    Attributes:
        category (str):
        version (str):
        hosts (int):
        share (float):
        crashed_hosts (int): Hosts that reported a crash on it in the last hour.
        crash_rate (float):
    """

    category: str
    version: str
    hosts: int
    share: float
    crashed_hosts: int
    crash_rate: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        version = self.version

        hosts = self.hosts

        share = self.share

        crashed_hosts = self.crashed_hosts

        crash_rate = self.crash_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "version": version,
                "hosts": hosts,
                "share": share,
                "crashed_hosts": crashed_hosts,
                "crash_rate": crash_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = d.pop("category")

        version = d.pop("version")

        hosts = d.pop("hosts")

        share = d.pop("share")

        crashed_hosts = d.pop("crashed_hosts")

        crash_rate = d.pop("crash_rate")

        content_share_out = cls(
            category=category,
            version=version,
            hosts=hosts,
            share=share,
            crashed_hosts=crashed_hosts,
            crash_rate=crash_rate,
        )

        content_share_out.additional_properties = d
        return content_share_out

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
