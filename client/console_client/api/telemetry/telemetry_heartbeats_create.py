from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.heartbeat_batch_request import HeartbeatBatchRequest
from ...models.heartbeat_batch_result import HeartbeatBatchResult
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: HeartbeatBatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/telemetry/heartbeats/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HeartbeatBatchResult | Problem | None:
    if response.status_code == 202:
        response_202 = HeartbeatBatchResult.from_dict(response.json())

        return response_202

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
) -> Response[HeartbeatBatchResult | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: HeartbeatBatchRequest,
) -> Response[HeartbeatBatchResult | Problem]:
    """Send a batch of heartbeats

     ``POST /api/v1/telemetry/heartbeats``: a batch from the vendor's telemetry pipeline or one host.

    Answers 202 with ``accepted`` and the ``rejected`` items (index + errors per field); good items
    are kept. Retrying a batch is harmless. 503 + Retry-After when staging (Redis) is down.

    Args:
        body (HeartbeatBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HeartbeatBatchResult | Problem]
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
    body: HeartbeatBatchRequest,
) -> HeartbeatBatchResult | Problem | None:
    """Send a batch of heartbeats

     ``POST /api/v1/telemetry/heartbeats``: a batch from the vendor's telemetry pipeline or one host.

    Answers 202 with ``accepted`` and the ``rejected`` items (index + errors per field); good items
    are kept. Retrying a batch is harmless. 503 + Retry-After when staging (Redis) is down.

    Args:
        body (HeartbeatBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HeartbeatBatchResult | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: HeartbeatBatchRequest,
) -> Response[HeartbeatBatchResult | Problem]:
    """Send a batch of heartbeats

     ``POST /api/v1/telemetry/heartbeats``: a batch from the vendor's telemetry pipeline or one host.

    Answers 202 with ``accepted`` and the ``rejected`` items (index + errors per field); good items
    are kept. Retrying a batch is harmless. 503 + Retry-After when staging (Redis) is down.

    Args:
        body (HeartbeatBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HeartbeatBatchResult | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: HeartbeatBatchRequest,
) -> HeartbeatBatchResult | Problem | None:
    """Send a batch of heartbeats

     ``POST /api/v1/telemetry/heartbeats``: a batch from the vendor's telemetry pipeline or one host.

    Answers 202 with ``accepted`` and the ``rejected`` items (index + errors per field); good items
    are kept. Retrying a batch is harmless. 503 + Retry-After when staging (Redis) is down.

    Args:
        body (HeartbeatBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HeartbeatBatchResult | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
