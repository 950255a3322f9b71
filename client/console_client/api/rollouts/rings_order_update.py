from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.ring_list import RingList
from ...models.ring_order_in_request import RingOrderInRequest
from ...types import Response


def _get_kwargs(
    *,
    body: RingOrderInRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/rings/order/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | RingList | None:
    if response.status_code == 200:
        response_200 = RingList.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Problem | RingList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RingOrderInRequest,
) -> Response[Problem | RingList]:
    """Set the order of the rings

     Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached).

    Args:
        body (RingOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RingList]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: RingOrderInRequest,
) -> Problem | RingList | None:
    """Set the order of the rings

     Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached).

    Args:
        body (RingOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RingList
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RingOrderInRequest,
) -> Response[Problem | RingList]:
    """Set the order of the rings

     Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached).

    Args:
        body (RingOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RingList]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RingOrderInRequest,
) -> Problem | RingList | None:
    """Set the order of the rings

     Sets the order of the rings: ``order`` lists every ring id, first is ring 1. Refused with 409
    while a rollout is running or halted (the order decides which hosts it has reached).

    Args:
        body (RingOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RingList
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
