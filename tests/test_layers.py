"""The architecture rules of STYLE.md, checked over the source with ``ast`` (stdlib only).

Each rule is a pure function ``check_*(root) -> list[str]`` over a project root, returning one
``path:line: reason`` string per violation. The real-tree tests run every checker on this
repository; the self-tests build small trees in ``tmp_path`` and prove each checker trips on a
violating tree and stays quiet on a clean one, so no real-tree test can pass because a checker
silently looks at nothing.

What counts as an import: every ``import`` / ``from ... import`` statement (strings such as
``include("rollout.urls")`` are not imports). The direction, layer and resolver rules look at every
import statement wherever it sits; the cycle rule looks only at imports executed when the module is
imported (not inside a function body, not under ``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("console", "telemetry", "rollout")
# Lower index = higher layer: an app may import only apps after it.
APP_ORDER = ("rollout", "telemetry", "console")
# Top to bottom: a unit may import itself and the units after it.
ROLLOUT_LAYERS = [
    "replay",
    "catalog",
    "policies",
    "controls",
    "groups",
    "rings",
    "consent",
    "desired",
    "distribution",
    "notifications",
    "selectors",
    "resolver",
    "models",
]
# Sub-packages of rollout/ that hold wiring (entry points), not a domain layer.
ROLLOUT_WIRING_PACKAGES = {"management"}
RESOLVER_FORBIDDEN = {"django", "rest_framework", "celery", "channels"}
MAX_MODULE_LINES = 600
FUNCTION_IMPORT_ALLOWED_FILES = {"apps.py"}


# --- reading the tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRef:
    """One name an import statement brings in, resolved to first-party module names."""

    line: int
    # The dotted name as written (``a.b`` for ``import a.b``, ``a.b`` + name for ``from a.b import name``).
    module: str
    name: str | None
    # The module this import loads: ``a.b.name`` if that is a module file of the project, else ``a.b``.
    target: str
    in_function: bool
    type_checking: bool
    # The whole statement, for messages (``from a.b import c, d``).
    statement: str


@dataclass
class Module:
    name: str
    path: Path
    rel: str
    is_package: bool
    source: str
    tree: ast.Module
    imports: list[ImportRef] = field(default_factory=list)


def _module_files(root: Path) -> Iterator[Path]:
    for app in APPS:
        base = root / app
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "__pycache__" in parts:
                continue
            yield path


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_imports(
    node: ast.AST, *, in_function: bool = False, type_checking: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function, type_checking
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk_imports(child, in_function=True, type_checking=type_checking)
        elif isinstance(child, ast.If) and not in_function and _is_type_checking(child.test):
            for stmt in child.body:
                yield from _walk_imports(
                    ast.Module(body=[stmt], type_ignores=[]), in_function=False, type_checking=True
                )
            for stmt in child.orelse:
                yield from _walk_imports(
                    ast.Module(body=[stmt], type_ignores=[]), in_function=False, type_checking=type_checking
                )
        else:
            yield from _walk_imports(child, in_function=in_function, type_checking=type_checking)


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _resolve(dotted: str, known: set[str]) -> str:
    """The longest prefix of ``dotted`` that is a project module (``dotted`` itself if none is)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return dotted


def _statement(node: ast.Import | ast.ImportFrom) -> str:
    names = ", ".join(alias.name for alias in node.names)
    if isinstance(node, ast.Import):
        return f"import {names}"
    return f"from {'.' * node.level}{node.module or ''} import {names}"


