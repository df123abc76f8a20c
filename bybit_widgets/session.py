"""``bw.connect()``: pick the environment, credentials, client and streams.

The one entry point notebooks use. With no arguments it starts the embedded
exchange in-process (``sim``), so a notebook works offline and without keys;
``bw.connect("testnet")`` and friends point the same objects at Bybit.

The default session (of widgets created without ``session=``) is one per
kernel, never one per process: ``marimo run`` runs every viewer's kernel as a
thread of one process, and a process-wide "latest ``connect()``" handed viewer
A's widgets to viewer B's session (and froze them when B left). ``current()``
returns the first open session of:

1. the caller's context (a ``ContextVar`` that ``connect()`` sets): asyncio
   tasks and ``contextvars.copy_context()`` runs carry it along;
2. the caller's kernel: the latest ``connect()`` of the marimo kernel running
   this thread (its cells run as separate asyncio tasks, and ``mo.Thread``
   carries the kernel along), else of this very thread (kernels that run cells
   in fresh contexts on one thread; threads that connected for themselves);
3. the process: the latest ``connect()`` anywhere, unless marimo runs kernels in
   this process (run mode). A plain process is one kernel: Jupyter, where a
   widget may be made on another thread (a subshell, a user thread), and
   scripts. In marimo's run mode a thread that reaches this step belongs to no
   known viewer, so it is not given anyone's session;
4. else a new ``connect()`` (which becomes the default of this context and
   kernel).

A closed session is never the default: ``Session.close()`` unregisters it, and
one whose streams were closed directly is skipped.
"""

from __future__ import annotations

import contextvars
import os
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any

from .protocol.environments import resolve_environment
from .protocol.records import Instrument
from .protocol.signing import mask_key
from .rest import AsyncClient, Client, ServerClock

__all__ = ["Session", "connect", "current"]

_ENVS = ("sim", "testnet", "demo", "mainnet")
_lock = threading.Lock()  # guards _by_owner, _recent and _shared_process
#: step 1: the default of this context
_default: contextvars.ContextVar[Session | None] = contextvars.ContextVar("bybit_widgets_session", default=None)
#: step 2: the latest session per marimo kernel or thread, dropped with its owner
_by_owner: weakref.WeakKeyDictionary[Any, Session] = weakref.WeakKeyDictionary()
#: step 3: every connect(), oldest first (weak: a session nobody holds is nobody's default)
_recent: list[weakref.ref[Session]] = []
#: marimo's run mode hosts a kernel per viewer in this process: step 3 is off for good
_shared_process = False
_embedded: Any = None  # the in-process exchange shared by every sim session of this kernel


class Session:
    """A connected environment: ``client`` (sync), ``aclient`` (async) and ``streams``.

    Holds the credentials inside the kernel only; its repr shows the key
    masked and never the secret.
    """

    def __init__(
        self,
        env: str,
        client: Client,
        aclient: AsyncClient,
        streams: Any,
        *,
        exchange: Any = None,
        owns_exchange: bool = False,
        allow_mainnet_trading: bool = False,
    ) -> None:
        self.env = env
        self.client = client
        self.aclient = aclient
        self.streams = streams
        self.exchange = exchange  # the embedded exchange handle when env == "sim"
        self._owns_exchange = owns_exchange  # a replay's exchange is this session's alone: close() stops it
        self.allow_mainnet_trading = allow_mainnet_trading
        self.started_ms = int(time.time() * 1000)  # where "this session" begins (bw.PnL's default start)
        self._instruments: dict[tuple[str, str], Instrument] = {}
        self._instrument_lock = threading.Lock()

    @property
    def has_credentials(self) -> bool:
        return self.client.api_key is not None

    @property
    def is_real_money(self) -> bool:
        return self.env == "mainnet"

    def instrument(self, category: str, symbol: str) -> Instrument:
        """The instrument's trading rules, fetched once per session."""
        key = (category, symbol)
        with self._instrument_lock:
            cached = self._instruments.get(key)
        if cached is not None:
            return cached
        (inst,) = self.client.get_instruments_info(category=category, symbol=symbol)
        with self._instrument_lock:
            self._instruments[key] = inst
        return inst

    @property
    def closed(self) -> bool:
        """True once the streams are closed (by :meth:`close` or directly)."""
        return bool(getattr(self.streams, "closed", False))

    def close(self) -> None:
        """Close the streams and both clients (the shared embedded exchange keeps running; a replay's stops).

        The session stops being a default: ``current()`` no longer returns it anywhere.
        """
        _unregister(self)
        close_sync = getattr(self.streams, "close_sync", None)
        if close_sync is not None:
            close_sync()
        self.client.close()
        if self._owns_exchange:
            self.exchange.stop()

    def __repr__(self) -> str:
        key = self.client.api_key
        shown = f", api_key={mask_key(key)!r}" if key else ", no api key"
        return f"Session(env={self.env!r}, rest={self.client.base_url!r}{shown})"


