from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from console.errors import InvalidInput, PreconditionFailed
from console.models import Tenant


def field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors={field: [message]})


def version_check(obj: Any, expected: int | None) -> None:
    if expected is not None and int(expected) != obj.version:
        raise PreconditionFailed(
            f"{obj} was changed by someone else (it is now at version {obj.version}, you edited "
            f"version {expected}). Reload it and apply your change again.",
            current_version=obj.version,
        )


def tenant_row_lock(model: type[Model], tenant: Tenant, pk: Any) -> Any:
    return model._default_manager.select_for_update().get(tenant=tenant, pk=pk)


def save_unique(obj: Model, field: str = "name") -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise field_error(field, f"Another one is already called {getattr(obj, field)!r}.") from exc


def is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
