from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FreezeOut")


@_attrs_define
class FreezeOut:
    """
    Attributes:
        id (UUID):
        reason (str):
        starts_at (datetime.datetime):
        ends_at (datetime.datetime):
        created_by (str):
        lift_requested_by (None | str):
        lift_requested_at (datetime.datetime | None):
        lift_reason (None | str):
        lifted_by (None | str):
        lifted_at (datetime.datetime | None):
        bypass_requested_by (None | str):
        bypass_reason (None | str):
        bypass_approved_by (None | str):
        bypass_approved_at (datetime.datetime | None):
    """

    id: UUID
    reason: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    created_by: str
    lift_requested_by: None | str
    lift_requested_at: datetime.datetime | None
    lift_reason: None | str
    lifted_by: None | str
    lifted_at: datetime.datetime | None
    bypass_requested_by: None | str
    bypass_reason: None | str
    bypass_approved_by: None | str
    bypass_approved_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        reason = self.reason

        starts_at = self.starts_at.isoformat()

        ends_at = self.ends_at.isoformat()

        created_by = self.created_by

        lift_requested_by: None | str
        lift_requested_by = self.lift_requested_by

        lift_requested_at: None | str
        if isinstance(self.lift_requested_at, datetime.datetime):
            lift_requested_at = self.lift_requested_at.isoformat()
        else:
            lift_requested_at = self.lift_requested_at

        lift_reason: None | str
        lift_reason = self.lift_reason

        lifted_by: None | str
        lifted_by = self.lifted_by

        lifted_at: None | str
        if isinstance(self.lifted_at, datetime.datetime):
            lifted_at = self.lifted_at.isoformat()
        else:
            lifted_at = self.lifted_at

        bypass_requested_by: None | str
        bypass_requested_by = self.bypass_requested_by

        bypass_reason: None | str
        bypass_reason = self.bypass_reason

        bypass_approved_by: None | str
        bypass_approved_by = self.bypass_approved_by

        bypass_approved_at: None | str
        if isinstance(self.bypass_approved_at, datetime.datetime):
            bypass_approved_at = self.bypass_approved_at.isoformat()
        else:
            bypass_approved_at = self.bypass_approved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "reason": reason,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "created_by": created_by,
                "lift_requested_by": lift_requested_by,
                "lift_requested_at": lift_requested_at,
                "lift_reason": lift_reason,
                "lifted_by": lifted_by,
                "lifted_at": lifted_at,
                "bypass_requested_by": bypass_requested_by,
                "bypass_reason": bypass_reason,
                "bypass_approved_by": bypass_approved_by,
                "bypass_approved_at": bypass_approved_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        reason = d.pop("reason")

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        created_by = d.pop("created_by")

        def _parse_lift_requested_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lift_requested_by = _parse_lift_requested_by(d.pop("lift_requested_by"))

        def _parse_lift_requested_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lift_requested_at_type_0 = datetime.datetime.fromisoformat(data)

                return lift_requested_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        lift_requested_at = _parse_lift_requested_at(d.pop("lift_requested_at"))

        def _parse_lift_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lift_reason = _parse_lift_reason(d.pop("lift_reason"))

        def _parse_lifted_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lifted_by = _parse_lifted_by(d.pop("lifted_by"))

        def _parse_lifted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lifted_at_type_0 = datetime.datetime.fromisoformat(data)

                return lifted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        lifted_at = _parse_lifted_at(d.pop("lifted_at"))

        def _parse_bypass_requested_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bypass_requested_by = _parse_bypass_requested_by(d.pop("bypass_requested_by"))

        def _parse_bypass_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bypass_reason = _parse_bypass_reason(d.pop("bypass_reason"))

        def _parse_bypass_approved_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        bypass_approved_by = _parse_bypass_approved_by(d.pop("bypass_approved_by"))

        def _parse_bypass_approved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                bypass_approved_at_type_0 = datetime.datetime.fromisoformat(data)

                return bypass_approved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        bypass_approved_at = _parse_bypass_approved_at(d.pop("bypass_approved_at"))

        freeze_out = cls(
            id=id,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=created_by,
            lift_requested_by=lift_requested_by,
            lift_requested_at=lift_requested_at,
            lift_reason=lift_reason,
            lifted_by=lifted_by,
            lifted_at=lifted_at,
            bypass_requested_by=bypass_requested_by,
            bypass_reason=bypass_reason,
            bypass_approved_by=bypass_approved_by,
            bypass_approved_at=bypass_approved_at,
        )

        freeze_out.additional_properties = d
        return freeze_out

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
