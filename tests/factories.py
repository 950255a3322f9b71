"""factory_boy factories for the models every test area needs."""

from __future__ import annotations

from typing import Any

import factory

from console.models import ApiClient, Membership, Role, Tenant, User
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
