from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.fleet_series_out_samples_item import FleetSeriesOutSamplesItem


T = TypeVar("T", bound="FleetSeriesOut")


@_attrs_define
class FleetSeriesOut:
    """
    Attributes:
        minutes (int):
        samples (list[FleetSeriesOutSamplesItem]): Per minute, oldest first: `minute` and the sample's counters.
    """

    minutes: int
    samples: list[FleetSeriesOutSamplesItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        minutes = self.minutes

        samples = []
        for samples_item_data in self.samples:
            samples_item = samples_item_data.to_dict()
            samples.append(samples_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "minutes": minutes,
                "samples": samples,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.fleet_series_out_samples_item import FleetSeriesOutSamplesItem

        d = dict(src_dict)
        minutes = d.pop("minutes")

        samples = []
        _samples = d.pop("samples")
        for samples_item_data in _samples:
            samples_item = FleetSeriesOutSamplesItem.from_dict(samples_item_data)

            samples.append(samples_item)

        fleet_series_out = cls(
            minutes=minutes,
            samples=samples,
        )

        fleet_series_out.additional_properties = d
        return fleet_series_out

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
