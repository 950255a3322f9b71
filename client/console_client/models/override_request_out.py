from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.overrides_enum import OverridesEnum

T = TypeVar("T", bound="OverrideRequestOut")


@_attrs_define
class OverrideRequestOut:
    """
    Attributes:
        id (UUID):
        tenant (str): The tenant's slug.
        category (str):
        version (str):
        critical (bool): Whether the vendor marked the release critical.
        overrides (list[OverridesEnum]): What the release is asked to pass: `freeze`, `window`.
        reason (str):
        requested_by (str):
        requested_at (datetime.datetime):
        state (str): pending, approved, declined or expired.
        expires_at (datetime.datetime): The request, and an approval, end then.
        decided_by (None | str): The admin, or the standing rule.
        decided_at (datetime.datetime | None):
        rule (None | UUID): The standing rule that approved it.
    """

    id: UUID
    tenant: str
    category: str
    version: str
    critical: bool
    overrides: list[OverridesEnum]
    reason: str
    requested_by: str
    requested_at: datetime.datetime
    state: str
    expires_at: datetime.datetime
    decided_by: None | str
    decided_at: datetime.datetime | None
    rule: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant = self.tenant

        category = self.category

        version = self.version

        critical = self.critical

        overrides = []
        for overrides_item_data in self.overrides:
            overrides_item = overrides_item_data.value
            overrides.append(overrides_item)

        reason = self.reason

        requested_by = self.requested_by

        requested_at = self.requested_at.isoformat()

        state = self.state

        expires_at = self.expires_at.isoformat()

        decided_by: None | str
        decided_by = self.decided_by

        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        rule: None | str
        if isinstance(self.rule, UUID):
            rule = str(self.rule)
        else:
            rule = self.rule

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant": tenant,
                "category": category,
                "version": version,
                "critical": critical,
                "overrides": overrides,
                "reason": reason,
                "requested_by": requested_by,
                "requested_at": requested_at,
                "state": state,
                "expires_at": expires_at,
                "decided_by": decided_by,
                "decided_at": decided_at,
                "rule": rule,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        tenant = d.pop("tenant")

        category = d.pop("category")

        version = d.pop("version")

        critical = d.pop("critical")

        overrides = []
        _overrides = d.pop("overrides")
        for overrides_item_data in _overrides:
            overrides_item = OverridesEnum(overrides_item_data)

            overrides.append(overrides_item)

        reason = d.pop("reason")

        requested_by = d.pop("requested_by")

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        state = d.pop("state")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_decided_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_rule(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rule_type_0 = UUID(data)

                return rule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        rule = _parse_rule(d.pop("rule"))

        override_request_out = cls(
            id=id,
            tenant=tenant,
            category=category,
            version=version,
            critical=critical,
            overrides=overrides,
            reason=reason,
            requested_by=requested_by,
            requested_at=requested_at,
            state=state,
            expires_at=expires_at,
            decided_by=decided_by,
            decided_at=decided_at,
            rule=rule,
        )

        override_request_out.additional_properties = d
        return override_request_out

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
