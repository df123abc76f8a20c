"""Live Bybit v5 streams: feeds over the fewest WebSocket connections.

``StreamManager`` hands out :class:`Feed` objects (order book, ticker,
trades, klines, orders, executions, positions, wallet) that stay correct
through drops, silence, sequence gaps and restarts, and show their
connection state while they recover. See :mod:`.manager` for the API.
"""

from .account import AccountFeed
from .backoff import Backoff
from .errors import FeedClosed, StreamDataError, StreamError, SubscriptionRefused
from .feed import Feed
from .ledger import LedgerFeed
from .manager import StreamManager
from .state import BookView
from .states import STATES, ConnState, FeedStats

__all__ = [
    "StreamManager",
    "AccountFeed",
    "LedgerFeed",
    "Feed",
    "FeedStats",
    "BookView",
    "Backoff",
    "STATES",
    "ConnState",
    "StreamError",
    "SubscriptionRefused",
    "StreamDataError",
    "FeedClosed",
]