class Project:
    """The first-party modules under ``root`` with their imports resolved."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[str, Module] = {}
        for path in _module_files(root):
            source = path.read_text(encoding="utf-8")
            name = _module_name(root, path)
            self.modules[name] = Module(
                name=name,
                path=path,
                rel=path.relative_to(root).as_posix(),
                is_package=path.name == "__init__.py",
                source=source,
                tree=ast.parse(source, filename=str(path)),
            )
        known = set(self.modules)
        for module in self.modules.values():
            for node, in_function, type_checking in _walk_imports(module.tree):
                statement = _statement(node)
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        module.imports.append(
                            ImportRef(
                                node.lineno,
                                alias.name,
                                None,
                                _resolve(alias.name, known),
                                in_function,
                                type_checking,
                                statement,
                            )
                        )
                    continue
                base = _absolute(module, node)
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    target = full if full in known else _resolve(base, known)
                    module.imports.append(
                        ImportRef(
                            node.lineno, base, alias.name, target, in_function, type_checking, statement
                        )
                    )

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules[name] for name in sorted(self.modules))


def _top(dotted: str) -> str:
    return dotted.split(".", 1)[0]


def _first_party(dotted: str) -> bool:
    return _top(dotted) in APPS


def _at(module: Module, line: int, reason: str) -> str:
    return f"{module.rel}:{line}: {reason}"


def _imported(ref: ImportRef) -> str:
    return ref.statement


def _unique(violations: list[str]) -> list[str]:
    """One line per statement and reason (``from a import b, c`` is one violation, not two)."""
    return list(dict.fromkeys(violations))


# --- the rules -----------------------------------------------------------------------------------


def check_app_direction(root: Path) -> list[str]:
    """rollout → telemetry → console: console imports neither; telemetry never imports rollout."""
    violations = []
    for module in Project(root):
        here = APP_ORDER.index(_top(module.name))
        for ref in module.imports:
            there = _top(ref.target)
            if there in APP_ORDER and APP_ORDER.index(there) < here:
                violations.append(
                    _at(module, ref.line, f"{_imported(ref)}: {_top(module.name)} must not import {there}")
                )
    return _unique(violations)


def _rollout_unit(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "rollout" and len(parts) > 1 else None


def check_rollout_layers(root: Path) -> list[str]:
    """Inside rollout/, a unit of ROLLOUT_LAYERS imports only itself and the units below it.

    A unit is ``rollout/<name>/`` or, while the restructure is under way, ``rollout/<name>.py``.
    Other modules directly in rollout/ (and its management commands) are wiring: they may import any
    unit, and no unit may import them. Importing a sub-package of rollout/ that is not declared in
    ROLLOUT_LAYERS is a violation from anywhere, so a new package must be placed in the order.
    """
    project = Project(root)
    packages = {m.name.split(".")[1] for m in project if m.is_package and m.name.count(".") == 1}
    violations = []
    for module in project:
        unit = _rollout_unit(module.name)
        if _top(module.name) != "rollout":
            continue
        layered = unit in ROLLOUT_LAYERS
        for ref in module.imports:
            target = _rollout_unit(ref.target)
            if target is None:
                continue
            how = _imported(ref)
            if target in packages and target not in ROLLOUT_LAYERS and target not in ROLLOUT_WIRING_PACKAGES:
                violations.append(
                    _at(module, ref.line, f"{how}: rollout.{target} is not declared in ROLLOUT_LAYERS")
                )
            elif not layered or target == unit:
                continue
            elif target not in ROLLOUT_LAYERS:
                violations.append(
                    _at(
                        module,
                        ref.line,
                        f"{how}: layer rollout.{unit} must not import wiring rollout.{target}",
                    )
                )
            elif ROLLOUT_LAYERS.index(target) < ROLLOUT_LAYERS.index(str(unit)):
                violations.append(
                    _at(
                        module,
                        ref.line,
                        f"{how}: layer rollout.{unit} must not import higher layer rollout.{target}",
                    )
                )
    return _unique(violations)


def _parents(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on long chains)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def check_import_cycles(root: Path) -> list[str]:
    """No cycle among first-party modules, over the imports run when a module is imported.

    ``import a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``, so those are edges too,
    except for the importer's own parent packages: Python initialises them before the importer runs,
    so a package ``__init__`` that re-exports its modules makes no cycle with them.
    Each strongly connected component of more than one module is reported with the import lines
    that close it.
    """
    project = Project(root)
    graph: dict[str, set[str]] = {name: set() for name in project.modules}
    lines: dict[tuple[str, str], int] = {}
    for module in project:
        for ref in module.imports:
            if ref.in_function or ref.type_checking or ref.target not in project.modules:
                continue
            for target in [*_parents(ref.target), ref.target]:
                if target in _parents(module.name) and target != ref.target:
                    continue
                if target in project.modules and target != module.name:
                    graph[module.name].add(target)
                    lines.setdefault((module.name, target), ref.line)
    violations = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        edges = [
            f"{project.modules[a].rel}:{lines[(a, b)]} -> {b}"
            for a in component
            for b in sorted(graph[a] & members)
        ]
        first = project.modules[component[0]]
        violations.append(
            f"{first.rel}:1: import cycle among {len(component)} modules: "
            + ", ".join(component)
            + "\n      "
            + "\n      ".join(edges)
        )
    return _unique(violations)


def check_private_imports(root: Path) -> list[str]:
    """No ``from x import _name`` of a first-party module's private name (dunders are fine)."""
    violations = []
    for module in Project(root):
        for ref in module.imports:
            name = ref.name
            if name is None or not _first_party(ref.module or module.name):
                continue
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                violations.append(
                    _at(module, ref.line, f"from {ref.module} import {name}: private name crosses modules")
                )
    return _unique(violations)


