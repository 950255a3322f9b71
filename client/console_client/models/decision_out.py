from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ref_out import RefOut


T = TypeVar("T", bound="DecisionOut")


@_attrs_define
class DecisionOut:
    """
    Attributes:
        subject (str):
        current (None | str):
        target (None | str):
        desired (None | str):
        rule (str):
        reason (str):
        policy (None | RefOut):
        group (None | RefOut):
        pause_id (None | str):
        freeze_id (None | str):
        window_id (None | str):
    """

    subject: str
    current: None | str
    target: None | str
    desired: None | str
    rule: str
    reason: str
    policy: None | RefOut
    group: None | RefOut
    pause_id: None | str
    freeze_id: None | str
    window_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ref_out import RefOut

        subject = self.subject

        current: None | str
        current = self.current

        target: None | str
        target = self.target

        desired: None | str
        desired = self.desired

        rule = self.rule

        reason = self.reason

        policy: dict[str, Any] | None
        if isinstance(self.policy, RefOut):
            policy = self.policy.to_dict()
        else:
            policy = self.policy

        group: dict[str, Any] | None
        if isinstance(self.group, RefOut):
            group = self.group.to_dict()
        else:
            group = self.group

        pause_id: None | str
        pause_id = self.pause_id

        freeze_id: None | str
        freeze_id = self.freeze_id

        window_id: None | str
        window_id = self.window_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
                "current": current,
                "target": target,
                "desired": desired,
                "rule": rule,
                "reason": reason,
                "policy": policy,
                "group": group,
                "pause_id": pause_id,
                "freeze_id": freeze_id,
                "window_id": window_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ref_out import RefOut

        d = dict(src_dict)
        subject = d.pop("subject")

        def _parse_current(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        current = _parse_current(d.pop("current"))

        def _parse_target(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        target = _parse_target(d.pop("target"))

        def _parse_desired(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        desired = _parse_desired(d.pop("desired"))

        rule = d.pop("rule")

        reason = d.pop("reason")

        def _parse_policy(data: object) -> None | RefOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                policy_type_1 = RefOut.from_dict(data)

                return policy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefOut, data)

        policy = _parse_policy(d.pop("policy"))

        def _parse_group(data: object) -> None | RefOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                group_type_1 = RefOut.from_dict(data)

                return group_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefOut, data)

        group = _parse_group(d.pop("group"))

        def _parse_pause_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pause_id = _parse_pause_id(d.pop("pause_id"))

        def _parse_freeze_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        freeze_id = _parse_freeze_id(d.pop("freeze_id"))

        def _parse_window_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        window_id = _parse_window_id(d.pop("window_id"))

        decision_out = cls(
            subject=subject,
            current=current,
            target=target,
            desired=desired,
            rule=rule,
            reason=reason,
            policy=policy,
            group=group,
            pause_id=pause_id,
            freeze_id=freeze_id,
            window_id=window_id,
        )

        decision_out.additional_properties = d
        return decision_out

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
