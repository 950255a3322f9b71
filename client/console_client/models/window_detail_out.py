from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.occurrence_out import OccurrenceOut


T = TypeVar("T", bound="WindowDetailOut")


@_attrs_define
class WindowDetailOut:
    """
    Attributes:
        id (UUID):
        name (str):
        weekdays (list[int]): 0 is Monday.
        start (str): HH:MM in the window's timezone.
        duration_minutes (int):
        timezone (str):
        version (int):
        next_occurrences (list[OccurrenceOut]): The next 7 days.
    """

    id: UUID
    name: str
    weekdays: list[int]
    start: str
    duration_minutes: int
    timezone: str
    version: int
    next_occurrences: list[OccurrenceOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        weekdays = self.weekdays

        start = self.start

        duration_minutes = self.duration_minutes

        timezone = self.timezone

        version = self.version

        next_occurrences = []
        for next_occurrences_item_data in self.next_occurrences:
            next_occurrences_item = next_occurrences_item_data.to_dict()
            next_occurrences.append(next_occurrences_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "weekdays": weekdays,
                "start": start,
                "duration_minutes": duration_minutes,
                "timezone": timezone,
                "version": version,
                "next_occurrences": next_occurrences,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.occurrence_out import OccurrenceOut

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        weekdays = cast(list[int], d.pop("weekdays"))

        start = d.pop("start")

        duration_minutes = d.pop("duration_minutes")

        timezone = d.pop("timezone")

        version = d.pop("version")

        next_occurrences = []
        _next_occurrences = d.pop("next_occurrences")
        for next_occurrences_item_data in _next_occurrences:
            next_occurrences_item = OccurrenceOut.from_dict(next_occurrences_item_data)

            next_occurrences.append(next_occurrences_item)

        window_detail_out = cls(
            id=id,
            name=name,
            weekdays=weekdays,
            start=start,
            duration_minutes=duration_minutes,
            timezone=timezone,
            version=version,
            next_occurrences=next_occurrences,
        )

        window_detail_out.additional_properties = d
        return window_detail_out

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
