"""Errors the streams surface on feeds or raise to callers.

They are :class:`~bybit_widgets.protocol.errors.BybitError` subclasses, so a
notebook catching ``bw.BybitError`` sees stream problems too, each with a
hint in plain words.
"""

from __future__ import annotations

from ..protocol.errors import BybitError

__all__ = ["StreamError", "SubscriptionRefused", "StreamDataError", "FeedClosed"]


class StreamError(BybitError):
    """A problem of a WebSocket stream (not of one REST request)."""

    default_hint = "The stream manager reconnects and resubscribes on its own; see feed.state_reason."


class SubscriptionRefused(StreamError):
    """The server answered a subscribe request with ``success: false``."""

    default_hint = (
        "Bybit refused the topic. Check the symbol exists in this category (linear vs spot) and the topic "
        "name is a v5 one (orderbook.50.BTCUSDT, tickers.BTCUSDT, kline.1.BTCUSDT, publicTrade.BTCUSDT)."
    )


class StreamDataError(StreamError):
    """A frame that could not be used: malformed JSON, oversized, an unknown topic, a bad message.

    The frame is skipped, counted in ``feed.stats.errors``, and the connection keeps going.
    """

    default_hint = "The frame was skipped and the connection continues; a book resyncs itself if affected."


class FeedClosed(StreamError):
    """Waiting on a feed that was closed (by its consumer, or because the topic was refused)."""

    default_hint = "Open a new feed with the stream manager (e.g. streams.order_book(...))."
