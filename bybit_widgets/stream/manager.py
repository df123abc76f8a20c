"""The stream manager: feeds for any number of topics over the fewest connections.

``StreamManager`` maps each topic to its connection (one per public
category in use, one private), shares one subscription among all consumers
of a topic, and unsubscribes a topic when its last feed closes. The feed
methods are plain sync calls that return at once: the subscription happens
in the background on the stream loop, and the feed shows its progress in
``state``. ``await feed.ready()`` waits for live data and raises the
server's refusal or an auth failure.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import functools
import os
import random
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from ..protocol.environments import guard_trading, resolve_environment
from ..protocol.errors import WS_TRADE_OPS, AuthError, ParameterError
from ..protocol.records import BatchResult
from ..protocol.signing import Credentials
from ..protocol.topics import (
    CATEGORIES,
    kline_topic,
    orderbook_topic,
    parse_topic,
    ticker_topic,
    trade_topic,
)
from .account import AccountFeed, AccountSource
from .backfill import Backfill, HistorySource, backfill_limit, fetcher_for
from .connection import Connection
from .feed import Feed, Subscription
from .ledger import LedgerFeed
from .loop import LoopHost
from .options import StreamOptions
from .state import reducer_for
from .states import ConnState

__all__ = ["StreamManager"]

_PRIVATE_KINDS = ("order", "execution", "position", "wallet")
TRADE_OPS = WS_TRADE_OPS


class StreamManager:
    """Live Bybit v5 streams on the kernel's event loop (or a background loop in scripts).

    ``env`` picks Bybit's URLs (``"testnet"``, ``"mainnet"``, ``"demo"``);
    ``base_ws_url`` points at any v5-speaking host instead (its root:
    ``/v5/public/{category}``, ``/v5/private``, ``/v5/trade`` are appended),
    e.g. the embedded simulator. ``api_key``/``api_secret`` enable the
    private feeds. ``time_source()`` returns the server-corrected time in ms
    (the REST client's clock); private auth uses ``expires = now + window``.

    Timing and size knobs are a :class:`StreamOptions` (``options=``), or any of
    its fields by name (``ping_interval=5``, ``watchdog=None``, ...), which
    replace those of ``options``: ``ping_interval`` (Bybit: 20),
    ``pong_timeout``, ``watchdog`` (a live book or ticker silent this long is
    probed, and resubscribed or reconnected; ``None`` disables), ``backoff``,
    ``open_timeout``, ``auth_timeout``, ``subscribe_timeout``, ``linger``,
    ``max_message_bytes``, ``auth_window_ms``. ``seed`` makes the backoff
    jitter repeatable.
    On mainnet, :meth:`trade_request` needs ``allow_mainnet_trading=True``
    (as the REST client does); ``bw.connect`` passes its own opt-in on.
    ``rest`` is an async REST client (``bw.AsyncClient``; any object with its
    methods) used for the REST halves of the streams: ``backfill=`` of
    :meth:`kline` and :meth:`trades`, and the seed of :meth:`account`.
    ``bw.connect`` passes its own; without one, feeds are stream-only.
    """

    def __init__(
        self,
        env: str | None = None,
        *,
        base_ws_url: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        time_source: Callable[[], float] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        options: StreamOptions | None = None,
        seed: int | None = None,
        allow_mainnet_trading: bool = False,
        rest: HistorySource | AccountSource | None = None,
        **knobs: Any,
    ) -> None:
        self.env, self._public_root, self._private_url, self._trade_url = _resolve_urls(env, base_ws_url)
        if (api_key is None) != (api_secret is None):
            raise ParameterError("pass both api_key and api_secret (or neither for public feeds only)")
        self._credentials = Credentials(api_key, api_secret) if api_key is not None else None  # type: ignore[arg-type]
        self._time_source = time_source or (lambda: time.time() * 1000.0)
        self.options = _options(options, knobs)
        self._rng = random.Random(seed)
        self.allow_mainnet_trading = allow_mainnet_trading
        self._host = LoopHost(loop)
        self._lock = threading.RLock()  # guards the two registries below, from any thread
        self._connections: dict[str, Connection] = {}
        self._subs: dict[tuple[str, str], Subscription] = {}
        self._closing_tasks: set[asyncio.Task] = set()
        self._closed = False
        self._atexit: Callable[[], None] | None = None
        self._rest = rest
        self._account: AccountFeed | None = None

    # -- feeds ---------------------------------------------------------------

    def order_book(self, symbol: str, depth: int = 50, category: str = "linear") -> Feed:
        """A sequence-checked book; ``latest`` is a :class:`~bybit_widgets.stream.BookView` or ``None``."""
        return self._feed(orderbook_topic(symbol, depth, _category(category)), category)

    def ticker(self, symbol: str, category: str = "linear") -> Feed:
        """``latest`` is a :class:`~bybit_widgets.protocol.records.Ticker` (linear deltas merged)."""
        return self._feed(ticker_topic(symbol), _category(category))

    def trades(self, symbol: str, category: str = "linear", maxlen: int = 200, *, backfill: int = 0) -> Feed:
        """``latest`` is a list of the newest ``maxlen`` :class:`PublicTrade`, oldest first.

        ``backfill=N`` also loads the ``N`` most recent trades over REST (``/v5/market/recent-trade``)
        once the feed is live, and again after a reconnect; each trade appears once (see :mod:`.backfill`).
        """
        feed = self._feed(trade_topic(symbol), _category(category), maxlen=_positive(maxlen, "maxlen"))
        return self._backfill(feed, backfill_limit(backfill, self._rest is not None))

    def kline(
        self, symbol: str, interval: str | int = "1", category: str = "linear", maxlen: int = 1000, *, backfill: int = 0
    ) -> Feed:
        """``latest`` is a list of :class:`Kline` ascending by start, the forming candle last.

        ``backfill=N`` also loads the ``N`` latest candles over REST (``/v5/market/kline``) once the feed
        is live, and again after a reconnect; one candle per start, the streamed one winning.
        """
        limit = backfill_limit(backfill, self._rest is not None)
        feed = self._feed(kline_topic(symbol, interval), _category(category), maxlen=_positive(maxlen, "maxlen"))
        return self._backfill(feed, limit)

    def _backfill(self, feed: Feed, limit: int) -> Feed:
        """Ask for ``limit`` records of history on ``feed``'s subscription (none: the feed as it is)."""
        if limit:
            self._host.call(self._want_history, feed._sub, limit)
        return feed

    def _want_history(self, sub: Subscription, limit: int) -> None:
        """On the loop: give ``sub`` its backfill (first asker) and ask it for ``limit`` records."""
        if sub.backfill is None:
            fetch = fetcher_for(sub.topic, sub.category or "linear", self._rest)  # type: ignore[arg-type]
            sub.backfill = Backfill(fetch)
        sub.backfill.want(sub, limit)

    def account(self) -> AccountFeed:
        """The API key's open orders, positions, wallet and executions: REST seed plus private streams.

        One per manager, shared; see :class:`~bybit_widgets.stream.account.AccountFeed`.
        """
        with self._lock:
            if self._account is None:
                self._account = AccountFeed(
                    self, self._rest if self._credentials is not None else None, available=self._credentials is not None
                )
            return self._account

    def ledger(self, since_ms: int) -> LedgerFeed:
        """Realised PnL, fees and funding of the API key since ``since_ms``, from the transaction log.

        A new one per call (each user picks its own start); see :class:`~bybit_widgets.stream.ledger.LedgerFeed`.
        """
        rest = self._rest if self._credentials is not None else None
        return LedgerFeed(self.loop, self.account(), rest, since_ms=since_ms)  # type: ignore[arg-type]

    def orders(self) -> Feed:
        """``latest`` is a dict orderId -> :class:`Order` (newest state of each order)."""
        return self._feed("order", None)

    def executions(self, maxlen: int = 500) -> Feed:
        """``latest`` is a list of :class:`Execution`, oldest first."""
        return self._feed("execution", None, maxlen=_positive(maxlen, "maxlen"))

    def positions(self) -> Feed:
        """``latest`` is a dict symbol -> :class:`Position`."""
        return self._feed("position", None)

    def wallet(self) -> Feed:
        """``latest`` is a :class:`Wallet` (after the first change: Bybit sends no snapshot)."""
        return self._feed("wallet", None)

    def subscribe(self, topic: str, category: str = "linear", *, maxlen: int | None = None) -> Feed:
        """A feed for any v5 topic name; a pre-v5 name raises an error that names the v5 topic."""
        parsed = parse_topic(topic, _category(category))
        if parsed.kind not in ("orderbook", "tickers", "publicTrade", "kline", *_PRIVATE_KINDS):
            raise ParameterError(f"topic {topic!r} is valid on Bybit but has no feed here yet", param="topic")
        if parsed.category is not None:
            raise ParameterError(
                f"use the all-in-one private topic {parsed.kind!r} (it carries every category), not {topic!r}",
                param="topic",
            )
        return self._feed(parsed.name, None if parsed.is_private else category, maxlen=maxlen)

    def _feed(self, topic_name: str, category: str | None, *, maxlen: int | None = None) -> Feed:
        if self._closed:
            raise RuntimeError("this StreamManager is closed; create a new one")
        topic = parse_topic(topic_name, category)
        if topic.is_private:
            if self._credentials is None:
                raise AuthError(
                    f"the {topic.kind!r} feed is private and needs api_key and api_secret",
                    hint="Pass api_key= and api_secret= (bw.connect() does), or use public feeds only.",
                )
            conn_key, category = "private", None
        else:
            conn_key = f"public/{category}"
        host = self._host
        self._bind_loop()
        with self._lock:
            conn = self._connections.get(conn_key)
            if conn is None:
                conn = self._new_connection(conn_key, category)
            key = (conn_key, topic.name)
            sub = self._subs.get(key)
            created = sub is None
            if sub is None:
                sub = Subscription(
                    topic,
                    category,
                    reducer_for(topic.kind, symbol=topic.symbol, maxlen=maxlen),
                    _Owner(self, conn),
                    host,
                )
                self._subs[key] = sub
                conn.reserved += 1
            elif maxlen is not None:
                sub.keep_at_least(maxlen)
            feed = Feed(sub, maxlen=maxlen)
            sub.add_feed(feed)
        if created:
            host.call(conn.add, sub)
        return feed

    def _bind_loop(self) -> None:
        """Bind the loop now: the running one in a notebook, else a background thread's."""
        host = self._host
        with self._lock:
            if not host.bound:
                host.bind()
                if host.owns_thread:  # close our thread's sockets cleanly if the script just ends
                    self._atexit = functools.partial(_close_at_exit, weakref.ref(self))
                    atexit.register(self._atexit)

    def _new_connection(self, key: str, category: str | None) -> Connection:
        if key == "private":
            url, creds = self._private_url, self._credentials
        elif key == "trade":
            url, creds = self._trade_url, self._credentials
        else:
            url, creds = f"{self._public_root}/v5/public/{category}", None
        conn = Connection(
            name=key,
            url=url,
            category=category,
            options=self.options,
            credentials=creds,
            clock_ms=self._time_source,
            on_idle=self._drop_connection,
            rng=self._rng,
        )
        self._connections[key] = conn
        return conn

    def _drop_connection(self, conn: Connection) -> None:
        """An idle connection lingered long enough: forget and close it (on the loop)."""
        with self._lock:
            if self._connections.get(conn.name) is not conn or conn.subs or conn.reserved:
                return
            del self._connections[conn.name]
        task = asyncio.get_running_loop().create_task(conn.close())
        self._closing_tasks.add(task)
        task.add_done_callback(self._closing_tasks.discard)

    def _released(self, conn: Connection, sub: Subscription) -> None:
        with self._lock:
            key = (conn.name, sub.name)
            if self._subs.get(key) is sub and not sub.feeds:
                del self._subs[key]
                conn.release(sub)

    def _forget(self, conn: Connection, sub: Subscription) -> None:
        """A refused topic leaves the registry, so that asking again asks the server again."""
        with self._lock:
            key = (conn.name, sub.name)
            if self._subs.get(key) is sub:
                del self._subs[key]

    # -- WebSocket trading -----------------------------------------------------

    async def trade_request(
        self, op: str, params: dict, *, timeout: float = 10.0, recv_window: int = 5000
    ) -> dict | BatchResult:
        """Send an order request over Bybit's WebSocket trade stream (``/v5/trade``).

        ``op`` is one of ``order.create``, ``order.amend``, ``order.cancel`` (params as the REST
        body, e.g. ``{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", ...}``): returns the
        reply's ``data`` (``orderId``, ``orderLinkId``). A non-zero ``retCode`` raises the matching
        ``BybitError``; a request left unanswered raises ``TransportError`` and is never resent (the
        order may exist: look it up by orderLinkId). Order state then arrives on :meth:`orders`.

        The ``-batch`` forms (params ``{"category": ..., "request": [order, ...]}``) return a
        :class:`~bybit_widgets.protocol.records.BatchResult`, one item per order in request order.
        Decision: Bybit answers a batch with retCode 0 even when it refused orders, and puts each
        order's own code in ``retExtInfo``; so when any order was refused this raises
        :class:`~bybit_widgets.protocol.errors.BatchOrderError`, which names each refused order
        with its code and reason and carries the whole result (``error.result``, with the ids of
        the orders that were placed; ``error.failed``).
        """
        if op not in TRADE_OPS:
            raise ParameterError(f"op must be one of {', '.join(TRADE_OPS)}, got {op!r}", param="op")
        if not isinstance(params, dict):
            raise ParameterError(f"params must be a dict (the REST body), got {type(params).__name__}", param="params")
        guard_trading(self.env, self.allow_mainnet_trading, op, "stream manager", op)
        if self._credentials is None:
            raise AuthError(
                "WebSocket trading needs api_key and api_secret",
                hint="Pass api_key= and api_secret= (bw.connect() does).",
            )
        if self._trade_url is None:
            raise ParameterError(
                f"the {self.env} environment has no WebSocket trade stream; use the REST client", param="env"
            )
        if self._closed:
            raise RuntimeError("this StreamManager is closed; create a new one")
        self._bind_loop()
        with self._lock:
            conn = self._connections.get("trade") or self._new_connection("trade", None)
        reply = await self._host.run_async(conn.request(op, dict(params), recv_window=recv_window, timeout=timeout))
        if op.endswith("-batch"):
            return BatchResult.from_wire(reply.get("data"), reply.get("retExtInfo"), op).raise_for_failures()
        return reply.get("data")

    # -- introspection -------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the streams run on, bound on first use: the running loop (a notebook's
        kernel loop, an ``asyncio.run`` main) or else a background thread's (scripts)."""
        self._bind_loop()
        return self._host.loop

    @property
    def stats(self) -> dict[str, dict[str, Any]]:
        """Per connection: url, state, topics and counters (frames, bad frames, reconnects, pings...)."""
        with self._lock:
            return {name: conn.describe() for name, conn in self._connections.items()}

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        with self._lock:
            conns = ", ".join(f"{c.name}:{c.state}:{len(c.subs)}" for c in self._connections.values())
        where = self.env or self._public_root
        return f"StreamManager({where!r}, connections=[{conns}], closed={self._closed})"

    # -- closing -------------------------------------------------------------

    async def close(self) -> None:
        """Close every connection and feed; no task or socket is left behind."""
        if self._closed:
            return
        self._closed = True
        if not self._host.bound:
            return
        await self._host.run_async(self._close_on_loop())
        if self._host.owns_thread:
            await asyncio.get_running_loop().run_in_executor(None, self._host.stop)

    def close_sync(self, timeout: float = 10.0) -> None:
        """Close from sync code. In a notebook cell (on the loop) it schedules the close and returns."""
        if self._closed:
            return
        if self._host.bound and self._host.in_loop():
            self._closed = True
            task = self._host.loop.create_task(self._close_on_loop())
            self._closing_tasks.add(task)
            task.add_done_callback(self._closing_tasks.discard)
            return
        self._closed = True
        if not self._host.bound:
            return
        try:
            self._host.run_sync(self._close_on_loop(), timeout)
        finally:
            self._host.stop()

    async def _close_on_loop(self) -> None:
        if self._atexit is not None:
            atexit.unregister(self._atexit)
            self._atexit = None
        with self._lock:
            conns = list(self._connections.values())
            self._connections.clear()
            subs = list(self._subs.values())
            self._subs.clear()
        await asyncio.gather(*(conn.close() for conn in conns), return_exceptions=True)
        await asyncio.gather(*(sub.backfill.aclose() for sub in subs if sub.backfill is not None))
        if self._closing_tasks:
            await asyncio.gather(*tuple(self._closing_tasks), return_exceptions=True)
        for sub in subs:
            if sub.state != ConnState.CLOSED:  # a refused topic keeps its reason
                sub.set_state(ConnState.CLOSED, "the stream manager was closed")

    async def __aenter__(self) -> StreamManager:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __enter__(self) -> StreamManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_sync()


