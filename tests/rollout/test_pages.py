"""Rollout pages through the Django client (the owner / member / outsider trio), and in Chromium:
a dynamic group with live preview pinned to N-1 with its blast radius; a tenant pause banner."""

from __future__ import annotations

from typing import Any

import pytest

from console.access import Actor
from console.models import Role, VendorRole
from rollout.controls.pauses import pause_create
from rollout.groups.services import host_group_create
from rollout.models import HostGroup, Pause, SensorUpdatePolicy
from rollout.policies.services import sensor_policy_create
from tests.conftest import browser_login
from tests.factories import (
    PASSWORD,
    HostFactory,
    TenantFactory,
    UserFactory,
    content_release,
    member,
    rollout_catalog,
)
from tests.rollout.conftest import session

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> dict[str, Any]:
    catalog = rollout_catalog(lines=("7.08", "7.09", "7.10", "7.11"))
    content_release(catalog["rapid_response"], "291.3")
    tenant = TenantFactory(slug="acme", name="Acme Corporation", timezone="America/New_York")
    for i in range(4):
        HostFactory(tenant=tenant, hostname=f"web-{i}", tags=["prod"], sensor_build="7.10.200")
    HostFactory(tenant=tenant, hostname="lab-1", tags=["prod"], sensor_build="7.10.200")
    return {"tenant": tenant, "catalog": catalog}


def test_it_renders_every_page_for_a_member_and_hides_them_from_an_outsider(acme: dict[str, Any]) -> None:
    tenant = acme["tenant"]
    group = host_group_create(tenant=tenant, actor=Actor.system("t"), name="prod", rule_text="tag:prod").obj
    policy = sensor_policy_create(
        tenant=tenant,
        actor=Actor.system("t"),
        name="P",
        platform="windows",
        target="n",
        group_ids=[str(group.pk)],
    ).obj
    host = tenant.hosts.first()
    viewer = session(member(tenant, Role.VIEWER))
    outsider = session(member(TenantFactory(slug="globex"), Role.OWNER))
    for url in (
        "/rollout/groups/",
        f"/rollout/groups/{group.pk}/",
        "/rollout/policies/",
        f"/rollout/policies/sensor/{policy.pk}/",
        "/rollout/windows/",
        "/rollout/pauses/",
        f"/rollout/hosts/{host.pk}/why/",
        "/rollout/policy-as-code/",
    ):
        assert viewer.get(url).status_code == 200, url
    for url in (
        f"/rollout/groups/{group.pk}/",
        f"/rollout/policies/sensor/{policy.pk}/",
        f"/rollout/hosts/{host.pk}/why/",
    ):
        assert outsider.get(url).status_code == 404, url
    # a viewer cannot change anything
    assert viewer.post("/rollout/groups/", {"name": "x", "action": "save"}).status_code == 403
    assert "why" in viewer.get(f"/rollout/hosts/{host.pk}/why/").content.decode().lower()


