from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.overrides_enum import OverridesEnum

T = TypeVar("T", bound="OverrideRuleOut")


@_attrs_define
class OverrideRuleOut:
    """
    Attributes:
        id (UUID):
        categories (list[str]): Empty: every category.
        overrides (list[OverridesEnum]):
        until (datetime.datetime):
        reason (str):
        created_by (str):
        created_at (datetime.datetime):
        revoked_at (datetime.datetime | None):
        revoked_by (None | str):
        live (bool): Not revoked and not past `until`.
    """

    id: UUID
    categories: list[str]
    overrides: list[OverridesEnum]
    until: datetime.datetime
    reason: str
    created_by: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    revoked_by: None | str
    live: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        categories = self.categories

        overrides = []
        for overrides_item_data in self.overrides:
            overrides_item = overrides_item_data.value
            overrides.append(overrides_item)

        until = self.until.isoformat()

        reason = self.reason

        created_by = self.created_by

        created_at = self.created_at.isoformat()

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        revoked_by: None | str
        revoked_by = self.revoked_by

        live = self.live

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "categories": categories,
                "overrides": overrides,
                "until": until,
                "reason": reason,
                "created_by": created_by,
                "created_at": created_at,
                "revoked_at": revoked_at,
                "revoked_by": revoked_by,
                "live": live,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        categories = cast(list[str], d.pop("categories"))

        overrides = []
        _overrides = d.pop("overrides")
        for overrides_item_data in _overrides:
            overrides_item = OverridesEnum(overrides_item_data)

            overrides.append(overrides_item)

        until = datetime.datetime.fromisoformat(d.pop("until"))

        reason = d.pop("reason")

        created_by = d.pop("created_by")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        def _parse_revoked_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revoked_by = _parse_revoked_by(d.pop("revoked_by"))

        live = d.pop("live")

        override_rule_out = cls(
            id=id,
            categories=categories,
            overrides=overrides,
            until=until,
            reason=reason,
            created_by=created_by,
            created_at=created_at,
            revoked_at=revoked_at,
            revoked_by=revoked_by,
            live=live,
        )

        override_rule_out.additional_properties = d
        return override_rule_out

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
