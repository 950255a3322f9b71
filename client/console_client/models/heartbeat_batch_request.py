from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.heartbeat_batch_request_heartbeats_item import (
        HeartbeatBatchRequestHeartbeatsItem,
    )


T = TypeVar("T", bound="HeartbeatBatchRequest")


@_attrs_define
class HeartbeatBatchRequest:
    """
    Attributes:
        heartbeats (list[HeartbeatBatchRequestHeartbeatsItem]):
    """

    heartbeats: list[HeartbeatBatchRequestHeartbeatsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        heartbeats = []
        for heartbeats_item_data in self.heartbeats:
            heartbeats_item = heartbeats_item_data.to_dict()
            heartbeats.append(heartbeats_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "heartbeats": heartbeats,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.heartbeat_batch_request_heartbeats_item import (
            HeartbeatBatchRequestHeartbeatsItem,
        )

        d = dict(src_dict)
        heartbeats = []
        _heartbeats = d.pop("heartbeats")
        for heartbeats_item_data in _heartbeats:
            heartbeats_item = HeartbeatBatchRequestHeartbeatsItem.from_dict(
                heartbeats_item_data
            )

            heartbeats.append(heartbeats_item)

        heartbeat_batch_request = cls(
            heartbeats=heartbeats,
        )

        heartbeat_batch_request.additional_properties = d
        return heartbeat_batch_request

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