def test_it_keeps_what_the_user_typed_and_shows_the_error_next_to_the_field(acme: dict[str, Any]) -> None:
    owner = session(member(acme["tenant"], Role.OWNER))
    response = owner.post(
        "/rollout/policies/",
        {"form": "sensor", "name": "Too old", "platform": "windows", "target_kind": "pinned",
         "target_build": "9.9.9", "action": "save"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="sp-target" tabindex="-1" aria-invalid="true" aria-describedby="sp-target-error"' in page
    assert 'value="Too old"' in page and 'value="pinned" checked' in page
    assert not SensorUpdatePolicy.objects.filter(name="Too old").exists()


def test_it_tells_the_user_someone_else_changed_the_group(acme: dict[str, Any]) -> None:
    tenant = acme["tenant"]
    group = host_group_create(tenant=tenant, actor=Actor.system("t"), name="prod", rule_text="tag:prod").obj
    owner, admin = session(member(tenant, Role.OWNER)), session(member(tenant, Role.ADMIN))
    edit = {"form": "edit", "version": "1", "name": "prod", "description": "", "action": "save"}
    assert (
        admin.post(f"/rollout/groups/{group.pk}/", edit | {"rule_text": "tag:prod and site:hq"}).status_code
        == 200
    )
    stale = owner.post(f"/rollout/groups/{group.pk}/", edit | {"rule_text": "tag:dev"})
    assert stale.status_code == 409
    assert "Someone else changed this" in stale.content.decode()
    assert HostGroup.objects.get(pk=group.pk).rule_text == "tag:prod and site:hq"


def test_it_shows_the_vendor_catalog_to_vendor_staff_only(acme: dict[str, Any]) -> None:
    staff = UserFactory(vendor_role=VendorRole.RELEASE_ENGINEER)
    page = session(staff).get("/vendor/catalog/")
    assert page.status_code == 200 and "N = 7.11.200" in page.content.decode()
    assert session(member(acme["tenant"], Role.OWNER)).get("/vendor/catalog/").status_code == 403


def test_it_shows_when_a_system_critical_category_resumes(acme: dict[str, Any]) -> None:
    tenant = acme["tenant"]
    pause_create(tenant=tenant, actor=Actor.system("t"), scope="tenant", reason="incident")
    page = session(member(tenant, Role.VIEWER)).get("/rollout/pauses/").content.decode()
    assert "Sensor operations is system critical: it resumes by itself at" in page


@pytest.mark.browser
def test_it_creates_a_dynamic_group_with_live_preview_pins_it_to_n_minus_1_and_shows_the_blast_radius(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    tenant = acme["tenant"]
    member(tenant, Role.ADMIN, username="admin@acme.example")
    # the fleet follows N (7.11.200) by default: pinning the web hosts to N-1 keeps them on 7.10.200
    from rollout.policies.defaults import policy_defaults_ensure
    from rollout.policies.services import sensor_policy_update

    policy_defaults_ensure(tenant=tenant, actor=Actor.system("t"))
    default = SensorUpdatePolicy.objects.get(tenant=tenant, platform="windows", is_default=True)
    sensor_policy_update(
        tenant=tenant, actor=Actor.system("t"), policy=default, expected_version=None, changes={"target": "n"}
    )
    browser_login(page, live_server.url, "admin@acme.example", PASSWORD)
    # when the admin types a rule, the preview follows as they type
    page.goto(f"{live_server.url}/rollout/groups/")
    page.fill("#g-name", "prod web")
    page.locator("#g-rule").press_sequentially("tag:prod and", delay=20)
    page.wait_for_selector("[data-testid=rule-error]")
    assert "Column 13" in page.locator("[data-testid=rule-error]").inner_text()
    page.locator("#g-rule").press_sequentially(" hostname:web-*", delay=20)
    page.wait_for_selector("[data-testid=rule-count]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=rule-count]')?.innerText.startsWith('4 ') === true"
    )
    assert page.locator("[data-testid=rule-sample] tbody tr").count() == 4
    page.click("[data-testid=group-save]")
    page.wait_for_selector("[data-testid=saved-title]")
    group = HostGroup.objects.get(tenant=tenant, name="prod web")
    # and pins it to N-1 with a policy, previewing the blast radius first
    page.goto(f"{live_server.url}/rollout/policies/")
    page.fill("#sp-name", "prod web on N-1")
    page.select_option("#sp-platform", "windows")
    page.check("#sp-target input[value=n-1]")
    page.check(f"#sp-groups input[value='{group.pk}']")
    page.click("[data-testid=sensor-preview]")
    page.wait_for_selector("[data-testid=blast-radius]")
    assert page.locator("[data-testid=blast-summary]").inner_text() == "4 of 5 hosts would change target."
    table = page.locator("[data-testid=blast-radius] table").inner_text()
    assert "7.11.200" in table and "7.10.200" in table and "prod web" in table
    assert not SensorUpdatePolicy.objects.filter(name="prod web on N-1").exists()
    page.click("[data-testid=sensor-save]")
    page.wait_for_selector("[data-testid=saved-title]")
    # then the confirmation shows the same numbers
    assert page.locator("[data-testid=blast-summary]").inner_text() == "4 of 5 hosts would change target."
    policy = SensorUpdatePolicy.objects.get(name="prod web on N-1")
    assert policy.target == "n-1" and list(policy.groups.all()) == [group]


@pytest.mark.browser
def test_it_pauses_the_tenant_and_shows_the_banner_on_every_page(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    tenant = acme["tenant"]
    member(tenant, Role.OPERATOR, username="operator@acme.example")
    browser_login(page, live_server.url, "operator@acme.example", PASSWORD)
    page.goto(f"{live_server.url}/rollout/pauses/")
    assert page.locator("[data-testid=pause-banner]").count() == 0
    page.select_option("#p-scope", "tenant")
    page.fill("#p-reason", "bad channel file")
    page.click("[data-testid=pause-save]")
    page.wait_for_selector("[data-testid=saved-title]")
    assert Pause.objects.filter(tenant=tenant, scope="tenant", resumed_at__isnull=True).exists()
    for path in (
        "/",
        "/hosts/",
        "/rollout/groups/",
        "/rollout/policies/",
        "/rollout/windows/",
        "/rollout/pauses/",
        "/audit/",
    ):
        page.goto(f"{live_server.url}{path}")
        banner = page.locator("[data-testid=pause-banner]")
        assert banner.count() == 1, path
        assert "bad channel file" in banner.inner_text()


def test_it_lets_a_release_engineer_preview_a_pin_shift_and_refuses_an_invalid_release(
    acme: dict[str, Any],
) -> None:
    from rollout.catalog.validation import canonical_digest
    from rollout.models import ContentRelease, SensorBuild

    engineer = session(UserFactory(vendor_role=VendorRole.RELEASE_ENGINEER))
    support = session(UserFactory(vendor_role=VendorRole.SUPPORT_ENGINEER))
    new = SensorBuild.objects.create(
        platform="windows", version="7.12.1", release_line="7.12", stage="early_adopter"
    )
    # a support engineer may look but not change
    assert (
        support.post(
            "/vendor/catalog/", {"build": str(new.pk), "stage": "ga", "action": "preview"}
        ).status_code
        == 403
    )
    preview = engineer.post("/vendor/catalog/", {"build": str(new.pk), "stage": "ga", "action": "preview"})
    assert preview.status_code == 200
    assert "N-1 will move from 7.10.x to 7.11.x for 5 hosts" in preview.content.decode()
    assert SensorBuild.objects.get(pk=new.pk).stage == "early_adopter"
    # a release with an instance of the wrong shape cannot advance from the page either
    bad = [{"id": "ch291-0009", "template_type": "NamedPipe", "fields": ["x"] * 21}]
    release = ContentRelease.objects.create(
        category=acme["catalog"]["rapid_response"],
        version="292.0",
        instances=bad,
        digest=canonical_digest(bad),
        valid=True,
    )
    refused = engineer.post(
        "/vendor/catalog/",
        {"form": "release", "release": str(release.pk), "stage": "canary", "action": "save", "reason": "go"},
    )
    assert refused.status_code == 409
    assert "ch291-0009" in refused.content.decode() and "field 21" in refused.content.decode()
    assert ContentRelease.objects.get(pk=release.pk).stage == "internal"


def test_it_edits_sensor_update_blocks_and_rejects_an_end_before_the_start(acme: dict[str, Any]) -> None:
    from rollout.policies.defaults import policy_defaults_ensure

    tenant = acme["tenant"]
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("t"))
    policy = SensorUpdatePolicy.objects.get(tenant=tenant, platform="windows", is_default=True)
    owner = session(member(tenant, Role.OWNER))
    url = f"/rollout/policies/sensor/{policy.pk}/"
    form = {
        "form": "edit",
        "version": str(policy.version),
        "name": policy.name,
        "target": "n-1",
        "timezone": "Europe/Berlin",
        "uninstall_protection": "on",
        "action": "save",
    }
    bad = owner.post(url, form | {"update_blocks": "Mon,Tue 10:00-09:00"})
    assert bad.status_code == 400
    assert "The end must be after the start" in bad.content.decode()
    assert "Mon,Tue 10:00-09:00" in bad.content.decode()
    assert owner.post(url, form | {"update_blocks": "Mon-Fri 08:00-18:00"}).status_code == 400
    ok = owner.post(url, form | {"update_blocks": "Mon,Tue,Wed,Thu,Fri 08:00-18:00\nsunday 00:00-06:00"})
    assert ok.status_code == 200, ok.content.decode()[:500]
    policy.refresh_from_db()
    assert policy.update_blocks == [
        {"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "18:00"},
        {"weekdays": [6], "start": "00:00", "end": "06:00"},
    ]
    assert policy.timezone == "Europe/Berlin"


def test_it_creates_a_window_shows_it_in_the_week_view_and_deletes_it(acme: dict[str, Any]) -> None:
    from rollout.models import MaintenanceWindow

    owner = session(member(acme["tenant"], Role.OWNER))
    form = {
        "form": "window",
        "name": "Nightly",
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "start": "01:30",
        "timezone": "America/New_York",
        "action": "save",
    }
    bad = owner.post("/rollout/windows/", form | {"duration_minutes": "0"})
    assert bad.status_code == 400 and "Between 1 and 1440 minutes" in bad.content.decode()
    assert 'value="Nightly"' in bad.content.decode()
    assert owner.post("/rollout/windows/", form | {"duration_minutes": "120"}).status_code == 200
    page = owner.get("/rollout/windows/").content.decode()
    assert page.count("Nightly<br>01:30 E") >= 6  # each coming night at 01:30 New York time (EST or EDT)
    window = MaintenanceWindow.objects.get(tenant=acme["tenant"], name="Nightly")
    delete = {"form": "window_delete", "window": str(window.pk), "version": str(window.version)}
    assert (
        "Confirm delete" in owner.post("/rollout/windows/", delete | {"action": "preview"}).content.decode()
    )
    assert MaintenanceWindow.objects.filter(pk=window.pk).exists()
    assert owner.post("/rollout/windows/", delete | {"action": "save"}).status_code == 200
    assert not MaintenanceWindow.objects.filter(pk=window.pk).exists()


@pytest.mark.browser
def test_it_shows_a_release_engineer_the_contract_matrix_in_chromium(
    live_server: Any, page: Any, acme: dict[str, Any]
) -> None:
    from rollout.catalog.services import content_release_publish, template_type_create
    from rollout.models import ContentRelease, SensorCapability

    # given the IPC template type (21 fields) that no build declares yet, and a release of it
    vendor = Actor.system("release pipeline")
    template_type_create(actor=vendor, name="IPC", field_types=["str"] * 21, min_sensor_build="7.08.100")
    UserFactory(username="re@vendor.example", vendor_role=VendorRole.RELEASE_ENGINEER)
    browser_login(page, live_server.url, "re@vendor.example", PASSWORD)
    page.goto(f"{live_server.url}/vendor/catalog/")
    form = page.locator("[data-testid=capability-form]")
    # when the engineer declares 7.10.200's IPC interpreter with one accepted type too few
    form.locator("select[name=build]").select_option(label="windows 7.10.200")
    form.locator("select[name=template_type]").select_option("IPC")
    form.locator("input[name=input_count]").fill("20")
    form.locator("input[name=accepted_types]").fill(",".join(["str"] * 19))
    form.locator("button[type=submit]").click()
    # then the error is shown and what was typed kept
    page.wait_for_selector("[data-testid=capability-error]")
    assert "One accepted type per input (20)" in page.locator("[data-testid=capability-error]").inner_text()
    assert page.locator("[data-testid=capability-form] input[name=input_count]").input_value() == "20"
    # and, corrected, the build lists what it interprets
    form = page.locator("[data-testid=capability-form]")
    form.locator("input[name=accepted_types]").fill(",".join(["str"] * 20))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=vendor-message]")
    assert SensorCapability.objects.filter(build__version="7.10.200", input_count=20).exists()
    assert "IPC (20 inputs)" in " ".join(page.locator("[data-testid=capabilities]").all_inner_texts())
    # when a release filling all 21 fields moves to canary from the page
    instances = [{"id": "ch291-0001", "template_type": "IPC", "fields": [f"p{i}" for i in range(21)]}]
    release = content_release_publish(
        actor=vendor, category=acme["catalog"]["rapid_response"], version="291.4", instances=instances
    )
    card = page.locator("[data-testid=release]", has_text="291.4")
    page.goto(f"{live_server.url}/vendor/catalog/")
    card.locator("select[name=stage]").select_option("canary")
    card.locator("[data-testid=release-move]").click()
    page.locator("[data-testid=move-confirm]").wait_for()
    page.fill("#move-reason", "internal soak clean")
    page.click("[data-testid=move-confirm-button]")
    # then it is refused (every build in use is incompatible) and the matrix names instance and field
    page.wait_for_selector("[data-testid=vendor-error]")
    error = page.locator("[data-testid=vendor-error]").inner_text()
    assert "incompatible with every sensor build in use" in error
    assert ContentRelease.objects.get(pk=release.pk).stage == "internal"
    matrix = page.locator("[data-testid=release]", has_text="291.4").locator("[data-testid=matrix]")
    text = matrix.inner_text()
    assert "windows 7.10.200" in text and "Instance ch291-0001 of IPC has 21 fields" in text
    assert "supplies 20 inputs: field 21 has no input" in text
    assert "does not declare template type IPC" in text  # 7.11.200 declares nothing for IPC
    assert matrix.locator("[data-testid=matrix-cell][data-status=incompatible]").count() >= 2
