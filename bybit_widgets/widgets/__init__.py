"""Live trading widgets for Jupyter (anywidget views over the session's feeds).

``bw.Ticker``, ``bw.Watchlist``, ``bw.OrderBook``, ``bw.OrderTicket``,
``bw.Trades``, ``bw.Positions``, ``bw.PnL``, ``bw.Candles``, ``bw.DepthChart``,
``bw.Heatmap``, ``bw.ReplayControl`` and ``bw.Dashboard``. Each
takes ``session=`` (default: the latest ``bw.connect()``) and ``max_hz=``
(frames per second at most). :func:`configure` sets the kernel-wide budget
of comm messages per second that all widgets share.
"""

from __future__ import annotations

import asyncio

from .book import OrderBook
from .candles import Candles
from .dashboard import Dashboard
from .depth import DepthChart
from .heatmap import Heatmap
from .pnl import PnL
from .positions import Positions
from .replay import ReplayControl
from .scheduler import FrameScheduler
from .ticker import Ticker
from .ticket import OrderTicket
from .trades import Trades
from .watchlist import Watchlist

__all__ = [
    "Candles",
    "Dashboard",
    "DepthChart",
    "FrameScheduler",
    "Heatmap",
    "OrderBook",
    "OrderTicket",
    "PnL",
    "Positions",
    "ReplayControl",
    "Ticker",
    "Trades",
    "Watchlist",
    "configure",
]


def configure(*, max_messages_per_second: float) -> FrameScheduler:
    """Set the comm-message budget shared by every widget on this kernel's loop (default 200/s).

    Call it from a notebook cell (on the kernel's loop); returns the scheduler.
    """
    scheduler = FrameScheduler.for_loop(asyncio.get_running_loop())
    if not max_messages_per_second > 0:
        raise ValueError(f"max_messages_per_second must be positive, got {max_messages_per_second!r}")
    scheduler.max_messages_per_second = float(max_messages_per_second)
    return scheduler