def _embedded_exchange(seed: int, api_key: str | None, api_secret: str | None) -> Any:
    """Start the in-process exchange once per kernel; add the caller's keys as an account."""
    global _embedded
    from . import sim

    if _embedded is None or not getattr(_embedded, "running", True):
        _embedded = sim.run(seed=seed, api_key=api_key, api_secret=api_secret).start()
    elif api_key is not None and api_key != _embedded.api_key:
        _embedded.add_account(api_key, api_secret)
    return _embedded


def connect(
    env: str | None = None,
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    base_url: str | None = None,
    base_ws_url: str | None = None,
    allow_mainnet_trading: bool = False,
    seed: int = 1,
    timeout: float = 10.0,
    recv_window: int = 5000,
    replay: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    speed: float = 1.0,
    paused: bool = False,
) -> Session:
    """Connect to an environment and make the session the default for widgets of this kernel.

    ``env``: ``"sim"`` (the embedded exchange, default), ``"testnet"``,
    ``"demo"`` or ``"mainnet"``; ``BYBIT_ENV`` is used when not given. Keys
    come from the arguments or ``BYBIT_API_KEY`` / ``BYBIT_API_SECRET``. On
    ``sim`` the given keys become an account on the embedded exchange.
    ``base_url`` / ``base_ws_url`` point at any v5-speaking host instead.
    Trading on mainnet needs ``allow_mainnet_trading=True``. ``replay``: Bybit
    history files (trade and ob500 dumps) or a Parquet recording, served by an
    embedded exchange of this session's own at ``speed`` (``paused``: waiting
    at the first frame; ``bw.ReplayControl()`` plays it). The session becomes
    the default of the caller's context, kernel and process (module docstring);
    ``session.close()`` ends that and stops an exchange of its own.
    """
    from .stream import StreamManager

    if env is None:
        env = "custom" if base_url else os.environ.get("BYBIT_ENV", "sim")
    env = env.lower()
    if env not in (*_ENVS, "custom"):
        resolve_environment(env)  # raises with the list of known names
    api_key, api_secret = _keys(api_key, api_secret)
    if replay is not None and (env != "sim" or base_url is not None):
        raise ValueError("replay= needs the embedded exchange: leave env and base_url unset (or env='sim')")
    exchange = None
    if replay is not None:
        exchange = _replaying_exchange(replay, seed, api_key, api_secret, speed=speed, paused=paused)
    elif env == "sim" and base_url is None:
        exchange = _embedded_exchange(seed, api_key, api_secret)
    if exchange is not None:  # its account, unless the keys given became one on it
        api_key, api_secret = api_key or exchange.api_key, api_secret or exchange.api_secret
        base_url, base_ws_url = exchange.rest_url, exchange.ws_url
    elif base_url is not None and base_ws_url is None:
        base_ws_url = "ws" + base_url[4:] if base_url.startswith("http") else None
    client_env = env if env in ("testnet", "demo", "mainnet") else None
    clock = ServerClock()  # one measured offset for both faces and for WebSocket auth
    common = dict(env=env, base_url=base_url, recv_window=recv_window, timeout=timeout, clock=clock)
    common["allow_mainnet_trading"] = allow_mainnet_trading
    client = Client(api_key, api_secret, **common)
    aclient = AsyncClient(api_key, api_secret, **common)
    streams = StreamManager(
        env=client_env,
        base_ws_url=base_ws_url,
        api_key=api_key,
        api_secret=api_secret,
        time_source=client.clock.now_ms,
        allow_mainnet_trading=allow_mainnet_trading,
        rest=aclient,  # the REST halves of the streams: backfill= history and the account's seed
    )
    session = Session(
        env,
        client,
        aclient,
        streams,
        exchange=exchange,
        owns_exchange=replay is not None,
        allow_mainnet_trading=allow_mainnet_trading,
    )
    _register(session)
    return session


