"""factory_boy factories for the models every test area needs."""

from __future__ import annotations

from typing import Any

import factory

from console.access import Actor
from console.models import ApiClient, Membership, Role, Tenant, User
from console.tenancy import tenant_ensure
from console.tokens import token_generate
from telemetry.models import Host, Platform

PASSWORD = "correct-horse-battery-staple"


class TenantFactory(factory.django.DjangoModelFactory[Tenant]):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    timezone = "UTC"

    @classmethod
    def _create(cls, model_class: type[Tenant], *args: Any, **kwargs: Any) -> Tenant:
        """Through the service, as the product creates tenants: the apps' setups run (default policies)."""
        tenant, _ = tenant_ensure(
            slug=kwargs["slug"], name=kwargs["name"], timezone=kwargs["timezone"], actor=Actor.system("test")
        )
        return tenant


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.LazyAttribute(lambda o: o.username)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN


def member(tenant: Tenant, role: str = Role.ADMIN, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    MembershipFactory(tenant=tenant, user=user, role=role)
    return user


def api_client_with_token(
    tenant: Tenant | None, scopes: list[str], name: str = "automation"
) -> tuple[ApiClient, str]:
    token, lookup, digest = token_generate()
    client = ApiClient.objects.create(
        tenant=tenant, name=name, prefix=lookup, token_hash=digest, scopes=scopes
    )
    return client, token


class HostFactory(factory.django.DjangoModelFactory[Host]):
    class Meta:
        model = Host

    tenant = factory.SubFactory(TenantFactory)
    hostname = factory.Sequence(lambda n: f"host-{n:05d}")
    platform = Platform.WINDOWS
    os_version = "10.0.19045"
    tags = factory.LazyFunction(list)
    site = "hq"
    sensor_build = "7.11.18110"


def enrolment_token(tenant: Tenant, name: str = "fleet") -> tuple[Any, str]:
    """An enrolment token of ``tenant`` and its secret (the way a tenant admin creates one)."""
    from console.access import Actor
    from telemetry.services import enrolment_token_create

    return enrolment_token_create(tenant=tenant, actor=Actor.system("test"), name=name)


def host_with_credential(tenant: Tenant, **attributes: Any) -> tuple[Host, str]:
    """A host enrolled with a fresh credential; returns the host and its credential."""
    from telemetry.credentials import HOST_PREFIX, credential_generate

    credential, lookup, digest = credential_generate(HOST_PREFIX)
    host = HostFactory(tenant=tenant, credential_prefix=lookup, credential_hash=digest, **attributes)
    return host, credential


# --- rollout -------------------------------------------------------------------------------------


def rollout_catalog(
    *, lines: tuple[str, ...] = ("7.09", "7.10", "7.11"), platforms: tuple[str, ...] = ("windows",)
):
    """GA sensor builds (two per line), the rapid_response and sensor_operations categories and a
    20-field template type; returns a dict of what it made."""
    from rollout.models import BuildStage, ContentCategory, SensorBuild, TemplateType

    builds = []
    for platform in platforms:
        for line in lines:
            for patch in ("100", "200"):
                build, _ = SensorBuild.objects.get_or_create(
                    platform=platform,
                    version=f"{line}.{patch}",
                    defaults={"release_line": line, "stage": BuildStage.GA},
                )
                builds.append(build)
    rapid, rapid_new = ContentCategory.objects.get_or_create(
        key="rapid_response", defaults={"name": "Rapid response"}
    )
    ops, ops_new = ContentCategory.objects.get_or_create(
        key="sensor_operations",
        defaults={"name": "Sensor operations", "system_critical": True, "max_pause_hours": 24},
    )
    if rapid_new or ops_new:
        # As content_category_create does: tenants that exist already get the new category's default.
        from rollout.policies.defaults import policy_defaults_ensure

        for tenant in Tenant.objects.all():
            policy_defaults_ensure(tenant=tenant, actor=Actor.system("rollout defaults"))
    template, _ = TemplateType.objects.get_or_create(
        name="NamedPipe",
        defaults={"field_types": ["str"] * 19 + ["int"], "min_sensor_build": "7.09.100"},
    )
    from rollout.catalog.contracts import capability_ensure

    for build in builds:  # each build's interpreter supplies NamedPipe's 20 inputs
        capability_ensure(build=build, template=template)
    return {"builds": builds, "rapid_response": rapid, "sensor_operations": ops, "template": template}


def pipe_instance(ident: str = "ch291-0001", fields: int = 20) -> dict[str, Any]:
    """A template instance of the NamedPipe type with ``fields`` fields (20 is right)."""
    values: list[Any] = [f"value-{i}" for i in range(min(fields, 19))]
    if fields >= 20:
        values.append(7)
    values += ["extra"] * max(0, fields - 20)
    return {"id": ident, "template_type": "NamedPipe", "fields": values}


def content_release(category: Any, version: str, *, stage: str = "ga", hours_ago: float = 100, **extra: Any):
    """A valid content release at ``stage`` (GA ``hours_ago``)."""
    from datetime import timedelta

    from django.utils import timezone

    from rollout.catalog.validation import canonical_digest
    from rollout.models import ContentRelease

    instances = [pipe_instance()]
    when = timezone.now() - timedelta(hours=hours_ago)
    return ContentRelease.objects.create(
        category=category,
        version=version,
        instances=instances,
        digest=canonical_digest(instances),
        valid=True,
        stage=stage,
        early_access_at=when if stage in ("early_access", "ga") else None,
        ga_at=when if stage == "ga" else None,
        **extra,
    )


def host_group(tenant: Tenant, name: str = "prod", rule_text: str | None = None):
    from console.access import Actor
    from rollout.groups.services import host_group_create

    return host_group_create(tenant=tenant, actor=Actor.system("test"), name=name, rule_text=rule_text).obj


def tenant_with_windows_hosts(hosts: int) -> Tenant:
    """A tenant with default policies and ``hosts`` Windows hosts on 7.10.100 (bulk-created), over a
    catalog of three lines and one rapid-response release."""
    from console.access import Actor
    from rollout.policies.defaults import policy_defaults_ensure

    catalog = rollout_catalog(lines=("7.09", "7.10", "7.11"), platforms=("windows",))
    content_release(catalog["rapid_response"], "291.4", hours_ago=50)
    tenant = TenantFactory()
    policy_defaults_ensure(tenant=tenant, actor=Actor.system("test"))
    Host.objects.bulk_create(
        [
            Host(tenant=tenant, hostname=f"h-{i:05d}", platform="windows", sensor_build="7.10.100")
            for i in range(hosts)
        ],
        batch_size=2000,
    )
    return tenant
