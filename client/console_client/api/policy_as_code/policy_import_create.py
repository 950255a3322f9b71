from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.import_in_request import ImportInRequest
from ...models.policy_plan_out import PolicyPlanOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ImportInRequest,
    dry_run: bool | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/policy/import/",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PolicyPlanOut | Problem | None:
    if response.status_code == 200:
        response_200 = PolicyPlanOut.from_dict(response.json())

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
) -> Response[PolicyPlanOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[PolicyPlanOut | Problem]:
    """Plan or apply a policy document

     `?dry_run=true` plans: the answer's `fingerprint` names the state planned against. Apply with
    `plan_fingerprint` set to it to be sure you apply what you reviewed: if the state moved, the answer
    is 409 (`codes.plan_fingerprint`: `stale_plan`) with `changed` (each object created, updated,
    deleted or reordered since) and `plan` (the new plan's fingerprint and actions).

    Args:
        dry_run (bool | Unset):
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyPlanOut | Problem]
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
    body: ImportInRequest,
    dry_run: bool | Unset = UNSET,
) -> PolicyPlanOut | Problem | None:
    """Plan or apply a policy document

     `?dry_run=true` plans: the answer's `fingerprint` names the state planned against. Apply with
    `plan_fingerprint` set to it to be sure you apply what you reviewed: if the state moved, the answer
    is 409 (`codes.plan_fingerprint`: `stale_plan`) with `changed` (each object created, updated,
    deleted or reordered since) and `plan` (the new plan's fingerprint and actions).

    Args:
        dry_run (bool | Unset):
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyPlanOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportInRequest,
    dry_run: bool | Unset = UNSET,
) -> Response[PolicyPlanOut | Problem]:
    """Plan or apply a policy document

     `?dry_run=true` plans: the answer's `fingerprint` names the state planned against. Apply with
    `plan_fingerprint` set to it to be sure you apply what you reviewed: if the state moved, the answer
    is 409 (`codes.plan_fingerprint`: `stale_plan`) with `changed` (each object created, updated,
    deleted or reordered since) and `plan` (the new plan's fingerprint and actions).

    Args:
        dry_run (bool | Unset):
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyPlanOut | Problem]
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
    body: ImportInRequest,
    dry_run: bool | Unset = UNSET,
) -> PolicyPlanOut | Problem | None:
    """Plan or apply a policy document

     `?dry_run=true` plans: the answer's `fingerprint` names the state planned against. Apply with
    `plan_fingerprint` set to it to be sure you apply what you reviewed: if the state moved, the answer
    is 409 (`codes.plan_fingerprint`: `stale_plan`) with `changed` (each object created, updated,
    deleted or reordered since) and `plan` (the new plan's fingerprint and actions).

    Args:
        dry_run (bool | Unset):
        body (ImportInRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyPlanOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
        )
    ).parsed
