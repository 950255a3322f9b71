from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.enrol_input_request_content_versions import (
        EnrolInputRequestContentVersions,
    )


T = TypeVar("T", bound="EnrolInputRequest")


@_attrs_define
class EnrolInputRequest:
    """
    Attributes:
        enrolment_token (str):
        hostname (str):
        platform (str):
        agent_id (UUID | Unset):
        os_version (str | Unset):
        tags (list[str] | Unset):
        site (str | Unset):
        sensor_build (str | Unset):
        content_versions (EnrolInputRequestContentVersions | Unset):
    """

    enrolment_token: str
    hostname: str
    platform: str
    agent_id: UUID | Unset = UNSET
    os_version: str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    site: str | Unset = UNSET
    sensor_build: str | Unset = UNSET
    content_versions: EnrolInputRequestContentVersions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enrolment_token = self.enrolment_token

        hostname = self.hostname

        platform = self.platform

        agent_id: str | Unset = UNSET
        if not isinstance(self.agent_id, Unset):
            agent_id = str(self.agent_id)

        os_version = self.os_version

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        site = self.site

        sensor_build = self.sensor_build

        content_versions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.content_versions, Unset):
            content_versions = self.content_versions.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enrolment_token": enrolment_token,
                "hostname": hostname,
                "platform": platform,
            }
        )
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.enrol_input_request_content_versions import (
            EnrolInputRequestContentVersions,
        )

        d = dict(src_dict)
        enrolment_token = d.pop("enrolment_token")

        hostname = d.pop("hostname")

        platform = d.pop("platform")

        _agent_id = d.pop("agent_id", UNSET)
        agent_id: UUID | Unset
        if isinstance(_agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = UUID(_agent_id)

        os_version = d.pop("os_version", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        site = d.pop("site", UNSET)

        sensor_build = d.pop("sensor_build", UNSET)

        _content_versions = d.pop("content_versions", UNSET)
        content_versions: EnrolInputRequestContentVersions | Unset
        if isinstance(_content_versions, Unset):
            content_versions = UNSET
        else:
            content_versions = EnrolInputRequestContentVersions.from_dict(
                _content_versions
            )

        enrol_input_request = cls(
            enrolment_token=enrolment_token,
            hostname=hostname,
            platform=platform,
            agent_id=agent_id,
            os_version=os_version,
            tags=tags,
            site=site,
            sensor_build=sensor_build,
            content_versions=content_versions,
        )

        enrol_input_request.additional_properties = d
        return enrol_input_request

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
