from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.support_request_status_enum import SupportRequestStatusEnum
from ..models.support_scope_enum import SupportScopeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="SupportRequestOut")


@_attrs_define
class SupportRequestOut:
    """
    Attributes:
        id (UUID):
        tenant (str):
        staff (str):
        case_id (str):
        reason (str):
        answer_by (datetime.datetime):
        scope (SupportScopeEnum | Unset): * `read` - Read only
            * `operate` - Read and operate
        duration_hours (int | Unset):
        status (SupportRequestStatusEnum | Unset): * `pending` - Pending
            * `approved` - Approved
            * `denied` - Denied
            * `expired` - Expired unanswered
        decided_at (datetime.datetime | None | Unset):
        grant (None | Unset | UUID):
        created_at (datetime.datetime | Unset):
    """

    id: UUID
    tenant: str
    staff: str
    case_id: str
    reason: str
    answer_by: datetime.datetime
    scope: SupportScopeEnum | Unset = UNSET
    duration_hours: int | Unset = UNSET
    status: SupportRequestStatusEnum | Unset = UNSET
    decided_at: datetime.datetime | None | Unset = UNSET
    grant: None | Unset | UUID = UNSET
    created_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        tenant = self.tenant

        staff = self.staff

        case_id = self.case_id

        reason = self.reason

        answer_by = self.answer_by.isoformat()

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value

        duration_hours = self.duration_hours

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        decided_at: None | str | Unset
        if isinstance(self.decided_at, Unset):
            decided_at = UNSET
        elif isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        grant: None | str | Unset
        if isinstance(self.grant, Unset):
            grant = UNSET
        elif isinstance(self.grant, UUID):
            grant = str(self.grant)
        else:
            grant = self.grant

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenant": tenant,
                "staff": staff,
                "case_id": case_id,
                "reason": reason,
                "answer_by": answer_by,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope
        if duration_hours is not UNSET:
            field_dict["duration_hours"] = duration_hours
        if status is not UNSET:
            field_dict["status"] = status
        if decided_at is not UNSET:
            field_dict["decided_at"] = decided_at
        if grant is not UNSET:
            field_dict["grant"] = grant
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        tenant = d.pop("tenant")

        staff = d.pop("staff")

        case_id = d.pop("case_id")

        reason = d.pop("reason")

        answer_by = datetime.datetime.fromisoformat(d.pop("answer_by"))

        _scope = d.pop("scope", UNSET)
        scope: SupportScopeEnum | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = SupportScopeEnum(_scope)

        duration_hours = d.pop("duration_hours", UNSET)

        _status = d.pop("status", UNSET)
        status: SupportRequestStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = SupportRequestStatusEnum(_status)

        def _parse_decided_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        decided_at = _parse_decided_at(d.pop("decided_at", UNSET))

        def _parse_grant(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                grant_type_0 = UUID(data)

                return grant_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        grant = _parse_grant(d.pop("grant", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        support_request_out = cls(
            id=id,
            tenant=tenant,
            staff=staff,
            case_id=case_id,
            reason=reason,
            answer_by=answer_by,
            scope=scope,
            duration_hours=duration_hours,
            status=status,
            decided_at=decided_at,
            grant=grant,
            created_at=created_at,
        )

        support_request_out.additional_properties = d
        return support_request_out

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
