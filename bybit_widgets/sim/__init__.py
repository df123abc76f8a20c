"""The embedded Bybit v5 exchange: a seeded market, matching engine and accounts behind the real wire protocol.

``bw.sim.run(seed=1)`` starts it in-process on an ephemeral loopback port
(a context manager; ``stop()`` ends it); ``python -m bybit_widgets.sim``
runs it standalone; ``create_app(exchange)`` is the bare ASGI app. Public
streams can be recorded to Parquet (``record``) and replayed through the
same server (``run(replay="file.parquet", speed=10)``).

Names load on first use, so importing the engine (``bybit_widgets.sim.engine``)
never pulls in the web server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "run",
    "SimServer",
    "SimConfig",
    "create_app",
    "generate_keys",
    "record",
    "record_async",
    "load_recording",
    "Exchange",
    "SimError",
]

_LAZY = {
    "run": ".runner",
    "SimServer": ".runner",
    "generate_keys": ".runner",
    "SimConfig": ".config",
    "create_app": ".app",
    "record": ".recording",
    "record_async": ".recording",
    "load_recording": ".recording",
    "Exchange": ".engine.exchange",
    "SimError": ".engine.exchange",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bybit_widgets.sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from .app import create_app as create_app
    from .config import SimConfig as SimConfig
    from .engine.exchange import Exchange as Exchange
    from .engine.exchange import SimError as SimError
    from .recording import load_recording as load_recording
    from .recording import record as record
    from .recording import record_async as record_async
    from .runner import SimServer as SimServer
    from .runner import generate_keys as generate_keys
    from .runner import run as run
