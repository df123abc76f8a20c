"""One state vocabulary in the stream layer: states are ``ConnState`` members, never bare strings (issue 11).

Every module of ``bybit_widgets/stream/`` but ``states.py`` (where the values are defined) is parsed with
``ast`` (nothing is imported). A string constant equal to a ``ConnState`` value counts as a state when it is
compared, assigned to a name or attribute about a state, returned by a function about a state, passed as the
state of ``set_state``/``_set_state``/``_fire_state``/a transition (the first argument or ``state=``, not the
reason that follows), given as a ``state`` keyword or default, or stored under a ``"state"`` key. Other
strings that happen to equal a state (reasons such as ``"closed"``, log text, Bybit's message fields, topic
names) are not states and are left alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from bybit_widgets.stream.states import ConnState

STREAM = Path(__file__).resolve().parents[3] / "bybit_widgets" / "stream"
VALUES = frozenset(s.value for s in ConnState)
SETTER = re.compile(r"^_*(set|fire)_state$|transition", re.I)


def _about_state(name: str | None) -> bool:
    return name is not None and "state" in name.lower()


def _name(node: ast.AST) -> str | None:
    """The name a target or callee ends in: ``x``, ``self.state`` gives ``state``, else ``None``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literals(node: ast.AST | None) -> Iterator[ast.Constant]:
    """State-valued string constants that ``node`` evaluates to: itself, either side of ``a if c else b``,
    an operand of ``or``/``and``, or an element of a tuple, list or set (as in ``state in ("live", ...)``)."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and node.value in VALUES:
            yield node
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _literals(element)


def _assigned(target: ast.AST, value: ast.AST | None) -> Iterator[ast.Constant]:
    """Literals assigned to a state: ``self.state = "live"``, and ``self.state, why = "live", "ok"`` pairwise."""
    if isinstance(target, ast.Tuple | ast.List):
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            for t, v in zip(target.elts, value.elts):
                yield from _assigned(t, v)
    elif _about_state(_name(target)):
        yield from _literals(value)


def _function_literals(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.Constant]:
    """Returns of a function about a state, and defaults of its parameters about a state."""
    args = node.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    for arg, default in pairs:
        if _about_state(arg.arg):
            yield from _literals(default)
    if _about_state(node.name):
        for inner in ast.walk(node):
            if isinstance(inner, ast.Return):
                yield from _literals(inner.value)


def _call_literals(node: ast.Call) -> Iterator[ast.Constant]:
    """The state given to a setter (its first argument, not the reason after it) or as a ``state`` keyword."""
    callee = _name(node.func)
    if callee is not None and SETTER.search(callee) and node.args:
        yield from _literals(node.args[0])
    for keyword in node.keywords:
        if _about_state(keyword.arg):
            yield from _literals(keyword.value)


def state_literals(source: str) -> list[tuple[int, str]]:
    """Every bare state string in ``source`` used as a state, as ``(line, value)``, in line order."""
    found: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found.extend(_literals(operand))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                found.extend(_assigned(target, node.value))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            found.extend(_assigned(node.target, node.value))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.extend(_function_literals(node))
        elif isinstance(node, ast.Call):
            found.extend(_call_literals(node))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and _about_state(key.value):
                    found.extend(_literals(value))
    unique = {(c.lineno, c.col_offset): c.value for c in found}  # a constant seen by two rules counts once
    return sorted((line, value) for (line, _), value in unique.items())


def _modules() -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8") for path in sorted(STREAM.glob("*.py")) if path.name != "states.py"
    }


# -- the scanner itself -----------------------------------------------------------------------------
def test_the_scanner_sees_a_state_literal_wherever_a_state_is_compared_set_or_returned() -> None:
    source = (
        "def f(sub, conn, lost, state='live'):\n"
        "    if sub.state == 'stale':\n"
        "        pass\n"
        "    if conn.state in ('reconnecting', 'connecting'):\n"
        "        pass\n"
        "    conn.state = 'closed'\n"
        "    conn.state, conn.reason = 'live', 'connected'\n"
        "    new_state: str = 'resyncing' if lost else 'connecting'\n"
        "    sub.set_state('stale', 'silent')\n"
        "    conn._set_state('reconnecting' if lost else 'connecting', 'opening')\n"
        "    sub._fire_state('live', 'ok')\n"
        "    sub.transition('closed')\n"
        "    Checkup(state='live')\n"
        "    return {'state': 'stale'}\n"
        "def worst_state(states):\n"
        "    return 'closed'\n"
    )
    assert state_literals(source) == [
        (1, "live"),
        (2, "stale"),
        (4, "connecting"),
        (4, "reconnecting"),
        (6, "closed"),
        (7, "live"),
        (8, "connecting"),
        (8, "resyncing"),
        (9, "stale"),
        (10, "connecting"),
        (10, "reconnecting"),
        (11, "live"),
        (12, "closed"),
        (13, "live"),
        (14, "stale"),
        (16, "closed"),
    ]


def test_the_scanner_leaves_reasons_log_text_message_fields_and_members_alone() -> None:
    source = (
        "def f(conn, sub, msg, log):\n"
        "    conn._set_state(ConnState.CLOSED, 'closed')\n"
        "    sub.set_state(ConnState.LIVE, 'live')\n"
        "    log.info('%s: %s', 'stale', 'live')\n"
        "    if msg.get('op') == 'subscribe' and msg.get('type') == 'snapshot':\n"
        "        pass\n"
        "    reason = 'closed'\n"
        "    topic = 'live'\n"
        "    return f'state: {sub.state} live'\n"
    )
    assert state_literals(source) == []


# -- the rule ---------------------------------------------------------------------------------------
def test_the_rule_reads_every_stream_module_but_the_one_that_defines_the_states() -> None:
    modules = _modules()
    assert "states.py" not in modules
    assert {"connection.py", "session.py", "subscriptions.py", "liveness.py", "feed.py", "manager.py"} <= set(modules)


def test_no_stream_module_writes_or_compares_a_connection_state_as_a_bare_string() -> None:
    found = {name: hits for name, source in _modules().items() if (hits := state_literals(source))}
    assert found == {}, "use ConnState members, not bare strings: " + repr(found)
