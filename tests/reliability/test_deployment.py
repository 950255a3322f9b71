"""The production compose file and image: only the TLS proxy is published, the app believes
forwarding headers from exactly that proxy, images are pinned, every long-running container has
its own health check and a shutdown grace period, secrets come from files, and the image leaves
tests, benchmarks and the soak harness out."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
ROOT = DOCKER.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return data


def _default(value: str) -> str:
    """``${VAR:-default}`` as compose resolves it with VAR unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_it_publishes_only_the_proxy_and_trusts_exactly_its_address(compose: dict[str, Any]) -> None:
    # given the services
    services = compose["services"]
    # when we look at who publishes ports and whom the app trusts
    published = sorted(
        name
        for name, svc in services.items()
        if any(not str(port).startswith("127.0.0.1:") for port in svc.get("ports", []))
    )
    proxy_ip = _default(services["proxy"]["networks"]["console"]["ipv4_address"])
    web_command = [_default(part) for part in services["web"]["command"]]
    # then only the proxy is reachable from outside (Grafana listens on the host's loopback only),
    # and web believes exactly it
    assert published == ["proxy"]
    assert f"--forwarded-allow-ips={proxy_ip}" in web_command
    assert "--proxy-headers" in web_command
    assert _default(services["web"]["environment"]["TRUSTED_PROXIES"]) == proxy_ip
    assert "reverse_proxy web:8000" in (DOCKER / "Caddyfile").read_text()


def test_it_pins_every_image_by_exact_version(compose: dict[str, Any]) -> None:
    # given the third-party images and the Dockerfile's bases
    images = [svc["image"] for name, svc in compose["services"].items() if "build" not in svc]
    bases = re.findall(r"^FROM (\S+)", (DOCKER / "Dockerfile").read_text(), flags=re.M)
    # then each names an exact release (PostgreSQL's are major.minor), never a moving major tag
    for image in [*images, *bases]:
        exact = r":\d+\.\d+(-|$)" if image.startswith("postgres:") else r":v?\d+\.\d+\.\d+(-|$)"
        assert re.search(exact, image), image


def test_it_checks_the_health_of_each_container_and_shuts_down_gracefully(compose: dict[str, Any]) -> None:
    services = compose["services"]
    long_running = [name for name, svc in services.items() if svc.get("restart", "unless-stopped") != "no"]
    for name in long_running:
        assert "healthcheck" in services[name], name
        assert "stop_grace_period" in services[name], name
    # each worker pings itself, by the hostname it was started with
    for name in ("worker", "control"):
        command = services[name]["command"]
        node = command[command.index("--hostname") + 1].replace("%h", "$$HOSTNAME")
        assert f"-d {node}" in " ".join(services[name]["healthcheck"]["test"]), name
    assert "beat-heartbeat" in " ".join(services["beat"]["healthcheck"]["test"])
    assert "--timeout-graceful-shutdown=25" in services["web"]["command"]


def test_it_reads_secrets_from_files_never_from_the_environment(compose: dict[str, Any]) -> None:
    env = compose["services"]["web"]["environment"]
    assert {"SECRET_KEY", "AUDIT_ANCHOR_KEY", "DATABASE_PASSWORD"}.isdisjoint(env)
    assert env["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert env["AUDIT_ANCHOR_KEY_FILE"] == "/run/secrets/audit_anchor_key"
    assert ":" not in env["DATABASE_URL"].split("@")[0].removeprefix("postgres://")
    assert env["METRICS_TOKEN_FILE"] == "/run/secrets/metrics_token"
    assert set(compose["secrets"]) == {
        "secret_key",
        "audit_anchor_key",
        "postgres_password",
        "metrics_token",
        "grafana_admin_password",
    }


def test_it_keeps_tests_benchmarks_and_soak_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {"tests", "bench", "soak", "docker/secrets", ".venv", ".git"} <= ignored


def test_it_is_a_compose_file_docker_compose_accepts(tmp_path: Path) -> None:
    cli = shutil.which("docker-compose")
    if cli is None:
        pytest.skip("docker-compose is not installed")
    result = subprocess.run(
        [cli, "-f", str(DOCKER / "compose.yaml"), "config", "-q"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_it_shares_one_metrics_directory_between_web_and_the_workers(compose: dict[str, Any]) -> None:
    # given the app containers that count requests and tasks
    services = compose["services"]
    directory = services["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    # then each mounts the same in-memory volume there, and the proxy keeps /metrics inside
    for name in ("web", "worker", "control"):
        assert f"metrics-multiproc:{directory}" in services[name]["volumes"], name
    assert compose["volumes"]["metrics-multiproc"]["driver_opts"]["type"] == "tmpfs"
    assert "respond /metrics 404" in (DOCKER / "Caddyfile").read_text()
    scrape = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())["scrape_configs"][0]
    assert scrape["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
