from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.host_status_enum import HostStatusEnum
from ..models.platform_enum import PlatformEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="HostOutput")


@_attrs_define
class HostOutput:
    """
    Attributes:
        id (UUID):
        hostname (str):
        platform (PlatformEnum): * `windows` - Windows
            * `macos` - macOS
            * `linux` - Linux
        os_version (str | Unset):
        tags (list[str] | Unset):
        site (str | Unset):
        sensor_build (str | Unset):
        content_versions (Any | Unset): category -> version
        status (HostStatusEnum | Unset): * `online` - Online
            * `offline` - Offline
            * `crashed` - Crashed
            * `boot_loop` - Boot loop
            * `silent` - Silent
            * `recovering` - Recovering
        reported_status (str | Unset):
        last_seen_at (datetime.datetime | None | Unset):
        status_changed_at (datetime.datetime | None | Unset):
        heartbeat_interval_s (int | Unset):
        enrolled_at (datetime.datetime | Unset):
        last_crash_at (datetime.datetime | None | Unset):
    """

    id: UUID
    hostname: str
    platform: PlatformEnum
    os_version: str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    site: str | Unset = UNSET
    sensor_build: str | Unset = UNSET
    content_versions: Any | Unset = UNSET
    status: HostStatusEnum | Unset = UNSET
    reported_status: str | Unset = UNSET
    last_seen_at: datetime.datetime | None | Unset = UNSET
    status_changed_at: datetime.datetime | None | Unset = UNSET
    heartbeat_interval_s: int | Unset = UNSET
    enrolled_at: datetime.datetime | Unset = UNSET
    last_crash_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        hostname = self.hostname

        platform = self.platform.value

        os_version = self.os_version

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        site = self.site

        sensor_build = self.sensor_build

        content_versions = self.content_versions

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        reported_status = self.reported_status

        last_seen_at: None | str | Unset
        if isinstance(self.last_seen_at, Unset):
            last_seen_at = UNSET
        elif isinstance(self.last_seen_at, datetime.datetime):
            last_seen_at = self.last_seen_at.isoformat()
        else:
            last_seen_at = self.last_seen_at

        status_changed_at: None | str | Unset
        if isinstance(self.status_changed_at, Unset):
            status_changed_at = UNSET
        elif isinstance(self.status_changed_at, datetime.datetime):
            status_changed_at = self.status_changed_at.isoformat()
        else:
            status_changed_at = self.status_changed_at

        heartbeat_interval_s = self.heartbeat_interval_s

        enrolled_at: str | Unset = UNSET
        if not isinstance(self.enrolled_at, Unset):
            enrolled_at = self.enrolled_at.isoformat()

        last_crash_at: None | str | Unset
        if isinstance(self.last_crash_at, Unset):
            last_crash_at = UNSET
        elif isinstance(self.last_crash_at, datetime.datetime):
            last_crash_at = self.last_crash_at.isoformat()
        else:
            last_crash_at = self.last_crash_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "hostname": hostname,
                "platform": platform,
            }
        )
        if os_version is not UNSET:
            field_dict["os_version"] = os_version
        if tags is not UNSET:
            field_dict["tags"] = tags
        if site is not UNSET:
            field_dict["site"] = site
        if sensor_build is not UNSET:
            field_dict["sensor_build"] = sensor_build
        if content_versions is not UNSET:
            field_dict["content_versions"] = content_versions
        if status is not UNSET:
            field_dict["status"] = status
        if reported_status is not UNSET:
            field_dict["reported_status"] = reported_status
        if last_seen_at is not UNSET:
            field_dict["last_seen_at"] = last_seen_at
        if status_changed_at is not UNSET:
            field_dict["status_changed_at"] = status_changed_at
        if heartbeat_interval_s is not UNSET:
            field_dict["heartbeat_interval_s"] = heartbeat_interval_s
        if enrolled_at is not UNSET:
            field_dict["enrolled_at"] = enrolled_at
        if last_crash_at is not UNSET:
            field_dict["last_crash_at"] = last_crash_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        hostname = d.pop("hostname")

        platform = PlatformEnum(d.pop("platform"))

        os_version = d.pop("os_version", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        site = d.pop("site", UNSET)

        sensor_build = d.pop("sensor_build", UNSET)

        content_versions = d.pop("content_versions", UNSET)

        _status = d.pop("status", UNSET)
        status: HostStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = HostStatusEnum(_status)

        reported_status = d.pop("reported_status", UNSET)

        def _parse_last_seen_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_seen_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_seen_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_seen_at = _parse_last_seen_at(d.pop("last_seen_at", UNSET))

        def _parse_status_changed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_changed_at_type_0 = datetime.datetime.fromisoformat(data)

                return status_changed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        status_changed_at = _parse_status_changed_at(d.pop("status_changed_at", UNSET))

        heartbeat_interval_s = d.pop("heartbeat_interval_s", UNSET)

        _enrolled_at = d.pop("enrolled_at", UNSET)
        enrolled_at: datetime.datetime | Unset
        if isinstance(_enrolled_at, Unset):
            enrolled_at = UNSET
        else:
            enrolled_at = datetime.datetime.fromisoformat(_enrolled_at)

        def _parse_last_crash_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_crash_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_crash_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_crash_at = _parse_last_crash_at(d.pop("last_crash_at", UNSET))

        host_output = cls(
            id=id,
            hostname=hostname,
            platform=platform,
            os_version=os_version,
            tags=tags,
            site=site,
            sensor_build=sensor_build,
            content_versions=content_versions,
            status=status,
            reported_status=reported_status,
            last_seen_at=last_seen_at,
            status_changed_at=status_changed_at,
            heartbeat_interval_s=heartbeat_interval_s,
            enrolled_at=enrolled_at,
            last_crash_at=last_crash_at,
        )

        host_output.additional_properties = d
        return host_output

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
