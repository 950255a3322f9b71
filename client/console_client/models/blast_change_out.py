from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BlastChangeOut")


@_attrs_define
class BlastChangeOut:
    """
    Attributes:
        subject (str): `sensor` or a content category key.
        platform (str):
        group (str):
        to (str): The target after the change.
        hosts (int):
        from_ (str): The target before the change.
    """

    subject: str
    platform: str
    group: str
    to: str
    hosts: int
    from_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subject = self.subject

        platform = self.platform

        group = self.group

        to = self.to

        hosts = self.hosts

        from_ = self.from_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "platform": platform,
                "group": group,
                "to": to,
                "hosts": hosts,
                "from": from_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        subject = d.pop("subject")

        platform = d.pop("platform")

        group = d.pop("group")

        to = d.pop("to")

        hosts = d.pop("hosts")

        from_ = d.pop("from")

        blast_change_out = cls(
            subject=subject,
            platform=platform,
            group=group,
            to=to,
            hosts=hosts,
            from_=from_,
        )

        blast_change_out.additional_properties = d
        return blast_change_out

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
