from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WindowInRequest")


@_attrs_define
class WindowInRequest:
    """
    Attributes:
        name (str):
        weekdays (list[int]):
        start (str):
        duration_minutes (int):
        timezone (str):
    """

    name: str
    weekdays: list[int]
    start: str
    duration_minutes: int
    timezone: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        weekdays = self.weekdays

        start = self.start

        duration_minutes = self.duration_minutes

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "weekdays": weekdays,
                "start": start,
                "duration_minutes": duration_minutes,
                "timezone": timezone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        weekdays = cast(list[int], d.pop("weekdays"))

        start = d.pop("start")

        duration_minutes = d.pop("duration_minutes")

        timezone = d.pop("timezone")

        window_in_request = cls(
            name=name,
            weekdays=weekdays,
            start=start,
            duration_minutes=duration_minutes,
            timezone=timezone,
        )

        window_in_request.additional_properties = d
        return window_in_request

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
