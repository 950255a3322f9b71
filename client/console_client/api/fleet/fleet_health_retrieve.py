from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.fleet_health_out import FleetHealthOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    group: UUID | Unset = UNSET,
    platform: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_group: str | Unset = UNSET
    if not isinstance(group, Unset):
        json_group = str(group)
    params["group"] = json_group

    params["platform"] = platform

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/fleet/health/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> FleetHealthOut | Problem | None:
    if response.status_code == 200:
        response_200 = FleetHealthOut.from_dict(response.json())

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
) -> Response[FleetHealthOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    group: UUID | Unset = UNSET,
    platform: str | Unset = UNSET,
) -> Response[FleetHealthOut | Problem]:
    """Get fleet health now

     ``GET /api/v1/fleet/health/``: the tenant's fleet health now (per group / platform on request).

    Args:
        group (UUID | Unset):
        platform (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetHealthOut | Problem]
    """

    kwargs = _get_kwargs(
        group=group,
        platform=platform,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    group: UUID | Unset = UNSET,
    platform: str | Unset = UNSET,
) -> FleetHealthOut | Problem | None:
    """Get fleet health now

     ``GET /api/v1/fleet/health/``: the tenant's fleet health now (per group / platform on request).

    Args:
        group (UUID | Unset):
        platform (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetHealthOut | Problem
    """

    return sync_detailed(
        client=client,
        group=group,
        platform=platform,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    group: UUID | Unset = UNSET,
    platform: str | Unset = UNSET,
) -> Response[FleetHealthOut | Problem]:
    """Get fleet health now

     ``GET /api/v1/fleet/health/``: the tenant's fleet health now (per group / platform on request).

    Args:
        group (UUID | Unset):
        platform (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FleetHealthOut | Problem]
    """

    kwargs = _get_kwargs(
        group=group,
        platform=platform,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    group: UUID | Unset = UNSET,
    platform: str | Unset = UNSET,
) -> FleetHealthOut | Problem | None:
    """Get fleet health now

     ``GET /api/v1/fleet/health/``: the tenant's fleet health now (per group / platform on request).

    Args:
        group (UUID | Unset):
        platform (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FleetHealthOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            group=group,
            platform=platform,
        )
    ).parsed
