"""``make soak``: SOAK_MINUTES (default 30) of simulator load on the real stack, one JSON line a minute.

Starts uvicorn, a Celery worker and Celery beat on the configured PostgreSQL and Redis, seeds the
demo tenants, runs ``simulate_fleet`` (heartbeats and desired-state polls), and meanwhile acts as
an operator and as vendor release engineering: policy changes, tenant pauses and resumes, and a
content release taken through the stages (which starts a rollout). Every minute it prints the
latency (p50/p99 per probe) and the resident memory of each process; at the end a summary line
with the p99 drift (last minute vs. first) and the memory growth.

Not part of CI; the Schemathesis long run (``FUZZ_EXAMPLES``) is the other half of ``make soak``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (prefork pool, uvicorn), in MiB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def seed() -> dict[str, Any]:
    """Demo data plus an all-scopes token of acme and a vendor release-engineering token."""
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from console.models import ApiClient, ApiScope, Tenant
    from console.tokens import token_generate
    from rollout.models import SensorUpdatePolicy

    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    import io

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    acme = Tenant.objects.get(slug="acme")
    tokens = {}
    for name, tenant, scopes in (
        ("soak-admin", acme, [ApiScope.READ, ApiScope.WRITE, ApiScope.PAUSE, ApiScope.ADMIN]),
        ("soak-vendor", None, [ApiScope.VENDOR]),
    ):
        token, lookup, digest = token_generate()
        ApiClient.objects.create(tenant=tenant, name=name, prefix=lookup, token_hash=digest, scopes=scopes)
        tokens[name] = token
    policy = SensorUpdatePolicy.objects.filter(tenant=acme).order_by("precedence").first()
    return {"tokens": tokens, "policy": str(policy.pk) if policy else None}


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, hosts: int) -> str:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        url = f"http://127.0.0.1:{self.port}"
        # The whole simulated fleet enrols from 127.0.0.1: lift the per-address anonymous rate.
        env = {
            **os.environ,
            "DEBUG": os.environ.get("DEBUG", "1"),
            "ANON_RATE_LIMIT": os.environ.get("ANON_RATE_LIMIT", "1000000/min"),
        }
        log = (self.workdir / "stack.log").open("ab")
        uvicorn = [str(BIN / "uvicorn"), "console.asgi:application", "--host", "127.0.0.1"]
        uvicorn += [
            "--port",
            str(self.port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        celery = str(BIN / "celery")
        commands = {
            "server": uvicorn,
            "worker": [celery, "-A", "console", "worker", "--concurrency", "2", "--loglevel", "WARNING"],
            "control": [
                celery,
                "-A",
                "console",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "-Q",
                f"{os.environ.get('CELERY_QUEUE', 'console')}-control",
                "--hostname",
                "control@%h",
            ],
            "beat": [celery, "-A", "console", "beat", "--schedule", str(self.workdir / "beat-schedule")],
            # crash reports halt failing rings at once (the gate tick stays the safety net)
            "safety": [sys.executable, "manage.py", "safety_loop"],
        }
        for name, args in commands.items():
            self.procs[name] = subprocess.Popen(args, env=env, cwd=BASE_DIR, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the console did not start; see {self.workdir / 'stack.log'}")
            time.sleep(0.5)
        self.procs["simulator"] = subprocess.Popen(
            [
                *(sys.executable, "manage.py", "simulate_fleet", "--hosts", str(hosts), "--url", url),
                *("--accelerate", "5", "--credentials-file", str(self.workdir / "credentials.json")),
            ],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=log,
        )
        return url

    def memory(self) -> dict[str, float]:
        return {name: rss_mb(proc.pid) for name, proc in self.procs.items()}

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class Operator:
    """What people and the vendor do meanwhile: policy edits, pauses, one staged content release."""

    def __init__(self, url: str, seeded: dict[str, Any]) -> None:
        self.url = url
        self.admin = {"Authorization": f"Bearer {seeded['tokens']['soak-admin']}"}
        self.vendor = {"Authorization": f"Bearer {seeded['tokens']['soak-vendor']}"}
        self.policy = seeded["policy"]
        self.pause_id: str | None = None
        self.release_id: str | None = None
        self.stages = ["canary", "early_access", "ga"]
        self.rng = random.Random(7)  # noqa: S311 - load shape, not security

    def act(self, client: httpx.Client, tick: int) -> list[tuple[str, int]]:
        done: list[tuple[str, int]] = []
        if self.policy and tick % 2 == 0:
            target = self.rng.choice(["n", "n-1", "n-2"])
            path = f"{self.url}/api/v1/sensor-policies/{self.policy}"
            etag = client.get(path, headers=self.admin).headers.get("ETag", "")
            r = client.patch(path, json={"target": target}, headers={**self.admin, "If-Match": etag})
            done.append(("policy-change", r.status_code))
        if tick % 6 == 3:
            if self.pause_id is None:
                r = client.post(
                    f"{self.url}/api/v1/pauses/",
                    json={"scope": "tenant", "reason": "soak"},
                    headers=self.admin,
                )
                if r.status_code in (200, 201):
                    body = r.json()
                    self.pause_id = body.get("id") or (body.get("object") or {}).get("id")
                done.append(("pause", r.status_code))
            else:
                r = client.post(
                    f"{self.url}/api/v1/pauses/{self.pause_id}/resume",
                    json={"reason": "soak"},
                    headers=self.admin,
                )
                self.pause_id = None
                done.append(("resume", r.status_code))
        if tick == 5:
            from rollout.catalog.validation import canonical_digest

            instances = [
                {
                    "id": "soak-0001",
                    "template_type": "NamedPipe",
                    "fields": [f"value-{i}" for i in range(19)] + [7],
                }
            ]
            r = client.post(
                f"{self.url}/api/v1/vendor/content-releases/",
                json={
                    "category": "rapid_response",
                    "version": f"9{int(time.time()) % 100000}.1",
                    "instances": instances,
                    "digest": canonical_digest(instances),
                },
                headers=self.vendor,
            )
            if r.status_code == 201:
                self.release_id = r.json()["id"]
            done.append(("release-create", r.status_code))
        if self.release_id and self.stages and tick > 5 and tick % 10 == 0:
            stage = self.stages.pop(0)
            r = client.post(
                f"{self.url}/api/v1/vendor/content-releases/{self.release_id}/stage",
                json={"stage": stage},
                headers=self.vendor,
            )
            done.append((f"release-{stage}", r.status_code))
        return done


def main() -> int:
    minutes = float(os.environ.get("SOAK_MINUTES", "30"))
    hosts = int(os.environ.get("SOAK_HOSTS", "500"))
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    seeded = seed()
    stack = Stack(workdir)
    url = stack.start(hosts)
    operator = Operator(url, seeded)
    probes = {
        "readyz": ("GET", "/readyz", {}),
        "fleet-health": ("GET", "/api/v1/fleet/health/", operator.admin),
        "hosts-list": ("GET", "/api/v1/hosts/?page_size=50", operator.admin),
        "policies": ("GET", "/api/v1/sensor-policies/", operator.admin),
    }
    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/readyz", timeout=10).status_code != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the console never became ready (worker heartbeat, PostgreSQL, Redis)")
        time.sleep(1)
    emit({"soak": "start", "minutes": minutes, "hosts": hosts, "url": url, "logs": str(workdir)})
    started = time.monotonic()
    minute_rows: list[dict[str, Any]] = []
    tick = 0
    try:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() - started < minutes * 60:
                window_end = time.monotonic() + min(60.0, minutes * 60 - (time.monotonic() - started))
                latencies: dict[str, list[float]] = {name: [] for name in probes}
                statuses: dict[str, int] = {}
                errors = 0
                while time.monotonic() < window_end:
                    for name, (method, path, headers) in probes.items():
                        t0 = time.perf_counter()
                        try:
                            r = client.request(method, url + path, headers=headers)
                            code = r.status_code
                        except httpx.HTTPError:
                            code = 0
                        latencies[name].append((time.perf_counter() - t0) * 1000)
                        if code >= 500 or code == 0:
                            errors += 1
                            statuses[f"{name}:{code}"] = statuses.get(f"{name}:{code}", 0) + 1
                    if tick % 10 == 0:
                        for action, code in operator.act(client, tick // 10):
                            statuses[f"{action}:{code}"] = statuses.get(f"{action}:{code}", 0) + 1
                            if code >= 500 or code == 0:
                                errors += 1
                    tick += 1
                    time.sleep(1.0)
                every = [v for values in latencies.values() for v in values]
                row = {
                    "soak": "minute",
                    "minute": len(minute_rows) + 1,
                    "requests": len(every),
                    "p50_ms": percentile(every, 0.50),
                    "p99_ms": percentile(every, 0.99),
                    "p99_ms_by_probe": {k: percentile(v, 0.99) for k, v in latencies.items()},
                    "errors_5xx": errors,
                    "actions": statuses,
                    "rss_mb": stack.memory(),
                    "dead": stack.dead(),
                }
                minute_rows.append(row)
                emit(row)
    finally:
        stack.stop()
    first, last = minute_rows[0], minute_rows[-1]
    drift = (
        round((last["p99_ms"] - first["p99_ms"]) / first["p99_ms"] * 100, 1)
        if first["p99_ms"] and last["p99_ms"]
        else None
    )
    growth = {k: round(last["rss_mb"].get(k, 0) - v, 1) for k, v in first["rss_mb"].items()}
    emit(
        {
            "soak": "summary",
            "minutes": len(minute_rows),
            "p99_first_ms": first["p99_ms"],
            "p99_last_ms": last["p99_ms"],
            "p99_drift_pct": drift,
            "rss_growth_mb": growth,
            "errors_5xx": sum(r["errors_5xx"] for r in minute_rows),
            "processes_died": sorted({d for r in minute_rows for d in r["dead"]}),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
