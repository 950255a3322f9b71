"""Management commands without PostgreSQL or Redis say what to start or set, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import BASE_DIR, free_port


def _manage(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _database_named(name: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/console")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


@pytest.mark.parametrize(
    "command", [["replay_incident", "--json", "--hosts", "10", "--tenants", "1"], ["seed_demo"]]
)
def test_it_says_what_to_start_when_postgresql_is_not_reachable(command: list[str]) -> None:
    # given a DATABASE_URL where nothing listens
    url = f"postgres://postgres@127.0.0.1:{free_port()}/console"
    # when
    done = _manage(*command, DATABASE_URL=url)
    # then one clear line, a non-zero exit, no traceback
    assert done.returncode != 0
    assert "is not reachable" in done.stderr
    assert "make services" in done.stderr and "DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_it_says_what_to_start_when_the_database_does_not_exist() -> None:
    # given a running PostgreSQL without that database
    url = _database_named("console_does_not_exist_anywhere")
    # when
    done = _manage("audit_verify", DATABASE_URL=url)
    # then
    assert done.returncode != 0
    assert "console_does_not_exist_anywhere" in done.stderr and "does not exist" in done.stderr
    assert "make services" in done.stderr
    assert "Traceback" not in done.stderr


def test_it_says_what_to_start_when_redis_is_not_reachable() -> None:
    # given PostgreSQL is there but Redis is not
    url = f"redis://127.0.0.1:{free_port()}/0"
    # when
    done = _manage("replay_incident", "--json", "--hosts", "10", "--tenants", "1", REDIS_URL=url)
    # then
    assert done.returncode != 0
    assert "Redis at 127.0.0.1" in done.stderr and "make services" in done.stderr
    assert "Traceback" not in done.stderr


def test_it_keeps_the_traceback_of_other_errors() -> None:
    # given a command that fails for a reason that is not a missing service
    # when
    done = _manage("replay_incident", "--hosts", "1", "--tenants", "5")
    # then its own error, unchanged
    assert done.returncode != 0
    assert "--hosts must be at least --tenants" in done.stderr
    assert "make services" not in done.stderr
