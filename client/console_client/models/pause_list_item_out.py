from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.pause_group_out import PauseGroupOut


T = TypeVar("T", bound="PauseListItemOut")


@_attrs_define
class PauseListItemOut:
    """
    Attributes:
        id (UUID):
        scope (str): tenant, group, category or sensor.
        group (None | PauseGroupOut):
        category (None | str):
        reason (str):
        created_by (str):
        created_at (datetime.datetime):
        expires_at (datetime.datetime | None):
        resumed_at (datetime.datetime | None):
        resumed_by (None | str):
        active (bool):
    """

    id: UUID
    scope: str
    group: None | PauseGroupOut
    category: None | str
    reason: str
    created_by: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    resumed_at: datetime.datetime | None
    resumed_by: None | str
    active: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pause_group_out import PauseGroupOut

        id = str(self.id)

        scope = self.scope

        group: dict[str, Any] | None
        if isinstance(self.group, PauseGroupOut):
            group = self.group.to_dict()
        else:
            group = self.group

        category: None | str
        category = self.category

        reason = self.reason

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        resumed_at: None | str
        if isinstance(self.resumed_at, datetime.datetime):
            resumed_at = self.resumed_at.isoformat()
        else:
            resumed_at = self.resumed_at

        resumed_by: None | str
        resumed_by = self.resumed_by

        active = self.active

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "scope": scope,
                "group": group,
                "category": category,
                "reason": reason,
                "created_by": created_by,
                "created_at": created_at,
                "expires_at": expires_at,
                "resumed_at": resumed_at,
                "resumed_by": resumed_by,
                "active": active,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pause_group_out import PauseGroupOut

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        scope = d.pop("scope")

        def _parse_group(data: object) -> None | PauseGroupOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                group_type_1 = PauseGroupOut.from_dict(data)

                return group_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PauseGroupOut, data)

        group = _parse_group(d.pop("group"))

        def _parse_category(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        category = _parse_category(d.pop("category"))

        reason = d.pop("reason")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_resumed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resumed_at_type_0 = datetime.datetime.fromisoformat(data)

                return resumed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resumed_at = _parse_resumed_at(d.pop("resumed_at"))

        def _parse_resumed_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        resumed_by = _parse_resumed_by(d.pop("resumed_by"))

        active = d.pop("active")

        pause_list_item_out = cls(
            id=id,
            scope=scope,
            group=group,
            category=category,
            reason=reason,
            created_by=created_by,
            created_at=created_at,
            expires_at=expires_at,
            resumed_at=resumed_at,
            resumed_by=resumed_by,
            active=active,
        )

        pause_list_item_out.additional_properties = d
        return pause_list_item_out

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