class _Owner:
    """A subscription's link to its connection and to the manager's registry."""

    __slots__ = ("_manager", "_conn")

    def __init__(self, manager: StreamManager, conn: Connection) -> None:
        self._manager = manager
        self._conn = conn

    def resync(self, sub: Subscription, reason: str) -> None:
        self._conn.resync(sub, reason)

    def release(self, sub: Subscription) -> None:
        self._manager._released(self._conn, sub)

    def forget(self, sub: Subscription) -> None:
        self._manager._forget(self._conn, sub)


def _resolve_urls(env: str | None, base_ws_url: str | None) -> tuple[str | None, str, str, str | None]:
    if base_ws_url is not None:
        root = base_ws_url.rstrip("/")
        if not root.startswith(("ws://", "wss://")):
            raise ParameterError(
                f"base_ws_url must start with ws:// or wss://, got {base_ws_url!r}", param="base_ws_url"
            )
        for suffix in ("/v5/private", "/v5/trade", *(f"/v5/public/{c}" for c in CATEGORIES)):
            if root.endswith(suffix):
                raise ParameterError(
                    f"base_ws_url is the host root (e.g. ws://127.0.0.1:8765); drop {suffix!r}", param="base_ws_url"
                )
        return env, root, f"{root}/v5/private", f"{root}/v5/trade"
    name = env or os.environ.get("BYBIT_ENV") or "testnet"
    if name.lower() == "sim":
        raise ParameterError(
            "env='sim' needs the embedded exchange running: use bw.connect('sim'), or pass "
            "base_ws_url=exchange.ws_url from bw.sim.run()",
            param="env",
        )
    environment = resolve_environment(name)
    return environment.name, environment.public_ws_url.rstrip("/"), environment.private_ws_url, environment.trade_ws_url


def _category(category: str) -> str:
    if category not in CATEGORIES:
        raise ParameterError(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}", param="category")
    return category


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}", param=name)
    return value


def _close_at_exit(ref: weakref.ref) -> None:
    manager = ref()
    if manager is not None and manager._host.owns_thread and not manager.closed:
        try:
            manager.close_sync(timeout=2.0)
        except Exception:  # interpreter shutdown: best effort only
            pass


def _options(options: StreamOptions | None, knobs: dict[str, Any]) -> StreamOptions:
    """``options`` (default: Bybit's guidance) with the knobs given by name replaced; unknown names refused."""
    base = options if options is not None else StreamOptions()
    unknown = sorted(set(knobs) - {f.name for f in dataclasses.fields(StreamOptions)})
    if unknown:
        known = ", ".join(f.name for f in dataclasses.fields(StreamOptions))
        raise TypeError(f"unknown stream option(s) {', '.join(unknown)}; StreamOptions has: {known}")
    return dataclasses.replace(base, **knobs)
