"""The shape of the code (DESIGN.md), held by tests: no import cycles, one place that posts,
listeners that never open a transaction themselves, services that know nothing of Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module of ours this file imports, `TYPE_CHECKING` imports included."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in imported if name in MODULES}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules on it, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None


def test_no_module_of_bot_or_storage_is_part_of_an_import_cycle():
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    # A package's own __init__ is imported by its modules; that is not a cycle of ours.
    graph = {
        name: {i for i in imported if not name.startswith(f"{i}.")}
        for name, imported in graph.items()
    }
    assert _cycle(graph) is None


def test_a_cycle_is_found_when_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _calls(path: Path, name: str) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            called = node.func
            if (isinstance(called, ast.Name) and called.id == name) or (
                isinstance(called, ast.Attribute) and called.attr == name
            ):
                return True
    return False


def test_only_bot_posts_and_delivery_write_to_the_outbox():
    writers = {name for name, path in MODULES.items() if _calls(path, "enqueue")}
    assert {w for w in writers if not w.startswith("bot.posts.")} <= {"bot.delivery"}
    assert writers  # the check sees the calls that are there


def test_no_listener_or_web_handler_opens_a_transaction_itself():
    edges = {n: p for n, p in MODULES.items() if n.startswith(("bot.listeners", "bot.web"))}
    opening = {
        name
        for name, path in edges.items()
        if _calls(path, "transaction") or _calls(path, "unit_of_work")
    }
    assert opening == {"bot.listeners.surfaces", "bot.web.pages"}


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("bot.services", ("slack_bolt", "slack_sdk", "bot.views", "bot.listeners", "bot.posts")),
        ("bot.views", ("slack_bolt", "bot.listeners", "bot.posts", "bot.delivery")),
        ("bot.web", ("slack_bolt", "slack_sdk", "bot.listeners", "bot.views", "bot.delivery")),
        ("storage", ("bot", "slack_bolt", "slack_sdk")),
    ],
)
def test_a_layer_imports_nothing_above_it(layer, forbidden):
    offenders = {}
    for name, path in MODULES.items():
        if name != layer and not name.startswith(f"{layer}."):
            continue
        tree = ast.parse(path.read_text())
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        bad = {n for n in names if any(n == f or n.startswith(f"{f}.") for f in forbidden)}
        if bad:
            offenders[name] = sorted(bad)
    assert offenders == {}
