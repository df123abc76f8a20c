"""``bw.connect()``: pick the environment, credentials, client and streams.

The one entry point notebooks use. With no arguments it starts the embedded
exchange in-process (``sim``), so a notebook works offline and without keys;
``bw.connect("testnet")`` and friends point the same objects at Bybit. The
latest session becomes the default for widgets created without
``session=``.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from .protocol.environments import resolve_environment
from .protocol.records import Instrument
from .protocol.signing import mask_key
from .rest import AsyncClient, Client, ServerClock

__all__ = ["Session", "connect", "current"]

_ENVS = ("sim", "testnet", "demo", "mainnet")
_lock = threading.Lock()
_current: Session | None = None
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
        allow_mainnet_trading: bool = False,
    ) -> None:
        self.env = env
        self.client = client
        self.aclient = aclient
        self.streams = streams
        self.exchange = exchange  # the embedded exchange handle when env == "sim"
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

    def close(self) -> None:
        """Close the streams and both clients (the embedded exchange keeps running for other sessions)."""
        close_sync = getattr(self.streams, "close_sync", None)
        if close_sync is not None:
            close_sync()
        self.client.close()

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
) -> Session:
    """Connect to an environment and make the session the default for widgets.

    ``env``: ``"sim"`` (the embedded exchange, default), ``"testnet"``,
    ``"demo"`` or ``"mainnet"``; ``BYBIT_ENV`` is used when not given. Keys
    come from the arguments or ``BYBIT_API_KEY`` / ``BYBIT_API_SECRET``. On
    ``sim`` the given keys become an account on the embedded exchange.
    ``base_url`` / ``base_ws_url`` point at any v5-speaking host instead.
    Trading on mainnet needs ``allow_mainnet_trading=True``.
    """
    from .stream import StreamManager

    global _current
    if env is None:
        env = "custom" if base_url else os.environ.get("BYBIT_ENV", "sim")
    env = env.lower()
    if env not in (*_ENVS, "custom"):
        resolve_environment(env)  # raises with the list of known names
    if (api_key is None) != (api_secret is None):
        raise ValueError("pass both api_key and api_secret, or neither")
    if api_key is None:
        api_key = os.environ.get("BYBIT_API_KEY") or None
        api_secret = os.environ.get("BYBIT_API_SECRET") or None
        if (api_key is None) != (api_secret is None):
            raise ValueError("set both BYBIT_API_KEY and BYBIT_API_SECRET, or neither")
    exchange = None
    if env == "sim" and base_url is None:
        exchange = _embedded_exchange(seed, api_key, api_secret)
        api_key = api_key or exchange.api_key
        api_secret = api_secret or exchange.api_secret
        base_url, base_ws_url = exchange.rest_url, exchange.ws_url
    if base_url is not None and base_ws_url is None:
        base_ws_url = "ws" + base_url[4:] if base_url.startswith("http") else None
    client_env = env if env in ("testnet", "demo", "mainnet") else None
    clock = ServerClock()  # one measured offset for both faces and for WebSocket auth
    common = dict(
        env=env,
        base_url=base_url,
        recv_window=recv_window,
        timeout=timeout,
        allow_mainnet_trading=allow_mainnet_trading,
        clock=clock,
    )
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
    session = Session(env, client, aclient, streams, exchange=exchange, allow_mainnet_trading=allow_mainnet_trading)
    with _lock:
        _current = session
    return session


def current() -> Session:
    """The latest ``connect()``'s session; connects to the embedded exchange if there is none."""
    with _lock:
        session = _current
    return session if session is not None else connect()
