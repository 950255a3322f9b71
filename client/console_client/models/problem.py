from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.problem_codes import ProblemCodes
    from ..models.problem_errors import ProblemErrors


T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """An error (RFC 9457). Other members may be present (e.g. `limit` on a too-large body).

    Attributes:
        type_ (str): `about:blank` or `/problems/<slug>`. Example: /problems/invalid-input.
        title (str):  Example: Invalid input.
        status (int):  Example: 400.
        detail (str):  Example: The request has invalid fields..
        instance (str | Unset): The request path.
        errors (ProblemErrors | Unset): Each bad field (`a.b`, `list[0].c`; `__all__` for the whole body) and its
            messages.
        codes (ProblemCodes | Unset): One machine code per message of `errors`, same fields, same order (`required`,
            `invalid`, `max_length`, `not_found`...).
    """

    type_: str
    title: str
    status: int
    detail: str
    instance: str | Unset = UNSET
    errors: ProblemErrors | Unset = UNSET
    codes: ProblemCodes | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance = self.instance

        errors: dict[str, Any] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = self.errors.to_dict()

        codes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.codes, Unset):
            codes = self.codes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
            }
        )
        if instance is not UNSET:
            field_dict["instance"] = instance
        if errors is not UNSET:
            field_dict["errors"] = errors
        if codes is not UNSET:
            field_dict["codes"] = codes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.problem_codes import ProblemCodes
        from ..models.problem_errors import ProblemErrors

        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail")

        instance = d.pop("instance", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: ProblemErrors | Unset
        if isinstance(_errors, Unset):
            errors = UNSET
        else:
            errors = ProblemErrors.from_dict(_errors)

        _codes = d.pop("codes", UNSET)
        codes: ProblemCodes | Unset
        if isinstance(_codes, Unset):
            codes = UNSET
        else:
            codes = ProblemCodes.from_dict(_codes)

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            errors=errors,
            codes=codes,
        )

        problem.additional_properties = d
        return problem

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
