from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.build_share_out import BuildShareOut
    from ..models.content_share_out import ContentShareOut
    from ..models.fleet_health_out_platforms import FleetHealthOutPlatforms
    from ..models.fleet_health_out_status import FleetHealthOutStatus
    from ..models.group_ref_out import GroupRefOut


T = TypeVar("T", bound="FleetHealthOut")


@_attrs_define
class FleetHealthOut:
    """
    Attributes:
        tenant_id (UUID):
        group_id (None | UUID):
        platform (None | str):
        as_of (datetime.datetime):
        total (int):
        status (FleetHealthOutStatus): Hosts per status (online, offline, crashed, ...).
        platforms (FleetHealthOutPlatforms):
        sensor_builds (list[BuildShareOut]):
        content (list[ContentShareOut]):
        crashes_last_hour (int):
        groups (list[GroupRefOut]): The tenant's host groups (to filter by).
        flushed_at (float | None): Unix time of the last heartbeat flush.
    """

    tenant_id: UUID
    group_id: None | UUID
    platform: None | str
    as_of: datetime.datetime
    total: int
    status: FleetHealthOutStatus
    platforms: FleetHealthOutPlatforms
    sensor_builds: list[BuildShareOut]
    content: list[ContentShareOut]
    crashes_last_hour: int
    groups: list[GroupRefOut]
    flushed_at: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant_id = str(self.tenant_id)

        group_id: None | str
        if isinstance(self.group_id, UUID):
            group_id = str(self.group_id)
        else:
            group_id = self.group_id

        platform: None | str
        platform = self.platform

        as_of = self.as_of.isoformat()

        total = self.total

        status = self.status.to_dict()

        platforms = self.platforms.to_dict()

        sensor_builds = []
        for sensor_builds_item_data in self.sensor_builds:
            sensor_builds_item = sensor_builds_item_data.to_dict()
            sensor_builds.append(sensor_builds_item)

        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)

        crashes_last_hour = self.crashes_last_hour

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        flushed_at: float | None
        flushed_at = self.flushed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant_id": tenant_id,
                "group_id": group_id,
                "platform": platform,
                "as_of": as_of,
                "total": total,
                "status": status,
                "platforms": platforms,
                "sensor_builds": sensor_builds,
                "content": content,
                "crashes_last_hour": crashes_last_hour,
                "groups": groups,
                "flushed_at": flushed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.build_share_out import BuildShareOut
        from ..models.content_share_out import ContentShareOut
        from ..models.fleet_health_out_platforms import FleetHealthOutPlatforms
        from ..models.fleet_health_out_status import FleetHealthOutStatus
        from ..models.group_ref_out import GroupRefOut

        d = dict(src_dict)
        tenant_id = UUID(d.pop("tenant_id"))

        def _parse_group_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                group_id_type_0 = UUID(data)

                return group_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        group_id = _parse_group_id(d.pop("group_id"))

        def _parse_platform(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        platform = _parse_platform(d.pop("platform"))

        as_of = datetime.datetime.fromisoformat(d.pop("as_of"))

        total = d.pop("total")

        status = FleetHealthOutStatus.from_dict(d.pop("status"))

        platforms = FleetHealthOutPlatforms.from_dict(d.pop("platforms"))

        sensor_builds = []
        _sensor_builds = d.pop("sensor_builds")
        for sensor_builds_item_data in _sensor_builds:
            sensor_builds_item = BuildShareOut.from_dict(sensor_builds_item_data)

            sensor_builds.append(sensor_builds_item)

        content = []
        _content = d.pop("content")
        for content_item_data in _content:
            content_item = ContentShareOut.from_dict(content_item_data)

            content.append(content_item)

        crashes_last_hour = d.pop("crashes_last_hour")

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = GroupRefOut.from_dict(groups_item_data)

            groups.append(groups_item)

        def _parse_flushed_at(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        flushed_at = _parse_flushed_at(d.pop("flushed_at"))

        fleet_health_out = cls(
            tenant_id=tenant_id,
            group_id=group_id,
            platform=platform,
            as_of=as_of,
            total=total,
            status=status,
            platforms=platforms,
            sensor_builds=sensor_builds,
            content=content,
            crashes_last_hour=crashes_last_hour,
            groups=groups,
            flushed_at=flushed_at,
        )

        fleet_health_out.additional_properties = d
        return fleet_health_out

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
