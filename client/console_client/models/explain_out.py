from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.agreement_out import AgreementOut
    from ..models.decision_out import DecisionOut
    from ..models.explain_out_content import ExplainOutContent
    from ..models.fallback_out import FallbackOut


T = TypeVar("T", bound="ExplainOut")


@_attrs_define
class ExplainOut:
    """
    Attributes:
        host_id (str):
        at (datetime.datetime):
        sensor (DecisionOut):
        content (ExplainOutContent): Per content category.
        fallback (FallbackOut | None):
        hostname (str):
        platform (str):
        desired_state (AgreementOut):
    """

    host_id: str
    at: datetime.datetime
    sensor: DecisionOut
    content: ExplainOutContent
    fallback: FallbackOut | None
    hostname: str
    platform: str
    desired_state: AgreementOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.fallback_out import FallbackOut

        host_id = self.host_id

        at = self.at.isoformat()

        sensor = self.sensor.to_dict()

        content = self.content.to_dict()

        fallback: dict[str, Any] | None
        if isinstance(self.fallback, FallbackOut):
            fallback = self.fallback.to_dict()
        else:
            fallback = self.fallback

        hostname = self.hostname

        platform = self.platform

        desired_state = self.desired_state.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "host_id": host_id,
                "at": at,
                "sensor": sensor,
                "content": content,
                "fallback": fallback,
                "hostname": hostname,
                "platform": platform,
                "desired_state": desired_state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.agreement_out import AgreementOut
        from ..models.decision_out import DecisionOut
        from ..models.explain_out_content import ExplainOutContent
        from ..models.fallback_out import FallbackOut

        d = dict(src_dict)
        host_id = d.pop("host_id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        sensor = DecisionOut.from_dict(d.pop("sensor"))

        content = ExplainOutContent.from_dict(d.pop("content"))

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

        hostname = d.pop("hostname")

        platform = d.pop("platform")

        desired_state = AgreementOut.from_dict(d.pop("desired_state"))

        explain_out = cls(
            host_id=host_id,
            at=at,
            sensor=sensor,
            content=content,
            fallback=fallback,
            hostname=hostname,
            platform=platform,
            desired_state=desired_state,
        )

        explain_out.additional_properties = d
        return explain_out

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
