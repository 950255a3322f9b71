from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ForecastMilestoneOut")


@_attrs_define
class ForecastMilestoneOut:
    """
    Attributes:
        share (float): Share of the tenant's hosts (0: the first host).
        hosts (int):
        hour (int | None): Hours until reached; null: not within the horizon.
        at (datetime.datetime | None):
    """

    share: float
    hosts: int
    hour: int | None
    at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        share = self.share

        hosts = self.hosts

        hour: int | None
        hour = self.hour

        at: None | str
        if isinstance(self.at, datetime.datetime):
            at = self.at.isoformat()
        else:
            at = self.at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "share": share,
                "hosts": hosts,
                "hour": hour,
                "at": at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        share = d.pop("share")

        hosts = d.pop("hosts")

        def _parse_hour(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        hour = _parse_hour(d.pop("hour"))

        def _parse_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                at_type_0 = datetime.datetime.fromisoformat(data)

                return at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        at = _parse_at(d.pop("at"))

        forecast_milestone_out = cls(
            share=share,
            hosts=hosts,
            hour=hour,
            at=at,
        )

        forecast_milestone_out.additional_properties = d
        return forecast_milestone_out

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
