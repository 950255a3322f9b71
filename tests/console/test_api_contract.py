"""The OpenAPI contract: every operation has a summary, a tag, typed answers and its errors as
problem+json (one shared Problem component), and the errors the API really answers match it, with a
machine code per field error. (The same rules run as a Spectral lint in ``make lint``; this test keeps
them where the linter is not run.)"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from console.models import ApiScope
from console.schema import FREE_FORM_ANSWERS, PROBLEM_SCHEMA, free_form_answers
from tests.factories import TenantFactory, api_client_with_token

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in METHODS
    ]


def test_it_gives_every_operation_a_summary_and_a_declared_tag(schema: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in schema.get("tags", [])}
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in _operations(schema)
        if not op.get("summary") or not op.get("tags") or not set(op["tags"]) <= declared
    ]
    assert missing == []


def test_it_types_every_answer_body(schema: dict[str, Any]) -> None:
    # every exception names its reason, and names an operation that exists
    assert all(reason.strip() for reason in FREE_FORM_ANSWERS.values())
    assert all(path in schema["paths"] for _, path in FREE_FORM_ANSWERS)
    assert free_form_answers(schema) == []


def test_it_flags_a_free_form_answer() -> None:
    # given a schema with a free-form answer, a typed map and a typed object
    answers = {
        "200": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Typed"}}}},
        "202": {
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": {"type": "integer"}}
                }
            }
        },
    }
    schema = {
        "paths": {"/x/": {"get": {"responses": answers}}},
        "components": {"schemas": {"Typed": {"type": "object", "properties": {"a": {"type": "string"}}}}},
    }
    # then only the free-form one is reported
    assert free_form_answers(schema) == ["GET /x/ 200 application/json"]


def test_it_documents_the_errors_of_every_operation_as_problem_json(schema: dict[str, Any]) -> None:
    ref = {"$ref": "#/components/schemas/Problem"}
    assert schema["components"]["schemas"]["Problem"] == PROBLEM_SCHEMA
    for method, path, operation in _operations(schema):
        errors = {code: a for code, a in operation["responses"].items() if code[0] in "45"}
        assert any(code.startswith("4") for code in errors), f"{method} {path}"
        assert {"401", "403", "503"} <= set(errors), f"{method} {path}"
        if "{" in path:
            assert "404" in errors, f"{method} {path}"
        for code, answer in errors.items():
            assert answer["content"] == {"application/problem+json": {"schema": ref}}, (method, path, code)


@pytest.fixture
def automation(db: None) -> Client:
    tenant = TenantFactory(slug="contract")
    _, token = api_client_with_token(tenant, [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    jsonschema.validate(body, PROBLEM_SCHEMA)
    # one machine code per message, same fields, same order
    assert set(body.get("codes", {})) == set(body.get("errors", {}))
    assert all(len(body["codes"][f]) == len(body["errors"][f]) for f in body.get("errors", {}))
    return body


def test_it_answers_a_serializer_error_with_a_code_per_field_error(automation: Client) -> None:
    # when a pause is posted without its reason and with a too-long scope
    response = automation.post("/api/v1/pauses/", {"scope": "x" * 50}, content_type="application/json")
    # then each bad field has its message and its machine code
    body = _assert_problem(response, 400)
    assert body["codes"]["reason"] == ["required"]
    assert body["codes"]["scope"] == ["max_length"]


def test_it_answers_a_service_error_with_a_code_per_field_error(automation: Client) -> None:
    # when a rule preview has no rule (refused by the view, not the serializer)
    response = automation.post(
        "/api/v1/host-groups/preview", {"rule_text": ""}, content_type="application/json"
    )
    # then the field error carries the service error's code
    body = _assert_problem(response, 400)
    assert body["codes"] == {"rule_text": ["invalid"]}


def test_it_answers_a_missing_object_as_a_problem_without_field_errors(automation: Client) -> None:
    response = automation.post("/api/v1/pauses/00000000-0000-0000-0000-000000000000/resume")
    body = _assert_problem(response, 404)
    assert "errors" not in body and "codes" not in body
