from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.content_order_in_request import ContentOrderInRequest
from ...models.content_policy_precedence_outcome import ContentPolicyPrecedenceOutcome
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ContentOrderInRequest,
    dry_run: bool | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/content-policies/precedence/",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContentPolicyPrecedenceOutcome | Problem | None:
    if response.status_code == 200:
        response_200 = ContentPolicyPrecedenceOutcome.from_dict(response.json())

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
) -> Response[ContentPolicyPrecedenceOutcome | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ContentOrderInRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[ContentPolicyPrecedenceOutcome | Problem]:
    """Set the precedence of content policies

     Base of every tenant API endpoint: resolves the tenant once, checks the per-method scope.

    Args:
        dry_run (bool | Unset):
        body (ContentOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentPolicyPrecedenceOutcome | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ContentOrderInRequest,
    dry_run: bool | Unset = UNSET,
) -> ContentPolicyPrecedenceOutcome | Problem | None:
    """Set the precedence of content policies

     Base of every tenant API endpoint: resolves the tenant once, checks the per-method scope.

    Args:
        dry_run (bool | Unset):
        body (ContentOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentPolicyPrecedenceOutcome | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ContentOrderInRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[ContentPolicyPrecedenceOutcome | Problem]:
    """Set the precedence of content policies

     Base of every tenant API endpoint: resolves the tenant once, checks the per-method scope.

    Args:
        dry_run (bool | Unset):
        body (ContentOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContentPolicyPrecedenceOutcome | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ContentOrderInRequest,
    dry_run: bool | Unset = UNSET,
) -> ContentPolicyPrecedenceOutcome | Problem | None:
    """Set the precedence of content policies

     Base of every tenant API endpoint: resolves the tenant once, checks the per-method scope.

    Args:
        dry_run (bool | Unset):
        body (ContentOrderInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContentPolicyPrecedenceOutcome | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
        )
    ).parsed
