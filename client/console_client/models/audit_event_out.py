from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.actor_kind_enum import ActorKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEventOut")


@_attrs_define
class AuditEventOut:
    """
    Attributes:
        seq (int): Position in the tenant's chain, from 1
        actor_kind (ActorKindEnum): * `user` - User
            * `api_client` - API client
            * `support` - Vendor support on behalf of tenant
            * `system` - System
        action (str):
        hash_ (str):
        created_at (datetime.datetime | Unset):
        actor_id (str | Unset):
        actor_label (str | Unset):
        grant_id (None | Unset | UUID): Support grant the actor acted under
        target_type (str | Unset):
        target_id (str | Unset):
        target_label (str | Unset):
        before (Any | Unset):
        after (Any | Unset):
        request_id (str | Unset):
        ip (None | str | Unset):
        user_agent (str | Unset):
    """

    seq: int
    actor_kind: ActorKindEnum
    action: str
    hash_: str
    created_at: datetime.datetime | Unset = UNSET
    actor_id: str | Unset = UNSET
    actor_label: str | Unset = UNSET
    grant_id: None | Unset | UUID = UNSET
    target_type: str | Unset = UNSET
    target_id: str | Unset = UNSET
    target_label: str | Unset = UNSET
    before: Any | Unset = UNSET
    after: Any | Unset = UNSET
    request_id: str | Unset = UNSET
    ip: None | str | Unset = UNSET
    user_agent: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        actor_kind = self.actor_kind.value

        action = self.action

        hash_ = self.hash_

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        actor_id = self.actor_id

        actor_label = self.actor_label

        grant_id: None | str | Unset
        if isinstance(self.grant_id, Unset):
            grant_id = UNSET
        elif isinstance(self.grant_id, UUID):
            grant_id = str(self.grant_id)
        else:
            grant_id = self.grant_id

        target_type = self.target_type

        target_id = self.target_id

        target_label = self.target_label

        before = self.before

        after = self.after

        request_id = self.request_id

        ip: None | str | Unset
        if isinstance(self.ip, Unset):
            ip = UNSET
        else:
            ip = self.ip

        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "actor_kind": actor_kind,
                "action": action,
                "hash": hash_,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if actor_label is not UNSET:
            field_dict["actor_label"] = actor_label
        if grant_id is not UNSET:
            field_dict["grant_id"] = grant_id
        if target_type is not UNSET:
            field_dict["target_type"] = target_type
        if target_id is not UNSET:
            field_dict["target_id"] = target_id
        if target_label is not UNSET:
            field_dict["target_label"] = target_label
        if before is not UNSET:
            field_dict["before"] = before
        if after is not UNSET:
            field_dict["after"] = after
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if ip is not UNSET:
            field_dict["ip"] = ip
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        seq = d.pop("seq")

        actor_kind = ActorKindEnum(d.pop("actor_kind"))

        action = d.pop("action")

        hash_ = d.pop("hash")

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        actor_id = d.pop("actor_id", UNSET)

        actor_label = d.pop("actor_label", UNSET)

        def _parse_grant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                grant_id_type_0 = UUID(data)

                return grant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        grant_id = _parse_grant_id(d.pop("grant_id", UNSET))

        target_type = d.pop("target_type", UNSET)

        target_id = d.pop("target_id", UNSET)

        target_label = d.pop("target_label", UNSET)

        before = d.pop("before", UNSET)

        after = d.pop("after", UNSET)

        request_id = d.pop("request_id", UNSET)

        def _parse_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ip = _parse_ip(d.pop("ip", UNSET))

        user_agent = d.pop("user_agent", UNSET)

        audit_event_out = cls(
            seq=seq,
            actor_kind=actor_kind,
            action=action,
            hash_=hash_,
            created_at=created_at,
            actor_id=actor_id,
            actor_label=actor_label,
            grant_id=grant_id,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            before=before,
            after=after,
            request_id=request_id,
            ip=ip,
            user_agent=user_agent,
        )

        audit_event_out.additional_properties = d
        return audit_event_out

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