def check_function_imports(root: Path) -> list[str]:
    """No first-party import inside a function body, except in apps.py and management commands."""
    violations = []
    for module in Project(root):
        if module.path.name in FUNCTION_IMPORT_ALLOWED_FILES or "/management/commands/" in f"/{module.rel}":
            continue
        for ref in module.imports:
            if ref.in_function and _first_party(ref.target):
                violations.append(
                    _at(
                        module,
                        ref.line,
                        f"{_imported(ref)} inside a function (move it up; it may hide a cycle)",
                    )
                )
    return _unique(violations)


def check_resolver_purity(root: Path) -> list[str]:
    """rollout/resolver (package, or module today) imports no framework and no other first-party code."""
    violations = []
    for module in Project(root):
        if module.name != "rollout.resolver" and not module.name.startswith("rollout.resolver."):
            continue
        for ref in module.imports:
            top = _top(ref.target)
            if top in RESOLVER_FORBIDDEN:
                violations.append(_at(module, ref.line, f"{_imported(ref)}: the resolver must not use {top}"))
            elif _first_party(ref.target) and not (
                ref.target == "rollout.resolver" or ref.target.startswith("rollout.resolver.")
            ):
                violations.append(
                    _at(module, ref.line, f"{_imported(ref)}: the resolver must not import {ref.target}")
                )
    return _unique(violations)


def check_package_docstrings(root: Path) -> list[str]:
    """Every package of the apps has an ``__init__.py`` with a module docstring."""
    violations = []
    for app in APPS:
        base = root / app
        if not base.is_dir():
            continue
        for directory in sorted([base, *(p for p in base.rglob("*") if p.is_dir())]):
            parts = directory.relative_to(root).parts
            if "migrations" in parts or "__pycache__" in parts or not any(directory.glob("*.py")):
                continue
            init = directory / "__init__.py"
            rel = init.relative_to(root).as_posix()
            if not init.exists():
                violations.append(f"{rel}:1: missing (a package needs one, with a docstring)")
            elif ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) is None:
                violations.append(f"{rel}:1: no module docstring (say what the package owns and may import)")
    return _unique(violations)


def check_module_length(root: Path) -> list[str]:
    """No module is longer than MAX_MODULE_LINES lines."""
    violations = []
    for module in Project(root):
        count = len(module.source.splitlines())
        if count > MAX_MODULE_LINES:
            violations.append(f"{module.rel}:{count}: {count} lines, more than {MAX_MODULE_LINES}")
    return _unique(violations)


CHECKERS: list[Callable[[Path], list[str]]] = [
    check_app_direction,
    check_rollout_layers,
    check_import_cycles,
    check_private_imports,
    check_function_imports,
    check_resolver_purity,
    check_package_docstrings,
    check_module_length,
]


# --- the real tree -------------------------------------------------------------------------------


def test_the_real_tree_is_read() -> None:
    """Guards the real-tree tests against an empty walk (a moved ROOT would make them all pass)."""
    project = Project(ROOT)
    assert {"console", "telemetry", "rollout", "rollout.models"} <= set(project.modules)
    assert sum(len(m.imports) for m in project) > 100


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_it_keeps_the_rule(checker: Callable[[Path], list[str]]) -> None:
    violations = checker(ROOT)
    if violations:
        rule = (checker.__doc__ or checker.__name__).strip().splitlines()[0]
        pytest.fail(f"{rule}\n{len(violations)} violation(s):\n  " + "\n  ".join(violations), pytrace=False)


# --- self-tests on fake trees --------------------------------------------------------------------


def make_tree(root: Path, files: dict[str, str]) -> Path:
    """Writes ``files`` (path -> source) under ``root``; every package gets a docstring unless given."""
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for directory in [root / app for app in APPS] + [p for p in root.rglob("*") if p.is_dir()]:
        init = directory / "__init__.py"
        if directory.is_dir() and not init.exists() and any(directory.glob("*.py")):
            init.write_text(f'"""The {directory.name} package."""\n', encoding="utf-8")
    return root


def test_app_direction_trips_on_an_upward_import(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/urls.py": 'from django.urls import include\nurls = [include("rollout.urls")]\n',
            "console/views.py": "def page():\n    from telemetry.models import Host\n",
            "telemetry/models.py": "import rollout.models\n",
            "rollout/models.py": "from telemetry.models import Host\nfrom console import views\n",
        },
    )
    found = check_app_direction(root)
    assert found == [
        "console/views.py:2: from telemetry.models import Host: console must not import telemetry",
        "telemetry/models.py:1: import rollout.models: telemetry must not import rollout",
    ]


