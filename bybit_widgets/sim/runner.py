"""Run the simulated exchange in-process: uvicorn on a background thread, an ephemeral port.

``run()`` returns a started :class:`SimServer`; use it as a context manager
(``with bw.sim.run(seed=1) as sim:``) or keep it and call ``stop()`` (in a
notebook). The server owns its own event loop on its own thread, so it works
the same under a script, pytest or ipykernel (whose loop is busy with cells).
Fault, market and truth methods marshal onto that loop and wait for the
answer, because the engine is single-threaded by contract.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
import socket
import string
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from .app import create_app
from .clock import SimClock
from .config import SimConfig
from .core import SimCore
from .engine.exchange import Exchange
from .engine.market import Market

__all__ = ["SimServer", "run", "generate_keys"]

T = TypeVar("T")
_ALNUM = string.ascii_letters + string.digits
_START_TIMEOUT_S = 30.0
_CALL_TIMEOUT_S = 30.0


def generate_keys() -> tuple[str, str]:
    """A demo key pair shaped like Bybit's (18 and 36 alphanumerics)."""
    return ("".join(secrets.choice(_ALNUM) for _ in range(18)), "".join(secrets.choice(_ALNUM) for _ in range(36)))


def _ws_impl() -> str:
    """uvicorn's sans-I/O websockets protocol (uvicorn >= 0.35) costs less per frame; older ones lack it."""
    from uvicorn.config import WS_PROTOCOLS

    return "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "websockets"


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class _Server(uvicorn.Server):
    """uvicorn's server that reports the end of its startup to the starting thread."""

    def __init__(self, config: uvicorn.Config, started: threading.Event) -> None:
        super().__init__(config)
        self._started_event = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._started_event.set()


