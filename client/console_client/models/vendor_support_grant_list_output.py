from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.support_scope_enum import SupportScopeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="VendorSupportGrantListOutput")


@_attrs_define
class VendorSupportGrantListOutput:
    """
    Attributes:
        id (UUID):
        staff (str):
        reason (str):
        expires_at (datetime.datetime):
        active (bool):
        tenant (str):
        scope (SupportScopeEnum | Unset): * `read` - Read only
            * `operate` - Read and operate
        case_id (str | Unset):
        starts_at (datetime.datetime | Unset):
        break_glass (bool | Unset): Self-granted by a support lead; read only
        revoked_at (datetime.datetime | None | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: UUID
    staff: str
    reason: str
    expires_at: datetime.datetime
    active: bool
    tenant: str
    scope: SupportScopeEnum | Unset = UNSET
    case_id: str | Unset = UNSET
    starts_at: datetime.datetime | Unset = UNSET
    break_glass: bool | Unset = UNSET
    revoked_at: datetime.datetime | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        staff = self.staff

        reason = self.reason

        expires_at = self.expires_at.isoformat()

        active = self.active

        tenant = self.tenant

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value

        case_id = self.case_id

        starts_at: str | Unset = UNSET
        if not isinstance(self.starts_at, Unset):
            starts_at = self.starts_at.isoformat()

        break_glass = self.break_glass

        revoked_at: None | str | Unset
        if isinstance(self.revoked_at, Unset):
            revoked_at = UNSET
        elif isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "staff": staff,
                "reason": reason,
                "expires_at": expires_at,
                "active": active,
                "tenant": tenant,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope
        if case_id is not UNSET:
            field_dict["case_id"] = case_id
        if starts_at is not UNSET:
            field_dict["starts_at"] = starts_at
        if break_glass is not UNSET:
            field_dict["break_glass"] = break_glass
        if revoked_at is not UNSET:
            field_dict["revoked_at"] = revoked_at
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        staff = d.pop("staff")

        reason = d.pop("reason")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        active = d.pop("active")

        tenant = d.pop("tenant")

        _scope = d.pop("scope", UNSET)
        scope: SupportScopeEnum | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = SupportScopeEnum(_scope)

        case_id = d.pop("case_id", UNSET)

        _starts_at = d.pop("starts_at", UNSET)
        starts_at: datetime.datetime | Unset
        if isinstance(_starts_at, Unset):
            starts_at = UNSET
        else:
            starts_at = datetime.datetime.fromisoformat(_starts_at)

        break_glass = d.pop("break_glass", UNSET)

        def _parse_revoked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        vendor_support_grant_list_output = cls(
            id=id,
            staff=staff,
            reason=reason,
            expires_at=expires_at,
            active=active,
            tenant=tenant,
            scope=scope,
            case_id=case_id,
            starts_at=starts_at,
            break_glass=break_glass,
            revoked_at=revoked_at,
            created_at=created_at,
        )

        vendor_support_grant_list_output.additional_properties = d
        return vendor_support_grant_list_output

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
