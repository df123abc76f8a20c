"""The feeds a Dashboard opens, and a recorder that keeps the book's last views by update id."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from bybit_widgets.stream import Feed, StreamManager
from tests.integration.stream.support import BookChecker

__all__ = ["SYMBOL", "DEPTH", "BOOK_TOPIC", "BookRecorder", "Feeds"]

SYMBOL = "BTCUSDT"
DEPTH = 50
BOOK_TOPIC = f"orderbook.{DEPTH}.{SYMBOL}"


class BookRecorder:
    """A feed callback keeping the last views by ``u``, so a view can be compared with the truth at its ``u``."""

    def __init__(self, keep: int = 200) -> None:
        self.views: deque[tuple[int, list, list]] = deque(maxlen=keep)
        self.checker = BookChecker()

    def __call__(self, feed: Feed) -> None:
        view = feed.latest
        if view is None or view.u is None:
            return
        if self.views and view.u < self.views[-1][0]:
            self.views.clear()  # a reset restarts the numbering
        self.views.append((view.u, view.bids, view.asks))
        self.checker(feed)

    @property
    def last_u(self) -> int | None:
        return self.views[-1][0] if self.views else None

    def at(self, u: int) -> tuple[list, list] | None:
        for seen_u, bids, asks in reversed(self.views):
            if seen_u == u:
                return bids, asks
            if seen_u < u:
                return None
        return None


class Feeds:
    """The feeds under test, by topic; ``public`` and ``private`` name the two connections' feeds."""

    def __init__(self, streams: StreamManager) -> None:
        feeds = [
            streams.order_book(SYMBOL, depth=DEPTH),
            streams.ticker(SYMBOL),
            streams.trades(SYMBOL),
            streams.kline(SYMBOL, interval="1"),
            streams.ticker("ETHUSDT"),
            streams.ticker("SOLUSDT"),
            streams.orders(),
            streams.executions(),
            streams.positions(),
            streams.wallet(),
        ]
        self.by_topic: dict[str, Feed] = {f.topic: f for f in feeds}
        self.book = self.by_topic[BOOK_TOPIC]
        self.public = [t for t, f in self.by_topic.items() if f.category is not None]
        self.private = [t for t, f in self.by_topic.items() if f.category is None]
        self.recorder = BookRecorder()
        self.book.on(self.recorder)

    def group(self, target: str) -> list[str]:
        return {"public": self.public, "private": self.private, "all": list(self.by_topic)}[target]

    def stats(self) -> dict[str, Any]:
        return {t: f.stats for t, f in self.by_topic.items()}

    def live(self, topics: list[str] | None = None) -> bool:
        return all(self.by_topic[t].state == "live" for t in (topics or self.by_topic))

    def not_live(self) -> str:
        return ", ".join(f"{t}: {f.state} ({f.state_reason})" for t, f in self.by_topic.items() if f.state != "live")

    async def ready(self, timeout: float) -> None:
        await asyncio.gather(*(f.ready(timeout) for f in self.by_topic.values()))

    def close(self) -> None:
        for feed in self.by_topic.values():
            feed.close()
