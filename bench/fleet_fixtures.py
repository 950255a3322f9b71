"""What the telemetry benchmarks (P1, P4) set up and remove: the vendor's pipeline token and
throwaway tenants with their fleet data. No ``main()``: ``make bench`` does not run it."""

from __future__ import annotations

from typing import Any


def pipeline_token_create() -> str:
    """A vendor telemetry-pipeline API client (the caller of the ingest endpoint); returns its token."""
    from console.models import ApiClient, ApiScope
    from console.tokens import token_generate

    token, lookup, digest = token_generate()
    ApiClient.objects.create(
        tenant=None,
        name=f"bench-pipeline-{lookup}",
        prefix=lookup,
        token_hash=digest,
        scopes=[ApiScope.TELEMETRY],
    )
    return token


def hosts_generate(tenant_id: Any, n: int, custom: dict[str, str]) -> None:
    """``n`` hosts of one tenant in one ``INSERT ... SELECT generate_series`` (``g`` is the row
    number): ids ``md5(tenant || g)``, hostnames ``h-<g>``, ``custom`` SQL expressions for other
    fields, every other column its default. No ANALYZE: the caller does it once it has all its data."""
    from django.db import connection

    from telemetry.models import Host

    exprs = {"tenant": "%s", "id": "md5(%s || g)::uuid", "hostname": "'h-' || g", **custom}
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in Host._meta.concrete_fields:
        columns.append(str(field.column))
        if field.name in exprs:
            values.append(exprs[field.name])
            if field.name == "tenant":
                params.append(tenant_id)
            if field.name == "id":
                params.append(str(tenant_id))
        elif field.null:
            values.append("NULL")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO telemetry_host ({', '.join(columns)}) "  # noqa: S608 - our own column list
            f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS g",
            [*params, n],
        )


def fleet_teardown(tenants: list[Any], token: str) -> None:
    """Removes the pipeline client, the tenants' fleet data and the tenants, and the staged heartbeats."""
    from django.db import IntegrityError, transaction

    from console.models import ApiClient
    from console.redis import redis_client
    from console.tokens import token_split
    from telemetry import ingest
    from telemetry.models import CrashEvent, FleetSample, Host

    ApiClient.objects.filter(prefix=token_split(token)).delete()
    FleetSample.objects.filter(tenant__in=tenants).delete()
    CrashEvent.objects.filter(tenant__in=tenants).delete()
    Host.objects.filter(tenant__in=tenants).delete()
    for tenant in tenants:
        try:  # the audit log is append-only and may reference the tenant; keep the row if so
            with transaction.atomic():
                tenant.delete()
        except IntegrityError:
            pass
    redis_client().delete(ingest.STAGED, ingest.STAGED_TS, ingest.STAGED_CRASHES)
