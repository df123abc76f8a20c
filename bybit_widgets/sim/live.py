"""The live stream source: public topics served from the simulated exchange engine."""

from __future__ import annotations

from typing import Any

from ..protocol.topics import Topic, TopicError, legacy_replacement, parse_topic
from .hub import TopicRefused
from .streams import BookStream, KlineStream, QuietStream, TickerStream, TopicStream, TradeStream

__all__ = ["LiveSource", "refuse"]


def refuse(name: str, why: str = "") -> TopicRefused:
    """Bybit's ``handler not found`` refusal, naming the v5 topic when ``name`` is a pre-v5 one."""
    message = f"handler not found,topic:{name}"
    replacement = legacy_replacement(name) if isinstance(name, str) else None
    if replacement is not None:
        message += f" (pre-v5 topic name; the v5 topic is {replacement})"
    elif why:
        message += f" ({why})"
    return TopicRefused(message)


class LiveSource:
    """Validates topics against the engine's instruments and builds their streams."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange

    def check(self, category: str, name: str) -> Topic:
        try:
            topic = parse_topic(name, category)
        except TopicError as exc:
            raise refuse(name, exc.ret_msg) from None
        if topic.is_private or topic.symbol is None:
            raise refuse(name, "a private topic: subscribe on /v5/private")
        if not self.exchange.has_symbol(category, topic.symbol):
            raise refuse(name, f"no {category} symbol {topic.symbol} on this exchange")
        if topic.kind == "allLiquidation" and category == "spot":
            raise refuse(name, "allLiquidation exists for derivatives only")
        return topic

    def make_stream(self, category: str, topic: Topic, u_start: int) -> TopicStream:
        ex = self.exchange
        if topic.kind == "orderbook":
            return BookStream(ex, category, topic, u_start)
        if topic.kind == "tickers":
            return TickerStream(ex, category, topic)
        if topic.kind == "kline":
            return KlineStream(ex, category, topic)
        if topic.kind == "publicTrade":
            return TradeStream(ex, category, topic)
        return QuietStream(category, topic)

    def truth_book(self, category: str, symbol: str, depth: int) -> dict[str, Any]:
        """The current book of an unstreamed topic (no push, hence no ``u``)."""
        if not self.exchange.has_symbol(category, symbol):
            raise ValueError(f"no {category} symbol {symbol!r} on this exchange")
        bids, asks = self.exchange.book_levels(category, symbol, depth)
        return {"u": None, "seq": None, "b": bids, "a": asks}