def _keys(api_key: str | None, api_secret: str | None) -> tuple[str | None, str | None]:
    """The keys given, else ``BYBIT_API_KEY`` / ``BYBIT_API_SECRET``; both or neither."""
    if (api_key is None) != (api_secret is None):
        raise ValueError("pass both api_key and api_secret, or neither")
    if api_key is None:
        api_key = os.environ.get("BYBIT_API_KEY") or None
        api_secret = os.environ.get("BYBIT_API_SECRET") or None
        if (api_key is None) != (api_secret is None):
            raise ValueError("set both BYBIT_API_KEY and BYBIT_API_SECRET, or neither")
    return api_key, api_secret


def _replaying_exchange(
    replay: str | os.PathLike | Sequence[str | os.PathLike],
    seed: int,
    api_key: str | None,
    api_secret: str | None,
    *,
    speed: float,
    paused: bool,
) -> Any:
    """An embedded exchange of the session's own, serving ``replay``'s files (the session stops it)."""
    from . import sim

    paths = [os.fspath(replay)] if isinstance(replay, str | os.PathLike) else [os.fspath(p) for p in replay]
    return sim.run(seed=seed, api_key=api_key, api_secret=api_secret, replay=paths, speed=speed, paused=paused)


def current() -> Session:
    """The default session of the caller's kernel; connects to the embedded exchange if it has none.

    The rule (context, then kernel, then process unless marimo runs several
    kernels here) is in the module docstring.
    """
    session = _default.get()
    if session is not None and not session.closed:
        return session
    owner = _owner()
    with _lock:
        session = _by_owner.get(owner)
        if session is None or session.closed:
            session = None if _shared_process else _latest_open()
    return session if session is not None else connect()


def _owner() -> Any:
    """Whose default this thread uses: the marimo kernel running it, else the thread itself.

    Notes marimo's run mode (a kernel per viewer in this process), which turns
    the process-wide default off.
    """
    global _shared_process
    context = sys.modules.get("marimo._runtime.context")
    runtime = context.safe_get_context() if context is not None else None
    kernel = getattr(runtime, "_kernel", None)  # shared by the kernel's cells and its mo.Threads
    if kernel is None:  # not in marimo, or a marimo app run as a script: one kernel per process
        return threading.current_thread()
    if getattr(runtime, "session_mode", None) == "run":
        with _lock:
            _shared_process = True
    return kernel


def _register(session: Session) -> None:
    """Make ``session`` the default of this context, of this kernel or thread, and of the process."""
    owner = _owner()
    _default.set(session)
    with _lock:
        _by_owner[owner] = session
        _recent.append(weakref.ref(session))


def _unregister(session: Session) -> None:
    """Stop ``session`` being a default (other contexts holding it skip it: it is closed)."""
    if _default.get() is session:
        _default.set(None)
    with _lock:
        for owner in [owner for owner, held in _by_owner.items() if held is session]:
            del _by_owner[owner]
        _recent[:] = [ref for ref in _recent if ref() not in (None, session)]


def _latest_open() -> Session | None:
    """The latest ``connect()``'s session still open anywhere in the process (under ``_lock``)."""
    _recent[:] = [ref for ref in _recent if (held := ref()) is not None and not held.closed]
    return _recent[-1]() if _recent else None