def test_app_direction_is_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/urls.py": 'from django.urls import include\nurls = [include("rollout.urls")]\n',
            "telemetry/models.py": "from console.models import Tenant\n",
            "rollout/models.py": "from telemetry.models import Host\nimport console.models\n",
        },
    )
    assert check_app_direction(root) == []


def test_rollout_layers_trip_on_upward_wiring_and_undeclared_imports(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "rollout/tasks.py": "",
            "rollout/groups/services.py": "from rollout.rings.services import ring_advance\n",
            "rollout/rings/services.py": (
                "from rollout.groups import services\n"  # groups is above rings
                "from rollout import tasks\n"  # wiring
                "from rollout.extras.thing import x\n"  # undeclared package
            ),
            "rollout/extras/thing.py": "x = 1\n",
            "rollout/models/__init__.py": '"""Models."""\nfrom rollout.resolver import resolve\n',
            "rollout/resolver.py": "def resolve(): ...\n",
        },
    )
    assert check_rollout_layers(root) == [
        "rollout/models/__init__.py:2: from rollout.resolver import resolve:"
        " layer rollout.models must not import higher layer rollout.resolver",
        "rollout/rings/services.py:1: from rollout.groups import services:"
        " layer rollout.rings must not import higher layer rollout.groups",
        "rollout/rings/services.py:2: from rollout import tasks:"
        " layer rollout.rings must not import wiring rollout.tasks",
        "rollout/rings/services.py:3: from rollout.extras.thing import x:"
        " rollout.extras is not declared in ROLLOUT_LAYERS",
    ]


def test_rollout_layers_are_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "rollout/tasks.py": "from rollout.rings.services import advance\nfrom rollout.catalog import api\n",
            "rollout/app_urls.py": 'from django.urls import include\nurls = [include("rollout.extras.urls")]\n',
            "rollout/management/commands/replay.py": "from rollout.tasks import x\nfrom rollout import demo\n",
            "rollout/demo.py": "",
            "rollout/catalog/api.py": "from rollout.catalog import services\nfrom rollout.models import Build\n",
            "rollout/catalog/services.py": "from rollout.policies.services import p\n",
            "rollout/policies/services.py": "import rollout.resolver.core\nfrom telemetry.models import Host\n",
            "rollout/groups/services.py": "from rollout.rings.services import ring_advance\n",
            "rollout/rings/services.py": "from rollout.models import HostGroup\n",
            "rollout/resolver/core.py": "import dataclasses\n",
            "rollout/models/__init__.py": '"""Models."""\n',
        },
    )
    assert check_rollout_layers(root) == []


def test_import_cycles_trip_on_a_cycle_and_on_a_parent_package_edge(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": "from console.b import thing\n",
            "console/b.py": "import console.c\nthing = 1\n",
            "console/c.py": "from console import a\n",
            "telemetry/pkg/__init__.py": '"""Pkg."""\nfrom telemetry.user import x\n',
            "telemetry/pkg/inner.py": "y = 2\n",
            "telemetry/user.py": "from telemetry.pkg.inner import y\nx = 1\n",
        },
    )
    found = check_import_cycles(root)
    assert len(found) == 2, found
    assert found[0].startswith(
        "console/a.py:1: import cycle among 3 modules: console.a, console.b, console.c"
    )
    assert "console/c.py:1 -> console.a" in found[0]
    # user imports telemetry.pkg.inner, which first runs telemetry/pkg/__init__.py, which imports user.
    assert "import cycle among 2 modules: telemetry.pkg, telemetry.user" in found[1]


def test_import_cycles_are_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": "from console.b import thing\n",
            "console/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from console.a import A\n"
                "def late():\n    from console import a\n"
                "thing = 1\n"
            ),
            "telemetry/pkg/inner.py": "from telemetry.pkg.other import y\n",
            "telemetry/pkg/other.py": "y = 2\n",
            # a package that re-exports its modules: they import siblings, not a cycle
            "telemetry/facade/__init__.py": '"""Facade."""\nfrom telemetry.facade.one import a\n',
            "telemetry/facade/one.py": "from telemetry.facade.two import b\na = b\n",
            "telemetry/facade/two.py": "b = 1\n",
        },
    )
    assert check_import_cycles(root) == []


def test_private_imports_trip_on_a_first_party_private_name(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": "_hidden = 1\n",
            "console/b.py": "from console.a import _hidden, __version__\n",
            "telemetry/c.py": "def f():\n    from console.a import _hidden as h\n",
        },
    )
    assert check_private_imports(root) == [
        "console/b.py:1: from console.a import _hidden: private name crosses modules",
        "telemetry/c.py:2: from console.a import _hidden: private name crosses modules",
    ]


