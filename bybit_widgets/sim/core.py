"""The server core: one simulated exchange, its clock, limits, faults, hubs and market loop.

Everything here runs on the server's event loop thread: the engine is
single-threaded by contract, and the ASGI handlers, the market loop and the
fault/truth operations (marshalled from other threads by the runner) all
call it from this one thread.

The market loop advances the engine one 10 ms tick at a time and, after each
tick, runs the push schedules. Schedules count *market* ticks while the market
runs, so the frames of a seed are a pure function of the ticks advanced
(a stall replays missed ticks, up to ``max_catchup_ticks``, each followed by
its pushes). While the market is paused the schedules keep counting loop
ticks, so user orders still reach the streams; resuming realigns the count
with the market on a whole second, keeping every schedule's phase.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from dataclasses import replace
from typing import Any

from ..protocol.topics import CATEGORIES, ORDERBOOK_DEPTHS
from .clock import SimClock
from .config import SimConfig
from .connection import CLOSE_GOING_AWAY, Connection
from .engine.exchange import Exchange, SimError
from .faults import FaultBoard, parse_fault
from .hub import PublicHub
from .live import LiveSource
from .ratelimit import IpLimiter, LimitState, UidLimiter
from .reject import Reject
from .streams import TICK_MS, PushContext
from .tasks import spawn
from .ws_private import PrivateHub

UNLIMITED_BUDGET = 1_000_000  # requests per second announced when rate limits are off

__all__ = ["SimCore"]

log = logging.getLogger("bybit_widgets.sim")

_NO_TAPE = "this exchange replays no history: start it with --replay FILE (Bybit's dumps or a Parquet recording)"
_SCHEDULE_LCM = 100  # ticks: every push period divides it (1, 2, 5, 10, 20, 100)


class SimCore:
    """The state of one running simulated exchange (see the module docstring)."""

    def __init__(
        self,
        exchange: Exchange,
        *,
        config: SimConfig | None = None,
        clock: SimClock | None = None,
        replay: Any = None,
        paused: bool = False,
    ) -> None:
        self.exchange = exchange
        self.config = config or SimConfig()
        self.clock = clock or SimClock()
        self.faults = FaultBoard()
        self.uid_limits = UidLimiter()
        self.ip_limits = IpLimiter(self.config.ip_limit, self.config.ip_window_ms, enforce=self.config.rate_limits)
        self.source = LiveSource(exchange)
        self.replay = replay  # a tape: history files moved into the engine's markets (sim.tape)
        self.market_now = getattr(replay, "now_ms", None) or self.clock.now_ms  # tape time when replaying
        self.public = PublicHub(self.source, self.faults, self.config.seed, self.push_context)
        self.private = PrivateHub(self.faults, self.clock.now_ms)
        if hasattr(self.replay, "on_seek"):
            self.replay.on_seek = self.public.resnapshot_books
            self.replay.on_events = exchange.trading.flush  # user fills by history reach their streams
        self.trade: set[Connection] = set()
        self._remove_listener = exchange.add_listener(self.private.on_event)
        self.market_tick = 0
        self.sched_tick = 0
        self._sched_offset = 0
        self.version = 0  # moves on every engine state change: the cross sequence
        self._seq_base = 10_000_000_000 + zlib.crc32(f"seq/{self.config.seed}".encode()) % 1_000_000_000
        self.cts = self.market_now()
        self.paused = False
        exchange.paused = False
        self.set_paused(paused)
        self.stopping = asyncio.Event()
        self.tick_errors = 0
        self.ticks_skipped = 0
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks = [spawn(self._market_loop(), "sim-market"), spawn(self._idle_sweeper(), "sim-idle")]

    def begin_shutdown(self) -> None:
        """Release held requests and close every socket (1001 going away), so the server can stop promptly."""
        self.stopping.set()
        for conn in self.all_connections():
            conn.close(CLOSE_GOING_AWAY, "server shutting down")

    async def stop(self) -> None:
        """:meth:`begin_shutdown`, then stop the market loop and the idle sweeper and leave the engine."""
        self.begin_shutdown()
        self._remove_listener()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        close = getattr(self.replay, "close", None)
        if close is not None:
            close()

    def all_connections(self) -> list[Connection]:
        return [*self.public.connections, *self.private.connections, *self.trade]

    async def _market_loop(self) -> None:
        loop = asyncio.get_running_loop()
        tick_s = TICK_MS / 1000
        next_at = loop.time()
        while True:
            late = loop.time() - next_at
            due = int(late / tick_s) + 1 if late >= 0 else 0
            if due > self.config.max_catchup_ticks:
                self.ticks_skipped += due - self.config.max_catchup_ticks
                next_at += (due - self.config.max_catchup_ticks) * tick_s
                due = self.config.max_catchup_ticks
            for _ in range(due):
                self.step()
            next_at += due * tick_s
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def step(self) -> None:
        """One market tick and the pushes due after it. Errors are logged and counted, never fatal."""
        try:
            if self.replay is not None:
                self.replay.tick()
            self.exchange.advance(1)
            self.cts = self.market_now()
            if self.paused:
                self.sched_tick += 1
            else:
                self.market_tick += 1
                self.version += 1
                self.sched_tick = self.market_tick + self._sched_offset
            self.public.on_tick(self.sched_tick)
        except Exception:
            self.tick_errors += 1
            if self.tick_errors <= 10 or self.tick_errors % 1000 == 0:
                log.exception("sim: market tick failed (%d so far)", self.tick_errors)

    async def _idle_sweeper(self) -> None:
        """Close sockets with neither client messages nor data for their idle limit (Bybit: ~10 min)."""
        interval = min(self.config.idle_check_s, self.config.idle_timeout_s / 4)
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for conn in self.all_connections():
                if not conn.closed and now - conn.last_activity > conn.idle_s:
                    conn.close(1000, "idle: no ping and no data")

    # -- streams -----------------------------------------------------------------------------------
    def push_context(self) -> PushContext:
        return PushContext(self.market_now(), self.cts, self._seq_base + self.version)

    def set_paused(self, paused: bool) -> None:
        """Stop or resume the generated market (user orders keep matching while paused)."""
        if paused == self.paused:
            return
        if not paused:
            gap = self.sched_tick - self.market_tick
            self._sched_offset = -(-gap // _SCHEDULE_LCM) * _SCHEDULE_LCM
        self.paused = paused
        self.exchange.paused = paused
        if self.replay is not None:
            self.replay.set_paused(paused)

    # -- private calls -----------------------------------------------------------------------------
    def hit_limit(self, api_key: str, path: str, params: Any) -> LimitState:
        """Spend one unit of the caller's budget and report it as Bybit's headers do.

        Budgets run on true elapsed time: a ``clock_skew`` fault shifts only
        the times the server reports, so clearing it cannot strand requests
        "in the future" of a window. With rate limits off the account gets a
        budget no client reaches, still announced in the headers the way a
        high VIP level is, so clients that pace themselves from headers learn it.
        """
        skew = self.clock.skew_ms
        if not self.config.rate_limits:
            return LimitState(True, UNLIMITED_BUDGET, UNLIMITED_BUDGET - 1, self.clock.now_ms())
        category = params.get("category") if isinstance(params, dict) else None
        known = category if category in CATEGORIES else None  # never one budget per junk value
        state = self.uid_limits.hit(api_key, path, known, self.clock.now_ms() - skew)
        return replace(state, reset_ms=state.reset_ms + skew)

    def call_private(self, path: str, api_key: str, params: dict) -> Any:
        """Run a signed endpoint on the engine; an engine bug becomes 10016, logged, never silent."""
        try:
            return self.exchange.rest_private(path, api_key, params)
        except (SimError, Reject):
            raise
        except Exception:
            log.exception("sim: engine failed on %s", path)
            raise Reject(10016, "Internal server error.") from None
        finally:
            self.version += 1
            self.cts = self.market_now()

    def call_public(self, path: str, params: dict) -> Any:
        """A public endpoint of the engine (``/v5/market/time``: the server's clock)."""
        if path == "/v5/market/time":  # the server's own clock, which signatures are checked against (also
            now = self.clock.now_ms()  # when a replay's market runs on history's time)
            return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}
        try:
            return self.exchange.rest_public(path, params)
        except (SimError, Reject):
            raise
        except Exception:
            log.exception("sim: engine failed on %s", path)
            raise Reject(10016, "Internal server error.") from None

    # -- faults, accounts, truth -------------------------------------------------------------------
    def apply_fault(self, spec: Any) -> dict[str, Any]:
        """Inject one fault (``/sim/faults`` JSON); ``ValueError`` for a bad description."""
        fault = parse_fault(spec)
        if fault.kind == "drop":
            kinds = ("public", "private", "trade") if fault.target == "all" else (fault.target,)
            dropped = 0
            for conn in self.all_connections():
                if conn.kind in kinds and not conn.closed:
                    conn.close(CLOSE_GOING_AWAY, "sim fault: drop")
                    dropped += 1
            return {**fault.describe(), "dropped": dropped}
        if fault.kind == "clock_skew":
            self.clock.skew_ms = fault.ms
            return fault.describe()
        self.faults.add(fault)
        return fault.describe()

    def clear_faults(self) -> None:
        self.faults.clear()
        self.clock.skew_ms = 0

    def add_account(self, api_key: Any, api_secret: Any, balance: Any = None, fee_rates: Any = None) -> dict[str, Any]:
        if not isinstance(api_key, str) or not api_key or not isinstance(api_secret, str) or not api_secret:
            raise ValueError("api_key and api_secret must be non-empty strings")
        if balance is not None and not isinstance(balance, str):
            raise ValueError(f'balance must be a decimal string such as "5000", got {balance!r}')
        self.exchange.ensure_account(api_key, api_secret, balance=balance, fee_rates=fee_rates)
        return {"api_key": api_key}

    def settle_funding(self, body: Any) -> dict[str, Any]:
        """``POST /sim/funding {"symbol": "BTCUSDT"}``: funding paid now on every position in it."""
        symbol = body.get("symbol") if isinstance(body, dict) else None
        if not isinstance(symbol, str) or set(body) != {"symbol"}:
            raise ValueError('expected {"symbol": "BTCUSDT"}')
        try:
            return self.exchange.settle_funding(symbol)
        except KeyError:
            raise ValueError(f"no linear symbol {symbol!r} on this exchange") from None
        finally:
            self.version += 1

    def replay_control(self, body: Any) -> dict[str, Any]:
        """``POST /sim/replay``: play, pause, step, seek or speed; ``ValueError`` in plain words."""
        control = getattr(self.replay, "control", None)
        if control is None:
            raise ValueError(_NO_TAPE)
        try:
            return control(body)
        finally:
            self.version += 1

    def replay_status(self) -> dict[str, Any]:
        """``GET /sim/replay``: state, position, start, end and speed of the replay."""
        status = getattr(self.replay, "status", None)
        if status is None:
            raise ValueError(_NO_TAPE)
        return status()

    def _known_key(self, api_key: Any) -> str:
        if not isinstance(api_key, str) or self.exchange.secret_for(api_key) is None:
            raise LookupError(f"no account for api_key {api_key!r}")
        return api_key

    def truth_book(self, category: str, symbol: str, depth: int) -> dict[str, Any]:
        """The book a caught-up client of ``orderbook.{depth}.{symbol}`` holds, with its ``u``.

        With the topic streamed: the book as of its last push and that ``u``.
        Unstreamed: the current book and ``u`` null.
        """
        if category not in ("linear", "spot") or depth not in ORDERBOOK_DEPTHS[category]:
            raise ValueError(f"no order book depth {depth!r} for category {category!r}")
        name = f"orderbook.{depth}.{symbol}"
        stream = self.public.stream(category, name)
        if stream is not None:
            return {"category": category, "symbol": symbol, "depth": depth, **stream.truth()}
        truth = self.source.truth_book(category, symbol, depth)
        return {"category": category, "symbol": symbol, "depth": depth, "topic": name, **truth}

    def truth_orders(self, api_key: Any) -> list[dict]:
        return self.exchange.truth_orders(self._known_key(api_key))

    def truth_positions(self, api_key: Any) -> list[dict]:
        return self.exchange.truth_positions(self._known_key(api_key))

    def truth_wallet(self, api_key: Any) -> dict:
        return self.exchange.truth_wallet(self._known_key(api_key))

    def status(self) -> dict[str, Any]:
        return {
            "paused": self.paused,
            "market_tick": self.market_tick,
            "tick_errors": self.tick_errors,
            "ticks_skipped": self.ticks_skipped,
            "frames_sent": self.public.frames_sent,
            "connections": {
                "public": len(self.public.connections),
                "private": len(self.private.connections),
                "trade": len(self.trade),
            },
            "server_time": self.clock.now_ms(),
            "clock_skew_ms": self.clock.skew_ms,
        }
