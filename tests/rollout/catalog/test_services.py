"""The vendor catalog: builds and N levels, the content validation gate (the 21-vs-20 instance), stages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.models import ApiScope, Role
from rollout.catalog.validation import TemplateSpec, canonical_digest, validate_instances
from rollout.models import ContentRelease, SensorBuild
from tests.factories import (
    HostFactory,
    TenantFactory,
    api_client_with_token,
    member,
    pipe_instance,
    rollout_catalog,
)

pytestmark = pytest.mark.django_db
SPECS = {"NamedPipe": TemplateSpec("NamedPipe", ("str",) * 19 + ("int",), "7.09.100")}


def vendor() -> Client:
    _, token = api_client_with_token(None, [ApiScope.VENDOR], name="vendor-release-pipeline")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


# --- the pure validator --------------------------------------------------------------------------


def test_it_rejects_the_21_vs_20_instance_naming_the_instance_and_the_field() -> None:
    # given a template type of 20 fields and an instance that supplies 21
    # when
    report = validate_instances([pipe_instance("ch291-0007", fields=21)], SPECS)
    # then
    assert not report.ok
    problem = report.problems[0]
    assert problem.code == "field_count"
    assert problem.instance == "ch291-0007"
    assert problem.field == 21
    assert "field 21" in problem.message and "ch291-0007" in problem.message


def test_it_rejects_an_instance_that_supplies_too_few_fields() -> None:
    spec = {"IPC": TemplateSpec("IPC", ("str",) * 21, "7.11.0")}
    report = validate_instances([{"id": "c291", "template_type": "IPC", "fields": ["x"] * 20}], spec)
    assert [p.field for p in report.problems] == [21]
    assert "field 21 (str) is missing" in report.problems[0].message


def test_it_passes_a_valid_release_and_reports_its_digest() -> None:
    instances = [pipe_instance("a"), pipe_instance("b")]
    report = validate_instances(instances, SPECS, claimed_digest=canonical_digest(instances))
    assert report.ok, report.problems
    assert report.digest == canonical_digest(instances)


def test_it_rejects_a_wrong_type_and_a_wrong_digest() -> None:
    instance = pipe_instance("a")
    instance["fields"][19] = "seven"
    report = validate_instances([instance], SPECS, claimed_digest="0" * 64)
    assert {p.code for p in report.problems} == {"field_type", "digest"}
    assert any(p.field == 20 for p in report.problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
instance_like = st.fixed_dictionaries(
    {"id": json_values, "template_type": st.sampled_from(["NamedPipe", "Other", ""]) | json_values},
    optional={"fields": st.lists(json_values, max_size=25) | json_values},
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(instance_like, max_size=6) | json_values, st.none() | st.text(max_size=70))
def test_it_never_crashes_on_fuzzed_instances(instances: Any, digest: str | None) -> None:
    # when any JSON-like input is validated
    report = validate_instances(instances, SPECS, claimed_digest=digest)
    # then the answer is a report; a clean one only for well-formed instances
    if report.ok:
        assert isinstance(instances, list) and instances
        for item in instances:
            assert item["template_type"] == "NamedPipe" and len(item["fields"]) == 20


# --- the vendor API ------------------------------------------------------------------------------


def test_it_publishes_builds_and_computes_n_levels_from_ga_lines() -> None:
    client = vendor()
    for version, stage in [
        ("7.09.1", "ga"),
        ("7.10.2", "ga"),
        ("7.10.5", "ga"),
        ("7.11.1", "ga"),
        ("7.12.0", "early_adopter"),
    ]:
        assert (
            post(
                client,
                "/api/v1/vendor/sensor-builds/",
                {"platform": "windows", "version": version, "stage": stage},
            ).status_code
            == 201
        )
    body = client.get("/api/v1/vendor/sensor-builds/").json()
    # then N, N-1, N-2 are the newest GA build of each of the 3 newest GA lines (early adopter ignored)
    assert body["n_levels"]["windows"] == ["7.11.1", "7.10.5", "7.09.1"]


def test_it_says_how_publishing_a_new_ga_line_shifts_relative_pins() -> None:
    # given an acme fleet on N-1 = 7.10 (default policy n-1) and a new line in early adoption
    rollout_catalog(lines=("7.09", "7.10", "7.11"))
    acme = TenantFactory(slug="acme")
    HostFactory.create_batch(3, tenant=acme, platform="windows", sensor_build="7.10.200")
    client = vendor()
    new = post(client, "/api/v1/vendor/sensor-builds/", {"platform": "windows", "version": "7.12.1"}).json()
    # when the vendor previews promoting it to GA
    preview = post(client, f"/api/v1/vendor/sensor-builds/{new['id']}/stage?dry_run=true", {"stage": "ga"})
    # then the UI/API says which level moves where, for how many hosts, and nothing changed yet
    assert preview.status_code == 200, preview.content
    shifts = {s["level"]: s for s in preview.json()["shifts"]}
    assert shifts["N-1"]["message"] == "N-1 will move from 7.10.x to 7.11.x for 3 hosts"
    assert SensorBuild.objects.get(pk=new["id"]).stage == "early_adopter"
    # and when it is done for real, the same numbers come back
    done = post(client, f"/api/v1/vendor/sensor-builds/{new['id']}/stage", {"stage": "ga"}).json()
    assert {s["level"]: s["hosts"] for s in done["shifts"]}["N-1"] == 3
    assert SensorBuild.objects.get(pk=new["id"]).stage == "ga"


def test_it_refuses_to_publish_the_21_vs_20_release_with_a_report() -> None:
    rollout_catalog()
    client = vendor()
    body = {
        "category": "rapid_response",
        "version": "291.4",
        "instances": [pipe_instance("ch291-0001", fields=21)],
    }
    response = post(client, "/api/v1/vendor/content-releases/", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (
        "ch291-0001" in problem["errors"]["instances"][0] and "field 21" in problem["errors"]["instances"][0]
    )
    assert problem["report"]["problems"][0]["field"] == 21
    assert not ContentRelease.objects.exists()


def test_it_publishes_a_valid_release_renders_notes_safely_and_advances_it() -> None:
    rollout_catalog()
    client = vendor()
    body = {
        "category": "rapid_response",
        "version": "291.5",
        "instances": [pipe_instance()],
        "notes": "# Fix\n<script>alert(1)</script> **bold** [x](javascript:alert(1))",
        "digest": canonical_digest([pipe_instance()]),
    }
    created = post(client, "/api/v1/vendor/content-releases/", body)
    assert created.status_code == 201, created.content
    release = created.json()
    assert release["valid"] is True and release["stage"] == "internal"
    assert "<script" not in release["notes_html"] and "javascript:" not in release["notes_html"]
    assert "<strong>bold</strong>" in release["notes_html"]
    for stage in ("canary", "early_access", "ga"):
        moved = post(client, f"/api/v1/vendor/content-releases/{release['id']}/stage", {"stage": stage})
        assert moved.status_code == 200, moved.content
    assert ContentRelease.objects.get(pk=release["id"]).ga_at is not None


def test_it_keeps_a_release_that_needs_a_newer_sensor_from_advancing_and_counts_hosts_per_tenant() -> None:
    catalog = rollout_catalog()
    catalog["template"].min_sensor_build = "7.11.100"
    catalog["template"].save()
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    HostFactory.create_batch(2, tenant=acme, sensor_build="7.10.200")
    HostFactory(tenant=globex, sensor_build="7.09.100")
    HostFactory(tenant=globex, sensor_build="7.11.200")
    client = vendor()
    release = post(
        client,
        "/api/v1/vendor/content-releases/",
        {"category": "rapid_response", "version": "300.1", "instances": [pipe_instance()]},
    ).json()
    assert release["valid"] is False
    assert release["validation_report"]["incompatible_hosts"] == {"NamedPipe": {"acme": 2, "globex": 1}}
    refused = post(client, f"/api/v1/vendor/content-releases/{release['id']}/stage", {"stage": "canary"})
    assert refused.status_code == 409
    assert "acme: 2" in refused.json()["errors"]["instances"][0]
    assert ContentRelease.objects.get(pk=release["id"]).stage == "internal"


def test_it_refuses_vendor_endpoints_to_tenant_credentials() -> None:
    # given the owner / member / outsider trio: a tenant owner, a tenant admin, a tenant API client
    tenant = TenantFactory(slug="acme")
    owner, admin = member(tenant, Role.OWNER), member(tenant, Role.ADMIN)
    _, token = api_client_with_token(tenant, [ApiScope.WRITE, ApiScope.ADMIN])
    for who in (owner, admin):
        c = Client()
        c.force_login(who)
        assert (
            post(c, "/api/v1/vendor/sensor-builds/", {"platform": "windows", "version": "7.1.1"}).status_code
            == 403
        )
    c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert c.get("/api/v1/vendor/content-releases/").status_code == 403
    assert not SensorBuild.objects.exists()


def test_it_answers_bad_catalog_input_with_problem_json_naming_the_field() -> None:
    client = vendor()
    cases = [
        ("/api/v1/vendor/sensor-builds/", {"platform": "beos", "version": "7.1.1"}, "platform"),
        ("/api/v1/vendor/sensor-builds/", {"platform": "linux", "version": "seven"}, "version"),
        (
            "/api/v1/vendor/template-types/",
            {"name": "T", "field_types": ["str", "blob"], "min_sensor_build": "7.1"},
            "field_types[1]",
        ),
        ("/api/v1/vendor/content-categories/", {"key": "ops", "system_critical": True}, "max_pause_hours"),
        (
            "/api/v1/vendor/content-releases/",
            {"category": "nope", "version": "1.0", "instances": []},
            "category",
        ),
    ]
    for url, body, field in cases:
        response = post(client, url, body)
        assert response.status_code == 400, (url, response.content)
        assert field in response.json()["errors"], response.json()
