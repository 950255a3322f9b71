from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OccurrenceOut")


@_attrs_define
class OccurrenceOut:
    """
    Attributes:
        start (datetime.datetime):
        end (datetime.datetime):
        start_local (datetime.datetime): In the tenant's timezone.
        end_local (datetime.datetime):
    """

    start: datetime.datetime
    end: datetime.datetime
    start_local: datetime.datetime
    end_local: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        start_local = self.start_local.isoformat()

        end_local = self.end_local.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "start_local": start_local,
                "end_local": end_local,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        start_local = datetime.datetime.fromisoformat(d.pop("start_local"))

        end_local = datetime.datetime.fromisoformat(d.pop("end_local"))

        occurrence_out = cls(
            start=start,
            end=end,
            start_local=start_local,
            end_local=end_local,
        )

        occurrence_out.additional_properties = d
        return occurrence_out

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
