import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_event_out import AuditEventOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    action: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    grant: UUID | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    target: str | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["action"] = action

    params["actor"] = actor

    json_grant: str | Unset = UNSET
    if not isinstance(grant, Unset):
        json_grant = str(grant)
    params["grant"] = json_grant

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    params["target"] = target

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit-events/export.json",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[AuditEventOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = AuditEventOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | list[AuditEventOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    grant: UUID | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    target: str | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[Problem | list[AuditEventOut]]:
    """Export the audit log as JSON

     The filtered audit log as one JSON array, streamed.

    Args:
        action (str | Unset):
        actor (str | Unset):
        grant (UUID | Unset):
        since (datetime.datetime | Unset):
        target (str | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AuditEventOut]]
    """

    kwargs = _get_kwargs(
        action=action,
        actor=actor,
        grant=grant,
        since=since,
        target=target,
        until=until,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    grant: UUID | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    target: str | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Problem | list[AuditEventOut] | None:
    """Export the audit log as JSON

     The filtered audit log as one JSON array, streamed.

    Args:
        action (str | Unset):
        actor (str | Unset):
        grant (UUID | Unset):
        since (datetime.datetime | Unset):
        target (str | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AuditEventOut]
    """

    return sync_detailed(
        client=client,
        action=action,
        actor=actor,
        grant=grant,
        since=since,
        target=target,
        until=until,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    grant: UUID | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    target: str | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[Problem | list[AuditEventOut]]:
    """Export the audit log as JSON

     The filtered audit log as one JSON array, streamed.

    Args:
        action (str | Unset):
        actor (str | Unset):
        grant (UUID | Unset):
        since (datetime.datetime | Unset):
        target (str | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[AuditEventOut]]
    """

    kwargs = _get_kwargs(
        action=action,
        actor=actor,
        grant=grant,
        since=since,
        target=target,
        until=until,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    action: str | Unset = UNSET,
    actor: str | Unset = UNSET,
    grant: UUID | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    target: str | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Problem | list[AuditEventOut] | None:
    """Export the audit log as JSON

     The filtered audit log as one JSON array, streamed.

    Args:
        action (str | Unset):
        actor (str | Unset):
        grant (UUID | Unset):
        since (datetime.datetime | Unset):
        target (str | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[AuditEventOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            action=action,
            actor=actor,
            grant=grant,
            since=since,
            target=target,
            until=until,
        )
    ).parsed
