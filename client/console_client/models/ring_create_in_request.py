from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RingCreateInRequest")


@_attrs_define
class RingCreateInRequest:
    """A ring's fields; rates are fractions (0.02 is 2 %), the service names every bad value at once.

    Attributes:
        name (str):
        percentage (None | str | Unset):
        group (None | Unset | UUID):
        soak_minutes (int | Unset):
        max_crash_rate (float | Unset):
        max_boot_loop_rate (float | Unset):
        max_silence_rate (float | Unset):
        max_update_failure_rate (float | Unset):
        min_sample (int | Unset):
        statistical_gate (bool | Unset):
    """

    name: str
    percentage: None | str | Unset = UNSET
    group: None | Unset | UUID = UNSET
    soak_minutes: int | Unset = UNSET
    max_crash_rate: float | Unset = UNSET
    max_boot_loop_rate: float | Unset = UNSET
    max_silence_rate: float | Unset = UNSET
    max_update_failure_rate: float | Unset = UNSET
    min_sample: int | Unset = UNSET
    statistical_gate: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        percentage: None | str | Unset
        if isinstance(self.percentage, Unset):
            percentage = UNSET
        else:
            percentage = self.percentage

        group: None | str | Unset
        if isinstance(self.group, Unset):
            group = UNSET
        elif isinstance(self.group, UUID):
            group = str(self.group)
        else:
            group = self.group

        soak_minutes = self.soak_minutes

        max_crash_rate = self.max_crash_rate

        max_boot_loop_rate = self.max_boot_loop_rate

        max_silence_rate = self.max_silence_rate

        max_update_failure_rate = self.max_update_failure_rate

        min_sample = self.min_sample

        statistical_gate = self.statistical_gate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if group is not UNSET:
            field_dict["group"] = group
        if soak_minutes is not UNSET:
            field_dict["soak_minutes"] = soak_minutes
        if max_crash_rate is not UNSET:
            field_dict["max_crash_rate"] = max_crash_rate
        if max_boot_loop_rate is not UNSET:
            field_dict["max_boot_loop_rate"] = max_boot_loop_rate
        if max_silence_rate is not UNSET:
            field_dict["max_silence_rate"] = max_silence_rate
        if max_update_failure_rate is not UNSET:
            field_dict["max_update_failure_rate"] = max_update_failure_rate
        if min_sample is not UNSET:
            field_dict["min_sample"] = min_sample
        if statistical_gate is not UNSET:
            field_dict["statistical_gate"] = statistical_gate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_percentage(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percentage = _parse_percentage(d.pop("percentage", UNSET))

        def _parse_group(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                group_type_0 = UUID(data)

                return group_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        group = _parse_group(d.pop("group", UNSET))

        soak_minutes = d.pop("soak_minutes", UNSET)

        max_crash_rate = d.pop("max_crash_rate", UNSET)

        max_boot_loop_rate = d.pop("max_boot_loop_rate", UNSET)

        max_silence_rate = d.pop("max_silence_rate", UNSET)

        max_update_failure_rate = d.pop("max_update_failure_rate", UNSET)

        min_sample = d.pop("min_sample", UNSET)

        statistical_gate = d.pop("statistical_gate", UNSET)

        ring_create_in_request = cls(
            name=name,
            percentage=percentage,
            group=group,
            soak_minutes=soak_minutes,
            max_crash_rate=max_crash_rate,
            max_boot_loop_rate=max_boot_loop_rate,
            max_silence_rate=max_silence_rate,
            max_update_failure_rate=max_update_failure_rate,
            min_sample=min_sample,
            statistical_gate=statistical_gate,
        )

        ring_create_in_request.additional_properties = d
        return ring_create_in_request

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
