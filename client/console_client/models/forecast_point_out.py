from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.forecast_point_out_waiting import ForecastPointOutWaiting


T = TypeVar("T", bound="ForecastPointOut")


@_attrs_define
class ForecastPointOut:
    """
    Attributes:
        at (datetime.datetime): The hour boundary (UTC).
        hour (int): Hours from the start.
        hosts (int): Hosts that have the release by then (or already run it).
        new (int): Of which reached at this boundary.
        waiting (ForecastPointOutWaiting): The other hosts, by the rule that holds them.
    """

    at: datetime.datetime
    hour: int
    hosts: int
    new: int
    waiting: ForecastPointOutWaiting
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        hour = self.hour

        hosts = self.hosts

        new = self.new

        waiting = self.waiting.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "hour": hour,
                "hosts": hosts,
                "new": new,
                "waiting": waiting,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.forecast_point_out_waiting import ForecastPointOutWaiting

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        hour = d.pop("hour")

        hosts = d.pop("hosts")

        new = d.pop("new")

        waiting = ForecastPointOutWaiting.from_dict(d.pop("waiting"))

        forecast_point_out = cls(
            at=at,
            hour=hour,
            hosts=hosts,
            new=new,
            waiting=waiting,
        )

        forecast_point_out.additional_properties = d
        return forecast_point_out

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
