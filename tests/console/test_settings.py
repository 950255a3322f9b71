"""Settings read from the environment for production: secrets from files, trusted proxies checked
at start-up, JSON logs by default with DEBUG off."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_DIR

PRINT = (
    "import json;from django.conf import settings as s;"
    "print(json.dumps({'password': s.DATABASES['default'].get('PASSWORD'), 'proxies': s.TRUSTED_PROXIES,"
    "'ssl_header': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), 'log_format': s.LOG_FORMAT,"
    "'anchor_key': s.AUDIT_ANCHOR_KEY, 'metrics_token': s.METRICS_TOKEN,"
    "'redirect_exempt': s.SECURE_REDIRECT_EXEMPT}))"
)


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ)
    full.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "console.example.com",
            "DJANGO_SETTINGS_MODULE": "console.settings",
            **env,
        }
    )
    full.pop("PYTEST_VERSION", None)
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=full, cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_it_reads_the_database_password_and_anchor_key_from_files(tmp_path: Path) -> None:
    # given secrets as files (compose mounts them at /run/secrets/)
    (tmp_path / "pg").write_text("s3cret-pg-password\n")
    (tmp_path / "anchor").write_text("anchor-key-" + "x" * 40 + "\n")
    (tmp_path / "metrics").write_text("metrics-token-value\n")
    # when production settings load with a password-less DATABASE_URL
    result = _settings(
        DATABASE_URL="postgres://console@db:5432/console",
        DATABASE_PASSWORD_FILE=str(tmp_path / "pg"),
        AUDIT_ANCHOR_KEY_FILE=str(tmp_path / "anchor"),
        METRICS_TOKEN_FILE=str(tmp_path / "metrics"),
    )
    # then each is read from its file, logs are JSON, and Prometheus may scrape over plain HTTP
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["password"] == "s3cret-pg-password"
    assert loaded["anchor_key"] == "anchor-key-" + "x" * 40
    assert loaded["log_format"] == "json"
    assert loaded["metrics_token"] == "metrics-token-value"
    assert any(re.match(pattern, "metrics") for pattern in loaded["redirect_exempt"])


def test_it_believes_https_only_with_a_trusted_proxy_configured() -> None:
    # given production settings with and without a proxy
    without = json.loads(_settings().stdout)
    with_proxy = json.loads(_settings(TRUSTED_PROXIES="172.30.0.10, 10.0.0.0/8").stdout)
    # then SECURE_PROXY_SSL_HEADER is set only with one
    assert without["proxies"] == [] and without["ssl_header"] is None
    assert with_proxy["proxies"] == ["172.30.0.10", "10.0.0.0/8"]
    assert with_proxy["ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_it_refuses_to_start_on_a_bad_proxy_or_the_old_blanket_setting() -> None:
    bad = _settings(TRUSTED_PROXIES="proxy.internal")
    old = _settings(TRUST_X_FORWARDED_PROTO="1")
    assert bad.returncode != 0 and "TRUSTED_PROXIES: 'proxy.internal' is not an IP address" in bad.stderr
    assert old.returncode != 0 and "set TRUSTED_PROXIES" in old.stderr