class SimServer:
    """A simulated Bybit v5 exchange serving on ``host:port`` (``port=0``: an ephemeral port).

    ``api_key``/``api_secret`` (default: a generated pair) become an account on
    the exchange; more can be added with :meth:`add_account`. ``replay`` names
    history to serve instead of the generated market: Bybit's public trade and
    order-book dumps and the project's Parquet recordings (one path or a list;
    played, paused, stepped, sought and sped up 0.1-100x with :meth:`replay_control`,
    ``paused`` starting it paused). Server knobs (``ip_limit``, ``idle_timeout_s``,
    ...) are those of :class:`SimConfig`.
    """

    def __init__(
        self,
        seed: int = 1,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        symbols: list[Any] | None = None,
        start_balance: str = "100000",
        paused: bool = False,
        replay: str | Path | Sequence[str | Path] | None = None,
        speed: float = 1.0,
        log_level: str = "warning",
        **config: Any,
    ) -> None:
        if (api_key is None) != (api_secret is None):
            raise ValueError("give both api_key and api_secret, or neither (a demo pair is generated)")
        if api_key is None or api_secret is None:
            api_key, api_secret = generate_keys()
        self.api_key = api_key
        self.api_secret = api_secret
        self.seed = seed
        self.host = host
        self._requested_port = port
        self._symbols = symbols
        self._start_balance = start_balance
        self._paused = paused
        self._replay = replay
        self._speed = speed
        self._log_level = log_level
        self._config = SimConfig(seed=seed, **config)
        self.port = 0
        self.core: SimCore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: _Server | None = None
        self._error: BaseException | None = None

    # -- URLs --------------------------------------------------------------------------------------
    @property
    def rest_url(self) -> str:
        return f"http://{self._url_host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket host root: ``/v5/public/{category}``, ``/v5/private``, ``/v5/trade`` hang off it."""
        return f"ws://{self._url_host}:{self.port}"

    @property
    def ws_public_linear(self) -> str:
        return f"{self.ws_url}/v5/public/linear"

    @property
    def ws_public_spot(self) -> str:
        return f"{self.ws_url}/v5/public/spot"

    @property
    def ws_private(self) -> str:
        return f"{self.ws_url}/v5/private"

    @property
    def ws_trade(self) -> str:
        return f"{self.ws_url}/v5/trade"

    @property
    def _url_host(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.core is not None

    def describe(self) -> dict[str, Any]:
        """What the CLI prints: URLs and the demo keys."""
        return {
            "rest": self.rest_url,
            "ws": self.ws_url,
            "ws_public": f"{self.ws_url}/v5/public",
            "ws_public_linear": self.ws_public_linear,
            "ws_public_spot": self.ws_public_spot,
            "ws_private": self.ws_private,
            "ws_trade": self.ws_trade,
            "api_key": self.api_key,
            "api_secret": self.api_secret,
        }

    def __repr__(self) -> str:
        state = f"{self.rest_url}" if self.running else "stopped"
        return f"SimServer(seed={self.seed}, {state}, api_key={self.api_key!r}, api_secret='***')"

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> SimServer:
        """Bind, start the server thread and wait until it serves. Idempotent."""
        if self._thread is not None:
            return self
        clock = SimClock()
        tape = _tape(self._replay, self._speed, self._paused)
        try:
            exchange = Exchange(
                self.seed,
                symbols=tape.specs if tape else self._symbols,
                start_balance=self._start_balance,
                clock=tape.now_ms if tape else clock.now_ms,
                make_market=tape.make_market if tape else Market,
            )
            exchange.ensure_account(self.api_key, self.api_secret)
            paused = self._paused and tape is None  # a tape starts paused on its own clock
            app = create_app(exchange, config=self._config, clock=clock, replay=tape, paused=paused)
        except BaseException:
            if tape is not None:
                tape.close()
            raise
        self.core = app.state.core
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level=self._log_level,
            log_config=None,
            access_log=False,
            ws=_ws_impl(),
            ws_max_size=1 << 20,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        started = threading.Event()
        self._server = _Server(config, started)
        self._loop = _new_loop()
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"bybit-sim-{self.port}", daemon=True)
        self._thread.start()
        while not started.wait(0.05):
            if not self._thread.is_alive():
                break
        if not started.is_set():
            self._thread.join(5)
            error = self._error
            self._thread = None
            raise RuntimeError(f"the simulated exchange failed to start: {error!r}") from error
        return self

    def _serve(self, sock: socket.socket) -> None:
        loop = self._loop
        assert loop is not None and self._server is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to start() or stop(), never lost
            self._error = exc
        finally:
            sock.close()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection and stop the server thread. Idempotent."""
        thread, server, loop, core = self._thread, self._server, self._loop, self.core
        if thread is None or server is None or loop is None or core is None:
            return
        if thread.is_alive():
            try:
                loop.call_soon_threadsafe(core.begin_shutdown)
                loop.call_soon_threadsafe(setattr, server, "should_exit", True)
            except RuntimeError:  # loop already closed
                pass
            thread.join(timeout)
        self._thread = None
        if thread.is_alive():
            raise RuntimeError(f"the simulated exchange on port {self.port} did not stop within {timeout} s")
        if self._error is not None and not isinstance(self._error, (SystemExit, KeyboardInterrupt)):
            raise RuntimeError(f"the simulated exchange stopped with an error: {self._error!r}") from self._error

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- operations on the server loop -------------------------------------------------------------
    def _call(self, method: Callable[..., T], *args: Any) -> T:
        """Run ``method(core, *args)`` on the server loop and return its result (exceptions re-raised)."""
        core, loop = self.core, self._loop
        if not self.running or core is None or loop is None:
            raise RuntimeError("the simulated exchange is not running: call start() first")
        if threading.current_thread() is self._thread:
            return method(core, *args)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            try:
                future.set_result(method(core, *args))
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(call)
        return future.result(_CALL_TIMEOUT_S)

    def fault(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Inject a fault, e.g. ``fault("gap", topic="orderbook.50.BTCUSDT")`` (fields as ``/sim/faults``)."""
        return self._call(SimCore.apply_fault, {"kind": kind, **fields})

    def clear_faults(self) -> None:
        """Remove pending faults and any clock skew."""
        self._call(SimCore.clear_faults)

    def pause(self) -> None:
        """Stop the generated market (user orders still match)."""
        self._call(SimCore.set_paused, True)

    def resume(self) -> None:
        self._call(SimCore.set_paused, False)

    def status(self) -> dict[str, Any]:
        return self._call(SimCore.status)

    def add_account(
        self, api_key: str, api_secret: str, balance: str | None = None, fee_rates: dict | None = None
    ) -> None:
        """A new account (USDT ``balance``); ``fee_rates``: its fee tier, ``{"linear": {"maker": "0.0001", ...}}``."""
        self._call(SimCore.add_account, api_key, api_secret, balance, fee_rates)

    def settle_funding(self, symbol: str = "BTCUSDT") -> dict[str, Any]:
        """Pay funding now on every open position in ``symbol`` at the rate its tickers show."""
        return self._call(SimCore.settle_funding, {"symbol": symbol})

    def truth_book(self, symbol: str = "BTCUSDT", depth: int = 50, category: str = "linear") -> dict[str, Any]:
        """The book a caught-up client of ``orderbook.{depth}.{symbol}`` holds, with its ``u``."""
        return self._call(SimCore.truth_book, category, symbol, depth)

    def truth_orders(self, api_key: str | None = None) -> list[dict]:
        return self._call(SimCore.truth_orders, api_key or self.api_key)

    def truth_positions(self, api_key: str | None = None) -> list[dict]:
        return self._call(SimCore.truth_positions, api_key or self.api_key)

    def truth_wallet(self, api_key: str | None = None) -> dict:
        return self._call(SimCore.truth_wallet, api_key or self.api_key)

    def replay_control(self, action: str, to_ms: int | None = None, speed: float | None = None) -> dict[str, Any]:
        """``play``, ``pause``, ``step`` (one event), ``seek`` (to ``to_ms``) or ``speed``; returns the state.

        ``speed`` (0.1 to 100) may come with any action. ``ValueError`` in plain words for a bad call.
        """
        body: dict[str, Any] = {"action": action}
        if to_ms is not None:
            body["to_ms"] = to_ms
        if speed is not None:
            body["speed"] = speed
        return self._call(SimCore.replay_control, body)

    def replay_status(self) -> dict[str, Any]:
        """``{"state": "playing" | "paused" | "ended", "position_ms", "start_ms", "end_ms", "speed", ...}``."""
        return self._call(SimCore.replay_status)


def _tape(replay: Any, speed: float, paused: bool) -> Any:
    """The tape ``replay`` names (Bybit's files, Parquet recordings, or both), or ``None``."""
    if replay is None:
        return None
    from .tape import TapeReplay

    return TapeReplay([replay] if isinstance(replay, str | Path) else list(replay), speed=speed, paused=paused)


def run(
    seed: int = 1,
    api_key: str | None = None,
    api_secret: str | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
    **kwargs: Any,
) -> SimServer:
    """Start a simulated exchange and return it (a context manager; ``stop()`` ends it).

    ``kwargs``: ``symbols``, ``start_balance``, ``paused``, ``replay``, ``speed``,
    ``log_level`` and the :class:`SimConfig` knobs (``ip_limit``, ``ip_window_ms``,
    ``idle_timeout_s``, ``idle_check_s``, ``max_catchup_ticks``, ``max_queue``).
    """
    return SimServer(seed, api_key=api_key, api_secret=api_secret, host=host, port=port, **kwargs).start()
