from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RingProgressOut")


@_attrs_define
class RingProgressOut:
    """
    Attributes:
        id (UUID):
        order (int):
        name (str):
        group (None | UUID): The ring's host group, or null for a percentage ring.
        percentage (float | None):
        soak_minutes (int):
        max_crash_rate (float):
        max_boot_loop_rate (float):
        max_silence_rate (float):
        max_update_failure_rate (float):
        min_sample (int):
        version (int):
        index (int):
        hosts (int):
        done (int):
        failed (int):
        silent (int):
        pending (int):
        current (bool):
        reached (bool):
    """

    id: UUID
    order: int
    name: str
    group: None | UUID
    percentage: float | None
    soak_minutes: int
    max_crash_rate: float
    max_boot_loop_rate: float
    max_silence_rate: float
    max_update_failure_rate: float
    min_sample: int
    version: int
    index: int
    hosts: int
    done: int
    failed: int
    silent: int
    pending: int
    current: bool
    reached: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        order = self.order

        name = self.name

        group: None | str
        if isinstance(self.group, UUID):
            group = str(self.group)
        else:
            group = self.group

        percentage: float | None
        percentage = self.percentage

        soak_minutes = self.soak_minutes

        max_crash_rate = self.max_crash_rate

        max_boot_loop_rate = self.max_boot_loop_rate

        max_silence_rate = self.max_silence_rate

        max_update_failure_rate = self.max_update_failure_rate

        min_sample = self.min_sample

        version = self.version

        index = self.index

        hosts = self.hosts

        done = self.done

        failed = self.failed

        silent = self.silent

        pending = self.pending

        current = self.current

        reached = self.reached

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "order": order,
                "name": name,
                "group": group,
                "percentage": percentage,
                "soak_minutes": soak_minutes,
                "max_crash_rate": max_crash_rate,
                "max_boot_loop_rate": max_boot_loop_rate,
                "max_silence_rate": max_silence_rate,
                "max_update_failure_rate": max_update_failure_rate,
                "min_sample": min_sample,
                "version": version,
                "index": index,
                "hosts": hosts,
                "done": done,
                "failed": failed,
                "silent": silent,
                "pending": pending,
                "current": current,
                "reached": reached,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        order = d.pop("order")

        name = d.pop("name")

        def _parse_group(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                group_type_0 = UUID(data)

                return group_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        group = _parse_group(d.pop("group"))

        def _parse_percentage(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        percentage = _parse_percentage(d.pop("percentage"))

        soak_minutes = d.pop("soak_minutes")

        max_crash_rate = d.pop("max_crash_rate")

        max_boot_loop_rate = d.pop("max_boot_loop_rate")

        max_silence_rate = d.pop("max_silence_rate")

        max_update_failure_rate = d.pop("max_update_failure_rate")

        min_sample = d.pop("min_sample")

        version = d.pop("version")

        index = d.pop("index")

        hosts = d.pop("hosts")

        done = d.pop("done")

        failed = d.pop("failed")

        silent = d.pop("silent")

        pending = d.pop("pending")

        current = d.pop("current")

        reached = d.pop("reached")

        ring_progress_out = cls(
            id=id,
            order=order,
            name=name,
            group=group,
            percentage=percentage,
            soak_minutes=soak_minutes,
            max_crash_rate=max_crash_rate,
            max_boot_loop_rate=max_boot_loop_rate,
            max_silence_rate=max_silence_rate,
            max_update_failure_rate=max_update_failure_rate,
            min_sample=min_sample,
            version=version,
            index=index,
            hosts=hosts,
            done=done,
            failed=failed,
            silent=silent,
            pending=pending,
            current=current,
            reached=reached,
        )

        ring_progress_out.additional_properties = d
        return ring_progress_out

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
