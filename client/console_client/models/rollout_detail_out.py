from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ring_progress_out import RingProgressOut
    from ..models.rollout_detail_out_gate import RolloutDetailOutGate
    from ..models.rollout_detail_out_stops_item import RolloutDetailOutStopsItem
    from ..models.rollout_event_out import RolloutEventOut


T = TypeVar("T", bound="RolloutDetailOut")


@_attrs_define
class RolloutDetailOut:
    """
    Attributes:
        id (UUID):
        subject (str): `content:<category>` or `sensor:<platform>`.
        version (str):
        previous_version (None | str):
        state (str): pending, in_ring, halted, completed or rolled_back.
        ring_index (int):
        ring_entered_at (datetime.datetime | None):
        halted_reason (None | str):
        release_stage (None | str):
        release_notes (str):
        rings (list[RingProgressOut]):
        gate (RolloutDetailOutGate): The current ring's gate: verdict, sample, values against thresholds.
        soak_remaining_seconds (int | None):
        promote_requested_by (str):
        events (list[RolloutEventOut]): The first 200, oldest first.
        stops (list[RolloutDetailOutStopsItem]): Each halt or rollback with its timeline.
    """

    id: UUID
    subject: str
    version: str
    previous_version: None | str
    state: str
    ring_index: int
    ring_entered_at: datetime.datetime | None
    halted_reason: None | str
    release_stage: None | str
    release_notes: str
    rings: list[RingProgressOut]
    gate: RolloutDetailOutGate
    soak_remaining_seconds: int | None
    promote_requested_by: str
    events: list[RolloutEventOut]
    stops: list[RolloutDetailOutStopsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        subject = self.subject

        version = self.version

        previous_version: None | str
        previous_version = self.previous_version

        state = self.state

        ring_index = self.ring_index

        ring_entered_at: None | str
        if isinstance(self.ring_entered_at, datetime.datetime):
            ring_entered_at = self.ring_entered_at.isoformat()
        else:
            ring_entered_at = self.ring_entered_at

        halted_reason: None | str
        halted_reason = self.halted_reason

        release_stage: None | str
        release_stage = self.release_stage

        release_notes = self.release_notes

        rings = []
        for rings_item_data in self.rings:
            rings_item = rings_item_data.to_dict()
            rings.append(rings_item)

        gate = self.gate.to_dict()

        soak_remaining_seconds: int | None
        soak_remaining_seconds = self.soak_remaining_seconds

        promote_requested_by = self.promote_requested_by

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        stops = []
        for stops_item_data in self.stops:
            stops_item = stops_item_data.to_dict()
            stops.append(stops_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "subject": subject,
                "version": version,
                "previous_version": previous_version,
                "state": state,
                "ring_index": ring_index,
                "ring_entered_at": ring_entered_at,
                "halted_reason": halted_reason,
                "release_stage": release_stage,
                "release_notes": release_notes,
                "rings": rings,
                "gate": gate,
                "soak_remaining_seconds": soak_remaining_seconds,
                "promote_requested_by": promote_requested_by,
                "events": events,
                "stops": stops,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ring_progress_out import RingProgressOut
        from ..models.rollout_detail_out_gate import RolloutDetailOutGate
        from ..models.rollout_detail_out_stops_item import RolloutDetailOutStopsItem
        from ..models.rollout_event_out import RolloutEventOut

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        subject = d.pop("subject")

        version = d.pop("version")

        def _parse_previous_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_version = _parse_previous_version(d.pop("previous_version"))

        state = d.pop("state")

        ring_index = d.pop("ring_index")

        def _parse_ring_entered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ring_entered_at_type_0 = datetime.datetime.fromisoformat(data)

                return ring_entered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ring_entered_at = _parse_ring_entered_at(d.pop("ring_entered_at"))

        def _parse_halted_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        halted_reason = _parse_halted_reason(d.pop("halted_reason"))

        def _parse_release_stage(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        release_stage = _parse_release_stage(d.pop("release_stage"))

        release_notes = d.pop("release_notes")

        rings = []
        _rings = d.pop("rings")
        for rings_item_data in _rings:
            rings_item = RingProgressOut.from_dict(rings_item_data)

            rings.append(rings_item)

        gate = RolloutDetailOutGate.from_dict(d.pop("gate"))

        def _parse_soak_remaining_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        soak_remaining_seconds = _parse_soak_remaining_seconds(
            d.pop("soak_remaining_seconds")
        )

        promote_requested_by = d.pop("promote_requested_by")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = RolloutEventOut.from_dict(events_item_data)

            events.append(events_item)

        stops = []
        _stops = d.pop("stops")
        for stops_item_data in _stops:
            stops_item = RolloutDetailOutStopsItem.from_dict(stops_item_data)

            stops.append(stops_item)

        rollout_detail_out = cls(
            id=id,
            subject=subject,
            version=version,
            previous_version=previous_version,
            state=state,
            ring_index=ring_index,
            ring_entered_at=ring_entered_at,
            halted_reason=halted_reason,
            release_stage=release_stage,
            release_notes=release_notes,
            rings=rings,
            gate=gate,
            soak_remaining_seconds=soak_remaining_seconds,
            promote_requested_by=promote_requested_by,
            events=events,
            stops=stops,
        )

        rollout_detail_out.additional_properties = d
        return rollout_detail_out

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
