from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="NotificationOut")


@_attrs_define
class NotificationOut:
    """
    Attributes:
        id (UUID):
        event (str):
        title (str):
        read (bool):
        link (str | Unset):
        severity (str | Unset):
        payload (Any | Unset):
        created_at (datetime.datetime | Unset):
        read_at (datetime.datetime | None | Unset):
        read_by (str | Unset):
    """

    id: UUID
    event: str
    title: str
    read: bool
    link: str | Unset = UNSET
    severity: str | Unset = UNSET
    payload: Any | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    read_at: datetime.datetime | None | Unset = UNSET
    read_by: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        event = self.event

        title = self.title

        read = self.read

        link = self.link

        severity = self.severity

        payload = self.payload

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        read_at: None | str | Unset
        if isinstance(self.read_at, Unset):
            read_at = UNSET
        elif isinstance(self.read_at, datetime.datetime):
            read_at = self.read_at.isoformat()
        else:
            read_at = self.read_at

        read_by = self.read_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "title": title,
                "read": read,
            }
        )
        if link is not UNSET:
            field_dict["link"] = link
        if severity is not UNSET:
            field_dict["severity"] = severity
        if payload is not UNSET:
            field_dict["payload"] = payload
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if read_at is not UNSET:
            field_dict["read_at"] = read_at
        if read_by is not UNSET:
            field_dict["read_by"] = read_by

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        event = d.pop("event")

        title = d.pop("title")

        read = d.pop("read")

        link = d.pop("link", UNSET)

        severity = d.pop("severity", UNSET)

        payload = d.pop("payload", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_read_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                read_at_type_0 = datetime.datetime.fromisoformat(data)

                return read_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        read_at = _parse_read_at(d.pop("read_at", UNSET))

        read_by = d.pop("read_by", UNSET)

        notification_out = cls(
            id=id,
            event=event,
            title=title,
            read=read,
            link=link,
            severity=severity,
            payload=payload,
            created_at=created_at,
            read_at=read_at,
            read_by=read_by,
        )

        notification_out.additional_properties = d
        return notification_out

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
