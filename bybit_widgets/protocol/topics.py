"""Builders and parsers of Bybit v5 WebSocket topic names.

Users arriving from older tutorials type pre-v5 names (``orderBookL2_25.X``,
``candle.1.X``, ``trade.X``). Those never reach the wire: :func:`parse_topic`
raises a :class:`TopicError` that names the v5 topic to use instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .codec import encode
from .errors import ParameterError

__all__ = [
    "Topic",
    "TopicError",
    "parse_topic",
    "orderbook_topic",
    "ticker_topic",
    "kline_topic",
    "trade_topic",
    "ORDERBOOK_DEPTHS",
    "ORDERBOOK_PUSH_MS",
    "KLINE_INTERVALS",
    "PRIVATE_TOPICS",
    "CATEGORIES",
    "SUBSCRIBE_MAX_ARGS_CHARS",
    "SPOT_SUBSCRIBE_MAX_ARGS",
    "subscribe_max_args",
    "subscribe_args_refusal",
    "subscribe_batches",
]

CATEGORIES = ("spot", "linear", "inverse", "option")
ORDERBOOK_DEPTHS: dict[str, tuple[int, ...]] = {
    "spot": (1, 50, 200, 1000),
    "linear": (1, 50, 200, 1000),
    "inverse": (1, 50, 200, 1000),
    "option": (25, 100),
}
# Push interval in ms by depth (reference 6.3).
ORDERBOOK_PUSH_MS: dict[int, int] = {1: 10, 25: 20, 50: 20, 100: 100, 200: 100, 1000: 200}
KLINE_INTERVALS = ("1", "3", "5", "15", "30", "60", "120", "240", "360", "720", "D", "W", "M")
PRIVATE_TOPICS = ("order", "execution", "execution.fast", "position", "wallet", "greeks", "dcp")
_PRIVATE_CATEGORISED = {"order", "execution", "execution.fast", "position"}
# Bybit's limits on one subscribe request (reference 6.1): the args array's JSON text, and spot's topic count.
SUBSCRIBE_MAX_ARGS_CHARS = 21_000
SPOT_SUBSCRIBE_MAX_ARGS = 10
PUBLIC_KINDS = ("orderbook", "tickers", "kline", "publicTrade", "allLiquidation")

_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9\-_]{1,40}$")


class TopicError(ParameterError):
    """A topic name that is not a valid Bybit v5 topic (with the fix, when known)."""

    default_hint = "Use a v5 topic such as orderbook.50.BTCUSDT, tickers.BTCUSDT, kline.1.BTCUSDT, publicTrade.BTCUSDT."


@dataclass(frozen=True)
class Topic:
    """A parsed topic. ``name`` is the exact wire string."""

    name: str
    kind: (
        str  # orderbook | tickers | kline | publicTrade | allLiquidation | order | execution | position | wallet | ...
    )
    symbol: str | None = None
    depth: int | None = None
    interval: str | None = None
    category: str | None = None  # for categorised private topics (order.linear)

    @property
    def is_private(self) -> bool:
        return self.kind in PRIVATE_TOPICS


def orderbook_topic(symbol: str, depth: int = 50, category: str = "linear") -> str:
    symbol = _check_symbol(symbol)
    allowed = ORDERBOOK_DEPTHS.get(category, ORDERBOOK_DEPTHS["linear"])
    if depth not in allowed:
        raise TopicError(
            f"order book depth {depth} is not offered for {category}; use one of {', '.join(map(str, allowed))}",
            param="depth",
        )
    return f"orderbook.{depth}.{symbol}"


def ticker_topic(symbol: str) -> str:
    return f"tickers.{_check_symbol(symbol)}"


def kline_topic(symbol: str, interval: str | int = "1") -> str:
    interval = str(interval)
    if interval not in KLINE_INTERVALS:
        raise TopicError(
            f"kline interval {interval!r} is not valid; use one of {', '.join(KLINE_INTERVALS)}", param="interval"
        )
    return f"kline.{interval}.{_check_symbol(symbol)}"


def trade_topic(symbol: str) -> str:
    return f"publicTrade.{_check_symbol(symbol)}"


def _check_symbol(symbol: str) -> str:
    if not isinstance(symbol, str) or not _SYMBOL.match(symbol.upper()):
        raise TopicError(f"invalid symbol {symbol!r}: expected an upper-case name like BTCUSDT", param="symbol")
    if symbol != symbol.upper():
        raise TopicError(f"symbols are upper case on Bybit: use {symbol.upper()!r}, not {symbol!r}", param="symbol")
    return symbol


def subscribe_max_args(category: str | None) -> int | None:
    """Topics allowed in one subscribe request: spot takes ten, the others are bounded by size only."""
    return SPOT_SUBSCRIBE_MAX_ARGS if category == "spot" else None


def subscribe_args_refusal(category: str | None, args: Sequence[str]) -> str | None:
    """Why Bybit refuses one subscribe request's ``args`` by its limits (the ``ret_msg``), or ``None``.

    Decision: the size is the length of the args array as compact JSON (``["a","b"]``), the
    form every client here sends; it is checked first, then spot's topic count.
    """
    size = len(encode(list(args)))
    if size > SUBSCRIBE_MAX_ARGS_CHARS:
        return f"error:args too long ({size} > {SUBSCRIBE_MAX_ARGS_CHARS} characters)"
    max_args = subscribe_max_args(category)
    if max_args is not None and len(args) > max_args:
        return f"error:args size >{max_args} ({category} takes at most {max_args} topics per request)"
    return None


def subscribe_batches(category: str | None, topics: Sequence[str]) -> list[list[str]]:
    """Split ``topics`` in order into the fewest subscribe requests :func:`subscribe_args_refusal` accepts.

    A topic too long to go alone still gets a request of its own: the server's refusal names it.
    """
    max_args = subscribe_max_args(category)
    out: list[list[str]] = []
    batch: list[str] = []
    size = 2  # the brackets
    for topic in topics:
        cost = len(encode(topic)) + (1 if batch else 0)  # the quoted topic, and a comma after the first
        if batch and ((max_args is not None and len(batch) >= max_args) or size + cost > SUBSCRIBE_MAX_ARGS_CHARS):
            out.append(batch)
            batch, size, cost = [], 2, cost - 1
        batch.append(topic)
        size += cost
    if batch:
        out.append(batch)
    return out


# Pre-v5 topic names and their v5 equivalents.
_LEGACY: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^orderBookL2_25\.(?P<s>.+)$"), "orderbook.50.{s}"),
    (re.compile(r"^orderBookL2_200\.(?P<s>.+)$"), "orderbook.200.{s}"),
    (re.compile(r"^orderBook_200\.100ms\.(?P<s>.+)$"), "orderbook.200.{s}"),
    (re.compile(r"^orderBook(?:L2)?_?\d*\.(?P<s>.+)$"), "orderbook.50.{s}"),
    (re.compile(r"^candle\.(?P<i>[^.]+)\.(?P<s>.+)$"), "kline.{i}.{s}"),
    (re.compile(r"^klineV2\.(?P<i>[^.]+)\.(?P<s>.+)$"), "kline.{i}.{s}"),
    (re.compile(r"^trade\.(?P<s>.+)$"), "publicTrade.{s}"),
    (re.compile(r"^instrument_info\.100ms\.(?P<s>.+)$"), "tickers.{s}"),
    (re.compile(r"^instrument_info\.(?P<s>.+)$"), "tickers.{s}"),
    (re.compile(r"^liquidation\.(?P<s>.+)$"), "allLiquidation.{s}"),
    (re.compile(r"^stop_order$"), "order"),
]


def legacy_replacement(name: str) -> str | None:
    """The v5 topic for a pre-v5 name, or ``None`` if the name is not legacy."""
    for pattern, template in _LEGACY:
        m = pattern.match(name)
        if m:
            return template.format(**m.groupdict())
    return None


def parse_topic(name: str, category: str | None = None) -> Topic:
    """Parse and validate a v5 topic name; ``category`` checks depth per market."""
    if not isinstance(name, str) or not name:
        raise TopicError(f"a topic must be a non-empty string, got {name!r}", param="topic")
    head, _, rest = name.partition(".")
    if head in PRIVATE_TOPICS or name in PRIVATE_TOPICS:
        if name in PRIVATE_TOPICS:
            return Topic(name, name)
        base, _, cat = name.rpartition(".")
        if base in _PRIVATE_CATEGORISED and cat in CATEGORIES:
            return Topic(name, base, category=cat)
    parts = name.split(".")
    kind = parts[0]
    try:
        if kind == "orderbook" and len(parts) == 3 and parts[1].isdigit():
            depth = int(parts[1])
            orderbook_topic(parts[2], depth, category or "linear")
            return Topic(name, kind, symbol=parts[2], depth=depth)
        if kind == "kline" and len(parts) == 3:
            kline_topic(parts[2], parts[1])
            return Topic(name, kind, symbol=parts[2], interval=parts[1])
        if kind in ("tickers", "publicTrade", "allLiquidation") and len(parts) == 2:
            _check_symbol(parts[1])
            return Topic(name, kind, symbol=parts[1])
    except TopicError as exc:
        raise TopicError(f"invalid topic {name!r}: {exc.ret_msg}", param="topic") from None
    replacement = legacy_replacement(name)
    if replacement is not None:
        raise TopicError(
            f"{name!r} is a pre-v5 topic name that Bybit v5 no longer serves; use {replacement!r}",
            param="topic",
            hint=f"Subscribe to {replacement!r} instead (v5 topics: orderbook.{{1,50,200,1000}}.SYMBOL, "
            "kline.INTERVAL.SYMBOL, publicTrade.SYMBOL, tickers.SYMBOL).",
        )
    raise TopicError(f"unknown topic {name!r}", param="topic")
