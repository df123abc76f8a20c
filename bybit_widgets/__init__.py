"""bybit-widgets: live Bybit market data and trading inside Jupyter.

``import bybit_widgets as bw`` is cheap: the client, the streams, the
simulator and the widgets load on first use, so a script that only wants
``bw.Client`` never imports ipywidgets or bokeh.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import protocol
from .protocol.errors import (
    AuthError,
    BybitError,
    InsufficientBalanceError,
    InvalidOrderError,
    ParameterError,
    RateLimitError,
    TimestampError,
    TransportError,
)

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "Client": "bybit_widgets.rest",
    "AsyncClient": "bybit_widgets.rest",
    "StreamManager": "bybit_widgets.stream",
    "Feed": "bybit_widgets.stream",
    "connect": "bybit_widgets.session",
    "Session": "bybit_widgets.session",
    "Ticker": "bybit_widgets.widgets",
    "Watchlist": "bybit_widgets.widgets",
    "OrderBook": "bybit_widgets.widgets",
    "OrderTicket": "bybit_widgets.widgets",
    "Trades": "bybit_widgets.widgets",
    "Positions": "bybit_widgets.widgets",
    "PnL": "bybit_widgets.widgets",
    "Candles": "bybit_widgets.widgets",
    "Dashboard": "bybit_widgets.widgets",
    "DepthChart": "bybit_widgets.widgets",
    "Heatmap": "bybit_widgets.widgets",
    "ReplayControl": "bybit_widgets.widgets",
}
_LAZY_MODULES = {"sim": "bybit_widgets.sim", "rest": "bybit_widgets.rest", "stream": "bybit_widgets.stream"}

__all__ = [
    "protocol",
    "BybitError",
    "AuthError",
    "ParameterError",
    "TimestampError",
    "RateLimitError",
    "InvalidOrderError",
    "InsufficientBalanceError",
    "TransportError",
    *_LAZY,
    *_LAZY_MODULES,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'bybit_widgets' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import sim as sim
    from .rest import AsyncClient as AsyncClient
    from .rest import Client as Client
    from .session import Session as Session
    from .session import connect as connect
    from .stream import Feed as Feed
    from .stream import StreamManager as StreamManager
    from .widgets import (
        Candles as Candles,
    )
    from .widgets import (
        Dashboard as Dashboard,
    )
    from .widgets import (
        DepthChart as DepthChart,
    )
    from .widgets import (
        Heatmap as Heatmap,
    )
    from .widgets import (
        OrderBook as OrderBook,
    )
    from .widgets import (
        OrderTicket as OrderTicket,
    )
    from .widgets import (
        PnL as PnL,
    )
    from .widgets import (
        Positions as Positions,
    )
    from .widgets import (
        ReplayControl as ReplayControl,
    )
    from .widgets import (
        Ticker as Ticker,
    )
    from .widgets import (
        Trades as Trades,
    )
    from .widgets import (
        Watchlist as Watchlist,
    )
