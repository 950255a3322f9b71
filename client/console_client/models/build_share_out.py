from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BuildShareOut")


@_attrs_define
class BuildShareOut:
    """
    Attributes:
        platform (str):
        build (None | str):
        hosts (int):
        share (float):
    """

    platform: str
    build: None | str
    hosts: int
    share: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        platform = self.platform

        build: None | str
        build = self.build

        hosts = self.hosts

        share = self.share

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "platform": platform,
                "build": build,
                "hosts": hosts,
                "share": share,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        platform = d.pop("platform")

        def _parse_build(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        build = _parse_build(d.pop("build"))

        hosts = d.pop("hosts")

        share = d.pop("share")

        build_share_out = cls(
            platform=platform,
            build=build,
            hosts=hosts,
            share=share,
        )

        build_share_out.additional_properties = d
        return build_share_out

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
