from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PromoteOut")


@_attrs_define
class PromoteOut:
    """
    Attributes:
        id (UUID):
        subject (str): `content:<category>` or `sensor:<platform>`.
        version (str):
        previous_version (None | str):
        state (str): pending, in_ring, halted, completed or rolled_back.
        ring_index (int):
        ring_entered_at (datetime.datetime | None):
        halted_reason (None | str):
        approval_requested (bool): True (and 202) when past a failing gate: a second person's call carries it out.
    """

    id: UUID
    subject: str
    version: str
    previous_version: None | str
    state: str
    ring_index: int
    ring_entered_at: datetime.datetime | None
    halted_reason: None | str
    approval_requested: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        subject = self.subject

        version = self.version

        previous_version: None | str
        previous_version = self.previous_version

        state = self.state

        ring_index = self.ring_index

        ring_entered_at: None | str
        if isinstance(self.ring_entered_at, datetime.datetime):
            ring_entered_at = self.ring_entered_at.isoformat()
        else:
            ring_entered_at = self.ring_entered_at

        halted_reason: None | str
        halted_reason = self.halted_reason

        approval_requested = self.approval_requested

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "subject": subject,
                "version": version,
                "previous_version": previous_version,
                "state": state,
                "ring_index": ring_index,
                "ring_entered_at": ring_entered_at,
                "halted_reason": halted_reason,
                "approval_requested": approval_requested,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        subject = d.pop("subject")

        version = d.pop("version")

        def _parse_previous_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_version = _parse_previous_version(d.pop("previous_version"))

        state = d.pop("state")

        ring_index = d.pop("ring_index")

        def _parse_ring_entered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ring_entered_at_type_0 = datetime.datetime.fromisoformat(data)

                return ring_entered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ring_entered_at = _parse_ring_entered_at(d.pop("ring_entered_at"))

        def _parse_halted_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        halted_reason = _parse_halted_reason(d.pop("halted_reason"))

        approval_requested = d.pop("approval_requested")

        promote_out = cls(
            id=id,
            subject=subject,
            version=version,
            previous_version=previous_version,
            state=state,
            ring_index=ring_index,
            ring_entered_at=ring_entered_at,
            halted_reason=halted_reason,
            approval_requested=approval_requested,
        )

        promote_out.additional_properties = d
        return promote_out

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
