from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedWindowInRequest")


@_attrs_define
class PatchedWindowInRequest:
    """
    Attributes:
        name (str | Unset):
        weekdays (list[int] | Unset):
        start (str | Unset):
        duration_minutes (int | Unset):
        timezone (str | Unset):
    """

    name: str | Unset = UNSET
    weekdays: list[int] | Unset = UNSET
    start: str | Unset = UNSET
    duration_minutes: int | Unset = UNSET
    timezone: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        weekdays: list[int] | Unset = UNSET
        if not isinstance(self.weekdays, Unset):
            weekdays = self.weekdays

        start = self.start

        duration_minutes = self.duration_minutes

        timezone = self.timezone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if weekdays is not UNSET:
            field_dict["weekdays"] = weekdays
        if start is not UNSET:
            field_dict["start"] = start
        if duration_minutes is not UNSET:
            field_dict["duration_minutes"] = duration_minutes
        if timezone is not UNSET:
            field_dict["timezone"] = timezone

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        weekdays = cast(list[int], d.pop("weekdays", UNSET))

        start = d.pop("start", UNSET)

        duration_minutes = d.pop("duration_minutes", UNSET)

        timezone = d.pop("timezone", UNSET)

        patched_window_in_request = cls(
            name=name,
            weekdays=weekdays,
            start=start,
            duration_minutes=duration_minutes,
            timezone=timezone,
        )

        patched_window_in_request.additional_properties = d
        return patched_window_in_request

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
