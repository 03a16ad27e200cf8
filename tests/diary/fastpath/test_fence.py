"""The fence: private API of a library (a name with one leading underscore that the library
defines, or a module of its `internal` packages) is used only in diary/fastpath/ and its API
side, api/fastpath.py, where each use is listed in README.md with its benchmark and parity
test. Our own private names are fine anywhere, and so are the few underscore names a library
documents as public."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("api", "config", "diary")
FENCE = (ROOT / "diary" / "fastpath", ROOT / "api" / "fastpath.py")
# Underscore names their libraries document as public: Django's Model._meta API and
# managers' _db (the custom-manager examples), the namedtuple methods and _fields.
DOCUMENTED = frozenset({"_meta", "_db", "_default_manager", "_base_manager", "_fields", "_asdict", "_replace", "_make"})


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in DOCUMENTED


def ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and not any(path == fenced or fenced in path.parents for fenced in FENCE)
    )


@cache
def defined_by_us() -> frozenset[str]:
    """Every name our code defines: functions, classes, assignments, attributes it sets on
    its own objects (`self._x = ...`), parameters."""
    names: set[str] = set()
    for path in sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _is_self(node.value):
                names.add(node.attr)
    return frozenset(names)


def _is_self(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("self", "cls")) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def library_defines(module: str, class_name: str, name: str) -> str | None:
    """The library base class of our `module.class_name` that defines `name` (as a class
    attribute or method, or an attribute its code sets on `self`), if any."""
    cls = getattr(importlib.import_module(module), class_name, None)
    if not isinstance(cls, type):
        return None
    for base in cls.__mro__[1:]:
        if ours(base.__module__) or base is object:
            continue
        if name in vars(base):
            return f"{base.__module__}.{base.__qualname__}"
        try:
            text = inspect.getsource(base)
        except (OSError, TypeError):
            continue
        if re.search(rf"\bself\.{re.escape(name)}\b", text):
            return f"{base.__module__}.{base.__qualname__}"
    return None


def uses(path: Path) -> list[str]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    tree = ast.parse(path.read_text())
    found = []

    def where(node: ast.AST) -> str:
        return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"

    def visit(node: ast.AST, klass: str | None) -> None:
        if isinstance(node, ast.ClassDef):
            klass = node.name if klass is None else klass  # nested classes: their outer class's check
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and not ours(node.module):
            parts = node.module.split(".")
            if parts[0] != "__future__" and any(p == "internal" or private(p) for p in parts):
                found.append(f"{where(node)} imports {node.module}")
            found.extend(f"{where(node)} imports {node.module}.{a.name}" for a in node.names if private(a.name))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and klass and private(node.name):
            base = library_defines(module, klass, node.name)
            if base:
                found.append(f"{where(node)} overrides {base}.{node.name}")
        if isinstance(node, ast.Attribute) and private(node.attr):
            if _is_self(node.value):
                base = library_defines(module, klass, node.attr) if klass else None
                if base:
                    found.append(f"{where(node)} uses {base}.{node.attr}")
            elif isinstance(node.ctx, ast.Store) or node.attr not in defined_by_us():
                found.append(f"{where(node)} uses .{node.attr} of {ast.unparse(node.value)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and private(node.args[1].value)
            and not _is_self(node.args[0])
        ):
            found.append(f"{where(node)} {node.func.id}s {node.args[1].value} of {ast.unparse(node.args[0])}")
        for child in ast.iter_child_nodes(node):
            visit(child, klass)

    visit(tree, None)
    return found


def test_no_private_api_of_a_library_outside_the_fence():
    found = [use for path in sources() for use in uses(path)]
    assert found == [], "\n".join(found)


def test_the_check_sees_each_kind_of_use(tmp_path, monkeypatch):
    """The check itself: each kind of private use it must find, in a module of ours."""
    package = tmp_path / "diary"
    package.mkdir()
    (package / "fence_probe.py").write_text(
        "from allauth.core.internal import ratelimit\n"
        "from django.core.cache.backends import redis\n"
        "from drf_spectacular.openapi import AutoSchema\n"
        "class Cache(redis.RedisCache):\n"
        "    def __init__(self, *a):\n"
        "        super().__init__(*a)\n"
        "        self._class = None\n"
        "class Schema(AutoSchema):\n"
        "    def _map_basic_serializer(self, serializer, direction):\n"
        "        return super()._map_basic_serializer(serializer, direction)\n"
        "def view(request, response, connection):\n"
        "    response._csp_update = {}\n"
        "    getattr(connection, '_ldn_pending', None)\n"
        "    return request._request\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    import diary

    monkeypatch.setattr(diary, "__path__", [*diary.__path__, str(package)])
    found = [use.split(" ", 1)[1] for use in uses(package / "fence_probe.py")]
    assert found == [
        "imports allauth.core.internal",
        "uses django.core.cache.backends.redis.RedisCache._class",
        "overrides drf_spectacular.openapi.AutoSchema._map_basic_serializer",
        "uses drf_spectacular.openapi.AutoSchema._map_basic_serializer",
        "uses ._csp_update of response",
        "getattrs _ldn_pending of connection",
        "uses ._request of request",
    ]
