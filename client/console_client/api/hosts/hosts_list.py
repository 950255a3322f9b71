from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.paginated_host_output_list import PaginatedHostOutputList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    content: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    group: UUID | Unset = UNSET,
    page_size: int | Unset = UNSET,
    platform: str | Unset = UNSET,
    q: str | Unset = UNSET,
    sensor_build: str | Unset = UNSET,
    site: str | Unset = UNSET,
    status: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["content"] = content

    params["cursor"] = cursor

    json_group: str | Unset = UNSET
    if not isinstance(group, Unset):
        json_group = str(group)
    params["group"] = json_group

    params["page_size"] = page_size

    params["platform"] = platform

    params["q"] = q

    params["sensor_build"] = sensor_build

    params["site"] = site

    params["status"] = status

    params["tag"] = tag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/hosts/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedHostOutputList | Problem | None:
    if response.status_code == 200:
        response_200 = PaginatedHostOutputList.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[PaginatedHostOutputList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    content: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    group: UUID | Unset = UNSET,
    page_size: int | Unset = UNSET,
    platform: str | Unset = UNSET,
    q: str | Unset = UNSET,
    sensor_build: str | Unset = UNSET,
    site: str | Unset = UNSET,
    status: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[PaginatedHostOutputList | Problem]:
    """List hosts

     ``GET /api/v1/hosts/``: the tenant's hosts by hostname, cursor-paginated, with filters.

    Args:
        content (str | Unset):
        cursor (str | Unset):
        group (UUID | Unset):
        page_size (int | Unset):
        platform (str | Unset):
        q (str | Unset):
        sensor_build (str | Unset):
        site (str | Unset):
        status (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedHostOutputList | Problem]
    """

    kwargs = _get_kwargs(
        content=content,
        cursor=cursor,
        group=group,
        page_size=page_size,
        platform=platform,
        q=q,
        sensor_build=sensor_build,
        site=site,
        status=status,
        tag=tag,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    content: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    group: UUID | Unset = UNSET,
    page_size: int | Unset = UNSET,
    platform: str | Unset = UNSET,
    q: str | Unset = UNSET,
    sensor_build: str | Unset = UNSET,
    site: str | Unset = UNSET,
    status: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> PaginatedHostOutputList | Problem | None:
    """List hosts

     ``GET /api/v1/hosts/``: the tenant's hosts by hostname, cursor-paginated, with filters.

    Args:
        content (str | Unset):
        cursor (str | Unset):
        group (UUID | Unset):
        page_size (int | Unset):
        platform (str | Unset):
        q (str | Unset):
        sensor_build (str | Unset):
        site (str | Unset):
        status (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedHostOutputList | Problem
    """

    return sync_detailed(
        client=client,
        content=content,
        cursor=cursor,
        group=group,
        page_size=page_size,
        platform=platform,
        q=q,
        sensor_build=sensor_build,
        site=site,
        status=status,
        tag=tag,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    content: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    group: UUID | Unset = UNSET,
    page_size: int | Unset = UNSET,
    platform: str | Unset = UNSET,
    q: str | Unset = UNSET,
    sensor_build: str | Unset = UNSET,
    site: str | Unset = UNSET,
    status: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> Response[PaginatedHostOutputList | Problem]:
    """List hosts

     ``GET /api/v1/hosts/``: the tenant's hosts by hostname, cursor-paginated, with filters.

    Args:
        content (str | Unset):
        cursor (str | Unset):
        group (UUID | Unset):
        page_size (int | Unset):
        platform (str | Unset):
        q (str | Unset):
        sensor_build (str | Unset):
        site (str | Unset):
        status (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedHostOutputList | Problem]
    """

    kwargs = _get_kwargs(
        content=content,
        cursor=cursor,
        group=group,
        page_size=page_size,
        platform=platform,
        q=q,
        sensor_build=sensor_build,
        site=site,
        status=status,
        tag=tag,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    content: str | Unset = UNSET,
    cursor: str | Unset = UNSET,
    group: UUID | Unset = UNSET,
    page_size: int | Unset = UNSET,
    platform: str | Unset = UNSET,
    q: str | Unset = UNSET,
    sensor_build: str | Unset = UNSET,
    site: str | Unset = UNSET,
    status: str | Unset = UNSET,
    tag: str | Unset = UNSET,
) -> PaginatedHostOutputList | Problem | None:
    """List hosts

     ``GET /api/v1/hosts/``: the tenant's hosts by hostname, cursor-paginated, with filters.

    Args:
        content (str | Unset):
        cursor (str | Unset):
        group (UUID | Unset):
        page_size (int | Unset):
        platform (str | Unset):
        q (str | Unset):
        sensor_build (str | Unset):
        site (str | Unset):
        status (str | Unset):
        tag (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedHostOutputList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            content=content,
            cursor=cursor,
            group=group,
            page_size=page_size,
            platform=platform,
            q=q,
            sensor_build=sensor_build,
            site=site,
            status=status,
            tag=tag,
        )
    ).parsed
