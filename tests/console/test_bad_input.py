"""Bad input never gives a 500: 400 (or 401/404/413) with a problem+json body naming what is wrong."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from console.models import Membership
from tests.console.conftest import api_as, api_bearer, problem

pytestmark = pytest.mark.django_db


def test_it_names_an_unknown_role(trio: Any) -> None:
    owner = api_as(trio.owner, trio.tenant)
    viewer = Membership.objects.get(tenant=trio.tenant, user=trio.member)
    invite = owner.post(
        "/api/v1/invitations/", {"email": "a@example.test", "role": "superuser"}, format="json"
    )
    change = owner.patch(f"/api/v1/members/{viewer.pk}/", {"role": "god"}, format="json")
    for response in (invite, change):
        assert response.status_code == 400
        assert "role" in problem(response)["errors"]


@pytest.mark.parametrize("path", ["/api/v1/api-clients/", "/api/v1/invitations/"])
def test_it_refuses_an_expiry_in_the_past(trio: Any, path: str) -> None:
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    body = {"name": "ci", "scopes": ["read"], "email": "b@example.test", "role": "viewer", "expires_at": past}
    response = api_as(trio.owner, trio.tenant).post(path, body, format="json")
    assert response.status_code == 400
    assert problem(response)["errors"] == {"expires_at": ["Must be in the future."]}


def test_it_refuses_a_10_mb_body_without_a_500(trio: Any) -> None:
    # given a 10 MB JSON body (the limit is 5 MB)
    huge = '{"name": "' + "x" * (10 * 1024 * 1024) + '", "scopes": ["read"]}'
    # when it is posted
    response = api_as(trio.owner, trio.tenant).post(
        "/api/v1/api-clients/", huge, content_type="application/json"
    )
    # then it is refused as bad input
    assert response.status_code in (400, 413)
    problem(response)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer ucc_zzzzzzzzzzzz_0123456789abcdefghijklmnop",
        "Bearer ucc_0123456789ab_" + "a" * 44,
        "Bearer a b",
        "Bearer ucc_\x00\x01",
    ],
)
def test_it_answers_401_problem_json_for_a_malformed_or_unknown_token(trio: Any, header: str) -> None:
    client = api_bearer("x")
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/members/")
    assert response.status_code == 401
    assert problem(response)["title"] == "Unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_names_each_bad_field_of_an_api_client(trio: Any) -> None:
    response = api_as(trio.owner, trio.tenant).post(
        "/api/v1/api-clients/",
        {"name": "", "scopes": ["vendor"], "allowed_ips": ["not-an-ip"], "rate_limit_per_minute": 0},
        format="json",
    )
    assert response.status_code == 400
    fields = {name.split(".")[0] for name in problem(response)["errors"]}
    assert {"name", "scopes", "rate_limit_per_minute"} <= fields
    bad_ip = api_as(trio.owner, trio.tenant).post(
        "/api/v1/api-clients/", {"name": "n", "scopes": ["read"], "allowed_ips": ["300.1.1.1"]}, format="json"
    )
    assert bad_ip.status_code == 400 and "allowed_ips" in problem(bad_ip)["errors"]


def test_it_refuses_malformed_json_and_wrong_types(trio: Any) -> None:
    owner = api_as(trio.owner, trio.tenant)
    broken = owner.post("/api/v1/invitations/", "{not json", content_type="application/json")
    wrong = owner.post("/api/v1/api-clients/", {"name": ["a"], "scopes": "read"}, format="json")
    long_support = owner.post(
        "/api/v1/support/grants/", {"staff": "x", "reason": "r", "duration_hours": "lots"}, format="json"
    )
    assert broken.status_code == 400 and problem(broken)["title"] == "Malformed request body"
    assert wrong.status_code == 400 and {"name", "scopes"} <= set(problem(wrong)["errors"])
    assert long_support.status_code == 400 and "duration_hours" in problem(long_support)["errors"]


def test_it_answers_404_for_a_malformed_id_and_keeps_the_outsider_out(trio: Any) -> None:
    owner = api_as(trio.owner, trio.tenant)
    response = owner.get("/api/v1/members/not-a-uuid/")
    assert response.status_code == 404
    problem(response)
    viewer = api_as(trio.member, trio.tenant)
    assert viewer.post("/api/v1/invitations/", {"email": "x"}, format="json").status_code == 403
    outsider = api_as(trio.outsider, trio.other_tenant)
    assert outsider.get(f"/api/v1/members/{Membership.objects.get(user=trio.member).pk}/").status_code == 404


def test_it_keeps_what_was_typed_when_a_page_form_is_wrong(trio: Any) -> None:
    from django.test import Client

    page = Client()
    page.force_login(trio.owner)
    response = page.post(
        "/api-clients/", {"name": "deploy-bot", "scopes": ["read"], "expires_at": "2001-01-01T00:00"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Must be in the future." in content and 'value="deploy-bot"' in content


def test_it_refuses_a_number_written_with_non_ascii_digits(trio: Any) -> None:
    # given a host group to edit ("²" and "٣" are digits to Python's str.isdigit, but not ASCII)
    from tests.factories import host_group

    group = host_group(trio.tenant)
    owner = api_as(trio.owner, trio.tenant)
    for digits in ("²", "٣"):
        # when a minutes parameter or an ETag is written with them
        series = owner.get("/api/v1/fleet/series/", {"minutes": digits})
        edit = owner.patch(
            f"/api/v1/host-groups/{group.pk}", {"name": "x"}, format="json", HTTP_IF_MATCH=f'"{digits}"'
        )
        # then each is a 400 naming the field, never a 500
        assert series.status_code == 400 and "minutes" in problem(series)["errors"]
        assert edit.status_code == 400 and "If-Match" in problem(edit)["errors"]
