"""The import graph of ``bybit_widgets``: acyclic, and layered the way design.md draws it.

Every module is parsed with ``ast`` (nothing is imported) and every import
statement counts, wherever it is: at the top, inside a function, or under
``if TYPE_CHECKING:`` (a type-only import is still a dependency a reader and
a type checker must follow). ``from pkg import name`` depends on
``pkg.name`` when that is a module and on ``pkg`` otherwise, the rule of
import-linter's graph; importing a submodule does not count as importing its
parent packages. Imports by string (``importlib.import_module``) are not seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "bybit_widgets"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
SANS_IO_FORBIDDEN = frozenset({"asyncio", "websockets", "socket", "time"})

Graph = dict[str, set[str]]


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package by dotted name, with its file and whether it is a package."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _imports(source: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """What module ``name`` depends on: ``import a.b`` gives ``a.b``; ``from m import n`` ``m.n`` or ``m``."""
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                module = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets.update(f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names)
    targets.discard(name)
    return targets


def _graph() -> tuple[Graph, dict[str, set[str]]]:
    """The intra-package import graph and, per module, the top-level names of its external imports."""
    modules = _modules()
    graph: Graph = {}
    external: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        targets = _imports(path.read_text(encoding="utf-8"), name, is_package, set(modules))
        graph[name] = {t for t in targets if t in modules}
        external[name] = {t.split(".")[0] for t in targets if t.split(".")[0] != PACKAGE}
    return graph, external


def _find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or ``None`` when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle is not None:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None


def _in(module: str, subpackage: str) -> bool:
    prefix = f"{PACKAGE}.{subpackage}"
    return module == prefix or module.startswith(prefix + ".")


def _violations(graph: Graph, lower: str, uppers: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} -> {t}"
        for m, targets in graph.items()
        if _in(m, lower)
        for t in targets
        if any(_in(t, up) for up in uppers)
    )


# -- the parser itself ------------------------------------------------------------------------------
def test_every_kind_of_import_is_seen() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from .book import Book\n"
        "from . import venue\n"
        "if TYPE_CHECKING:\n"
        "    from .exchange import Exchange\n"
        "def f():\n"
        "    from ..clock import SimClock\n"
        "    import bybit_widgets.protocol.topics\n"
    )
    modules = {
        "pkg.sim",
        "pkg.sim.engine",
        "pkg.sim.engine.book",
        "pkg.sim.engine.venue",
        "pkg.sim.engine.exchange",
        "pkg.sim.clock",
        "bybit_widgets.protocol.topics",
    }
    targets = _imports(source, "pkg.sim.engine.trading", False, modules)
    assert targets == {
        "__future__",
        "typing",
        "pkg.sim.engine.book",
        "pkg.sim.engine.venue",
        "pkg.sim.engine.exchange",
        "pkg.sim.clock",
        "bybit_widgets.protocol.topics",
    }


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_covers_the_package() -> None:
    graph, _ = _graph()
    assert len(graph) > 50
    assert "bybit_widgets.sim.engine.endpoints" in graph["bybit_widgets.sim.engine.exchange"]
    assert "bybit_widgets.sim.engine.venue" in graph["bybit_widgets.sim.engine.trading"]


# -- the rules --------------------------------------------------------------------------------------
def test_no_import_cycle() -> None:
    graph, _ = _graph()
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_protocol_imports_no_upper_layer() -> None:
    graph, _ = _graph()
    assert _violations(graph, "protocol", ("rest", "stream", "widgets", "sim")) == []


def test_rest_and_stream_import_neither_widgets_nor_sim() -> None:
    graph, _ = _graph()
    assert _violations(graph, "rest", ("widgets", "sim")) == []
    assert _violations(graph, "stream", ("widgets", "sim")) == []


def test_protocol_is_sans_io() -> None:
    _, external = _graph()
    found = sorted(
        f"{m} imports {n}" for m, names in external.items() if _in(m, "protocol") for n in names & SANS_IO_FORBIDDEN
    )
    assert found == []
