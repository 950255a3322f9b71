from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.fallback_out import FallbackOut
    from ..models.host_desired_out_content import HostDesiredOutContent
    from ..models.host_desired_out_paused_item import HostDesiredOutPausedItem
    from ..models.host_desired_out_rules import HostDesiredOutRules


T = TypeVar("T", bound="HostDesiredOut")


@_attrs_define
class HostDesiredOut:
    """
    Attributes:
        host_id (UUID):
        revision (int):
        target_revision (int | None):
        sensor_build (None | str):
        content (HostDesiredOutContent):
        groups (list[str]):
        rules (HostDesiredOutRules): Per subject: the deciding rule.
        paused (list[HostDesiredOutPausedItem]): The holds covering the host.
        fallback (FallbackOut | None):
        changed_at (datetime.datetime):
    """

    host_id: UUID
    revision: int
    target_revision: int | None
    sensor_build: None | str
    content: HostDesiredOutContent
    groups: list[str]
    rules: HostDesiredOutRules
    paused: list[HostDesiredOutPausedItem]
    fallback: FallbackOut | None
    changed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fallback_out import FallbackOut

        host_id = str(self.host_id)

        revision = self.revision

        target_revision: int | None
        target_revision = self.target_revision

        sensor_build: None | str
        sensor_build = self.sensor_build

        content = self.content.to_dict()

        groups = self.groups

        rules = self.rules.to_dict()

        paused = []
        for paused_item_data in self.paused:
            paused_item = paused_item_data.to_dict()
            paused.append(paused_item)

        fallback: dict[str, Any] | None
        if isinstance(self.fallback, FallbackOut):
            fallback = self.fallback.to_dict()
        else:
            fallback = self.fallback

        changed_at = self.changed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "host_id": host_id,
                "revision": revision,
                "target_revision": target_revision,
                "sensor_build": sensor_build,
                "content": content,
                "groups": groups,
                "rules": rules,
                "paused": paused,
                "fallback": fallback,
                "changed_at": changed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.fallback_out import FallbackOut
        from ..models.host_desired_out_content import HostDesiredOutContent
        from ..models.host_desired_out_paused_item import HostDesiredOutPausedItem
        from ..models.host_desired_out_rules import HostDesiredOutRules

        d = dict(src_dict)
        host_id = UUID(d.pop("host_id"))

        revision = d.pop("revision")

        def _parse_target_revision(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        target_revision = _parse_target_revision(d.pop("target_revision"))

        def _parse_sensor_build(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sensor_build = _parse_sensor_build(d.pop("sensor_build"))

        content = HostDesiredOutContent.from_dict(d.pop("content"))

        groups = cast(list[str], d.pop("groups"))

        rules = HostDesiredOutRules.from_dict(d.pop("rules"))

        paused = []
        _paused = d.pop("paused")
        for paused_item_data in _paused:
            paused_item = HostDesiredOutPausedItem.from_dict(paused_item_data)

            paused.append(paused_item)

        def _parse_fallback(data: object) -> FallbackOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                fallback_type_1 = FallbackOut.from_dict(data)

                return fallback_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FallbackOut | None, data)

        fallback = _parse_fallback(d.pop("fallback"))

        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))

        host_desired_out = cls(
            host_id=host_id,
            revision=revision,
            target_revision=target_revision,
            sensor_build=sensor_build,
            content=content,
            groups=groups,
            rules=rules,
            paused=paused,
            fallback=fallback,
            changed_at=changed_at,
        )

        host_desired_out.additional_properties = d
        return host_desired_out

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
