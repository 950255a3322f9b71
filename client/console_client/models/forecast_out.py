from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.forecast_milestone_out import ForecastMilestoneOut
    from ..models.forecast_point_out import ForecastPointOut


T = TypeVar("T", bound="ForecastOut")


@_attrs_define
class ForecastOut:
    """
    Attributes:
        category (str):
        version (str):
        start (datetime.datetime):
        hours (int):
        hosts_total (int):
        hosts_reached (int): Hosts that have the release at the end of the horizon.
        combinations (int): Distinct host combinations resolved.
        resolutions (int): Resolver calls made for the whole horizon.
        staged (bool): Whether a staged rollout through rings is projected.
        points (list[ForecastPointOut]):
        milestones (list[ForecastMilestoneOut]):
    """

    category: str
    version: str
    start: datetime.datetime
    hours: int
    hosts_total: int
    hosts_reached: int
    combinations: int
    resolutions: int
    staged: bool
    points: list[ForecastPointOut]
    milestones: list[ForecastMilestoneOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        version = self.version

        start = self.start.isoformat()

        hours = self.hours

        hosts_total = self.hosts_total

        hosts_reached = self.hosts_reached

        combinations = self.combinations

        resolutions = self.resolutions

        staged = self.staged

        points = []
        for points_item_data in self.points:
            points_item = points_item_data.to_dict()
            points.append(points_item)

        milestones = []
        for milestones_item_data in self.milestones:
            milestones_item = milestones_item_data.to_dict()
            milestones.append(milestones_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "version": version,
                "start": start,
                "hours": hours,
                "hosts_total": hosts_total,
                "hosts_reached": hosts_reached,
                "combinations": combinations,
                "resolutions": resolutions,
                "staged": staged,
                "points": points,
                "milestones": milestones,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.forecast_milestone_out import ForecastMilestoneOut
        from ..models.forecast_point_out import ForecastPointOut

        d = dict(src_dict)
        category = d.pop("category")

        version = d.pop("version")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        hours = d.pop("hours")

        hosts_total = d.pop("hosts_total")

        hosts_reached = d.pop("hosts_reached")

        combinations = d.pop("combinations")

        resolutions = d.pop("resolutions")

        staged = d.pop("staged")

        points = []
        _points = d.pop("points")
        for points_item_data in _points:
            points_item = ForecastPointOut.from_dict(points_item_data)

            points.append(points_item)

        milestones = []
        _milestones = d.pop("milestones")
        for milestones_item_data in _milestones:
            milestones_item = ForecastMilestoneOut.from_dict(milestones_item_data)

            milestones.append(milestones_item)

        forecast_out = cls(
            category=category,
            version=version,
            start=start,
            hours=hours,
            hosts_total=hosts_total,
            hosts_reached=hosts_reached,
            combinations=combinations,
            resolutions=resolutions,
            staged=staged,
            points=points,
            milestones=milestones,
        )

        forecast_out.additional_properties = d
        return forecast_out

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
