from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rollout_event_out_detail import RolloutEventOutDetail


T = TypeVar("T", bound="RolloutEventOut")


@_attrs_define
class RolloutEventOut:
    """
    Attributes:
        at (datetime.datetime):
        kind (str):
        ring_index (int):
        actor (str):
        detail (RolloutEventOutDetail):
    """

    at: datetime.datetime
    kind: str
    ring_index: int
    actor: str
    detail: RolloutEventOutDetail
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        kind = self.kind

        ring_index = self.ring_index

        actor = self.actor

        detail = self.detail.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "kind": kind,
                "ring_index": ring_index,
                "actor": actor,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rollout_event_out_detail import RolloutEventOutDetail

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        kind = d.pop("kind")

        ring_index = d.pop("ring_index")

        actor = d.pop("actor")

        detail = RolloutEventOutDetail.from_dict(d.pop("detail"))

        rollout_event_out = cls(
            at=at,
            kind=kind,
            ring_index=ring_index,
            actor=actor,
            detail=detail,
        )

        rollout_event_out.additional_properties = d
        return rollout_event_out

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
