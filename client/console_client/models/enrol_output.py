from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EnrolOutput")


@_attrs_define
class EnrolOutput:
    """
    Attributes:
        host_id (UUID):
        tenant (str):
        credential (str):
        heartbeats_url (str):
    """

    host_id: UUID
    tenant: str
    credential: str
    heartbeats_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        host_id = str(self.host_id)

        tenant = self.tenant

        credential = self.credential

        heartbeats_url = self.heartbeats_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "host_id": host_id,
                "tenant": tenant,
                "credential": credential,
                "heartbeats_url": heartbeats_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        host_id = UUID(d.pop("host_id"))

        tenant = d.pop("tenant")

        credential = d.pop("credential")

        heartbeats_url = d.pop("heartbeats_url")

        enrol_output = cls(
            host_id=host_id,
            tenant=tenant,
            credential=credential,
            heartbeats_url=heartbeats_url,
        )

        enrol_output.additional_properties = d
        return enrol_output

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
