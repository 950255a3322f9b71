"""Starting a real uvicorn worker for a benchmark and driving it with a concurrent HTTP client."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmark's server processes: production settings on this machine."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "b" * 20 + "enchmark-only-key-" + "x" * 30),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_NO_MANIFEST": "1",
        **(env or {}),
    }


@contextmanager
def uvicorn_process(
    app: str = "bench.asgi:application", env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One uvicorn worker (the unit P1/P4/P5 are stated in); yields its base URL and its process."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=BASE_DIR,
        env=server_env(env),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("benchmark server did not start")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # open websockets can hold a graceful shutdown up
            proc.kill()
            proc.wait()


@contextmanager
def uvicorn_server(app: str = "bench.asgi:application", env: dict[str, str] | None = None) -> Iterator[str]:
    """One uvicorn worker; yields its base URL."""
    with uvicorn_process(app, env) as (url, _proc):
        yield url


def requests_per_second(url: str, *, total: int, concurrency: int = 16, warmup: int = 200) -> float:
    """GETs ``url`` ``total`` times with ``concurrency`` connections; returns completed requests/s."""

    async def run(n: int) -> float:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(n):
                queue.put_nowait(i)

            async def worker() -> None:
                while not queue.empty():
                    queue.get_nowait()
                    response = await client.get(url)
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return n / (time.perf_counter() - started)

    asyncio.run(run(warmup))
    return asyncio.run(run(total))
