"""Size limits that keep each module and function one job (issue 11's measures), read with ``ast``.

No module of the package is over 600 lines and no function or method over 80; the
front end's built bundles are not Python and not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "bybit_widgets"
MODULE_LINES = 600
FUNCTION_LINES = 80


def _sources() -> dict[str, str]:
    return {str(path.relative_to(ROOT.parent)): path.read_text() for path in sorted(ROOT.rglob("*.py"))}


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """Every function or method longer than ``limit`` lines (decorators excluded), with its length."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append((node.name, length))
    return found


def test_the_function_measure_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(81))
    assert long_functions(f"def f():\n{body}\n", FUNCTION_LINES) == [("f", 82)]
    assert long_functions("async def g():\n    pass\n", FUNCTION_LINES) == []


def test_no_module_is_over_600_lines() -> None:
    sources = _sources()
    assert len(sources) > 50
    over = {name: text.count("\n") for name, text in sources.items() if text.count("\n") > MODULE_LINES}
    assert over == {}


def test_no_function_is_over_80_lines() -> None:
    over = {name: found for name, text in _sources().items() if (found := long_functions(text, FUNCTION_LINES))}
    assert over == {}
