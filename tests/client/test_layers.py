"""The client package stands alone: a customer installs it without the server, so neither the
generated client nor the CLI may import Django or any of the console's own packages."""

from __future__ import annotations

import ast
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"
SERVER_PACKAGES = {"django", "rest_framework", "console", "telemetry", "rollout", "celery", "channels"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_it_keeps_the_client_and_the_cli_free_of_server_imports() -> None:
    # given every module of the client package (generated and hand-written)
    modules = sorted(CLIENT.rglob("*.py"))
    assert len(modules) > 100 and (CLIENT / "console_cli" / "main.py") in modules
    # when their imports are read
    offending = {str(m.relative_to(CLIENT)): imported_roots(m) & SERVER_PACKAGES for m in modules}
    # then none reaches into the server
    assert {name: roots for name, roots in offending.items() if roots} == {}