def test_private_imports_are_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": "from os import _exit\nfrom console.b import public, __all__\n",
            "console/b.py": "public = 1\n",
        },
    )
    assert check_private_imports(root) == []


def test_function_imports_trip_inside_functions_and_methods(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": "def f():\n    import console.b\n",
            "console/b.py": "class K:\n    async def m(self):\n        from telemetry.c import x\n",
            "telemetry/c.py": "x = lambda: 1\n",
        },
    )
    assert check_function_imports(root) == [
        "console/a.py:2: import console.b inside a function (move it up; it may hide a cycle)",
        "console/b.py:3: from telemetry.c import x inside a function (move it up; it may hide a cycle)",
    ]


def test_function_imports_are_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/a.py": (
                "from typing import TYPE_CHECKING\nimport console.b\n"
                "if TYPE_CHECKING:\n    from telemetry.c import x\n"
                "def f():\n    import json\n"
            ),
            "console/b.py": "",
            "telemetry/c.py": "x = 1\n",
            "telemetry/apps.py": "class Config:\n    def ready(self):\n        from telemetry import c\n",
            "rollout/management/commands/seed.py": "def handle():\n    from rollout import models\n",
            "rollout/models.py": "",
        },
    )
    assert check_function_imports(root) == []


def test_resolver_purity_trips_on_frameworks_and_other_first_party_code(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "rollout/resolver/core.py": (
                "from django.utils import timezone\nimport celery\n"
                "from rollout.models import Ring\nfrom rollout.resolver.types import T\n"
            ),
            "rollout/resolver/types.py": "def f():\n    import rest_framework\n",
            "rollout/models.py": "",
        },
    )
    assert check_resolver_purity(root) == [
        "rollout/resolver/core.py:1: from django.utils import timezone: the resolver must not use django",
        "rollout/resolver/core.py:2: import celery: the resolver must not use celery",
        "rollout/resolver/core.py:3: from rollout.models import Ring: the resolver must not import rollout.models",
        "rollout/resolver/types.py:2: import rest_framework: the resolver must not use rest_framework",
    ]


def test_resolver_purity_is_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "rollout/resolver/core.py": (
                "import dataclasses\nfrom dateutil import rrule\n"
                "from rollout.resolver.types import T\nfrom rollout.resolver import types\n"
            ),
            "rollout/resolver/types.py": "T = 1\n",
            "rollout/models.py": "from django.db import models\n",
        },
    )
    assert check_resolver_purity(root) == []


def test_package_docstrings_trip_on_missing_docstring_and_missing_init(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "rollout/__init__.py": "",
            "rollout/rings/__init__.py": "# a comment is not a docstring\nx = 1\n",
            "rollout/rings/services.py": "",
            "rollout/migrations/0001_initial.py": "",
        },
    )
    (root / "rollout/groups").mkdir()
    (root / "rollout/groups/services.py").write_text("", encoding="utf-8")
    assert check_package_docstrings(root) == [
        "rollout/__init__.py:1: no module docstring (say what the package owns and may import)",
        "rollout/groups/__init__.py:1: missing (a package needs one, with a docstring)",
        "rollout/rings/__init__.py:1: no module docstring (say what the package owns and may import)",
    ]


def test_package_docstrings_are_quiet_on_a_clean_tree(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {"rollout/rings/services.py": "", "rollout/migrations/0001_initial.py": "", "console/a.py": ""},
    )
    assert (root / "rollout/rings/__init__.py").exists()
    assert check_package_docstrings(root) == []


def test_module_length_trips_past_the_limit(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/long.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
            "console/migrations/0001_initial.py": "x = 1\n" * (MAX_MODULE_LINES * 2),
        },
    )
    assert check_module_length(root) == [f"console/long.py:601: 601 lines, more than {MAX_MODULE_LINES}"]


def test_module_length_is_quiet_at_the_limit(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/ok.py": "x = 1\n" * MAX_MODULE_LINES,
            "console/migrations/0001_initial.py": "x = 1\n" * (MAX_MODULE_LINES * 2),
        },
    )
    assert check_module_length(root) == []


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "console/pkg/a.py": "from .b import thing\nfrom . import c\nfrom .. import top\n",
            "console/pkg/b.py": "thing = 1\n",
            "console/pkg/c.py": "",
            "console/top.py": "",
        },
    )
    targets = [ref.target for ref in Project(root).modules["console.pkg.a"].imports]
    assert targets == ["console.pkg.b", "console.pkg.c", "console.top"]
