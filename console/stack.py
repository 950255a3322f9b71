"""``make run``: the whole product on one machine, with the production topology.

Starts embedded PostgreSQL and Redis (unless ``DATABASE_URL`` / ``REDIS_URL`` are set), migrates,
seeds the demo data, then supervises the web server (ASGI: HTTP + websockets), a Celery worker,
Celery beat, the live fleet flush (``manage.py fleet_live``) and the fleet simulator. Ctrl-C stops
every child, then the embedded services.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from console import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, str(BASE_DIR / "manage.py"), *args],
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def processes(port: str, simulate_hosts: int) -> dict[str, str]:
    bin_dir = Path(PYTHON).parent
    procs = {
        # --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1; the
        # console decides (TRUSTED_PROXIES, console.proxies), and there is no proxy here.
        "web": f"{bin_dir / 'uvicorn'} console.asgi:application --host 127.0.0.1 --port {port} "
        "--lifespan off --ws websockets --no-proxy-headers",
        "worker": f"{bin_dir / 'celery'} -A console worker --loglevel INFO --concurrency 2 --without-gossip",
        # the control plane (fleet and gate ticks) never waits behind recomputes (settings.py)
        "control": f"{bin_dir / 'celery'} -A console worker --loglevel INFO --concurrency 1 --without-gossip "
        f"-Q {os.environ.get('CELERY_QUEUE', 'console')}-control --hostname control@%h",
        # heartbeats to the dashboards as they arrive (the fleet tick stays the safety net)
        "live": f"{PYTHON} {BASE_DIR / 'manage.py'} fleet_live",
        "beat": f"{bin_dir / 'celery'} -A console beat --loglevel INFO",
        # crash reports halt failing rings at once (the gate tick stays the safety net)
        "safety": f"{PYTHON} {BASE_DIR / 'manage.py'} safety_loop",
    }
    simulator = BASE_DIR / "telemetry" / "management" / "commands" / "simulate_fleet.py"
    if simulate_hosts > 0 and simulator.exists():
        procs["fleet"] = (
            f"{PYTHON} {BASE_DIR / 'manage.py'} simulate_fleet --hosts {simulate_hosts} "
            f"--url http://127.0.0.1:{port}"
        )
    return procs


def main() -> int:
    from honcho.manager import Manager

    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    # Stop on exit only what this run started: servers that were already up (another run, tests)
    # are left running.
    started_embedded = (
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")) and not embedded.running()
    )
    print("Starting services (embedded PostgreSQL/Redis under var/ unless DATABASE_URL/REDIS_URL set)...")
    env.update(embedded.start())
    try:
        _manage("migrate", "--noinput", env=env)
        demo = json.loads(_manage("seed_demo", "--json", env=env, capture=True))
        print(f"\n  Update-control console: http://127.0.0.1:{port}/")
        print(f"  API docs:               http://127.0.0.1:{port}/api/v1/docs/")
        for login in demo.get("logins", []):
            print(f"  login {login['username']:<28} password {login['password']:<20} {login.get('what', '')}")
        for token in demo.get("api_tokens", []):
            print(f"  API token {token['name']:<26} {token['token']}")
        print("  Ctrl-C stops everything.\n")
        manager = Manager()
        for name, cmd in processes(port, int(os.environ.get("SIMULATE_HOSTS", "2000"))).items():
            manager.add_process(name, cmd, env=env, cwd=str(BASE_DIR))
        manager.loop()
        return int(manager.returncode or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if started_embedded:
            embedded.stop()
            print("Embedded services stopped; data kept in var/.")


if __name__ == "__main__":
    sys.exit(main())
