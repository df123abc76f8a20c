"""``bw.Client`` and ``bw.AsyncClient``: two faces over one request pipeline.

The endpoint methods are written once in :class:`_Endpoints`; each builds a
flow (see :mod:`.pipeline`) and hands it to ``_run``. The sync face drives
flows with an ``httpx.Client`` and ``time.sleep``; the async face with an
``httpx.AsyncClient`` and ``asyncio.sleep``, so it never blocks the event
loop. Methods of the async face return awaitables of the same records.
Transports are injectable (``transport=``), e.g. ``httpx.MockTransport`` or
an ASGI app, which is how tests drive the client without sockets.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from ..protocol.environments import resolve_environment
from ..protocol.records import (
    AccountInfo,
    ApiKeyInfo,
    CoinInfo,
    Execution,
    Instrument,
    Kline,
    Order,
    OrderAck,
    OrderBookSnapshot,
    Page,
    Position,
    PublicTrade,
    ServerTime,
    Ticker,
    Wallet,
)
from ..protocol.signing import Credentials, mask_key
from .clock import ServerClock
from .flows import CredentialReport, check_credentials, close_position
from .pipeline import Flow, Pipeline, Request, Response, RetryPolicy, SendFailed, Sleep

__all__ = ["Client", "AsyncClient"]


def _kwargs(ns: dict) -> tuple[dict, dict]:
    ns = dict(ns)
    ns.pop("self", None)
    extra = ns.pop("extra", None) or {}
    return ns, extra


class _Endpoints:
    """Every v5 endpoint as a keyword-only method; shared by both faces."""

    _pipeline: Pipeline

    def _run(self, flow: Flow) -> Any:  # pragma: no cover - provided by each face
        raise NotImplementedError

    def _call(self, name: str, ns: dict) -> Any:
        kwargs, extra = _kwargs(ns)
        return self._run(self._pipeline.call(name, kwargs, extra))

    # -- identity ---------------------------------------------------------------------------------
    @property
    def environment(self) -> str:
        return self._pipeline.environment

    @property
    def base_url(self) -> str:
        return self._pipeline.base_url

    @property
    def clock(self) -> ServerClock:
        """The server-time clock (``clock.now_ms()``; ``clock.offset_ms`` = server - local)."""
        return self._pipeline.clock

    @property
    def api_key(self) -> str | None:
        creds = self._pipeline.credentials
        return creds.api_key if creds else None

    def __repr__(self) -> str:
        pipeline = getattr(self, "_pipeline", None)  # a half-built client still has a repr (tracebacks print it)
        if pipeline is None:
            return f"{type(self).__name__}(<not initialised>)"
        creds = pipeline.credentials
        key = f", api_key={mask_key(creds.api_key)!r}" if creds else ""
        return f"{type(self).__name__}(env={self.environment!r}, base_url={self.base_url!r}{key})"

    # -- market (public) --------------------------------------------------------------------------
    def get_server_time(self) -> ServerTime:
        return self._call("get_server_time", {})

    def get_instruments_info(
        self,
        *,
        category: str,
        symbol: str | None = None,
        status: str | None = None,
        base_coin: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Instrument]:
        return self._call("get_instruments_info", locals())

    def get_tickers(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        exp_date: str | None = None,
        **extra: Any,
    ) -> Page[Ticker]:
        return self._call("get_tickers", locals())

    def get_orderbook(self, *, category: str, symbol: str, limit: int | None = None, **extra: Any) -> OrderBookSnapshot:
        return self._call("get_orderbook", locals())

    def get_kline(
        self,
        *,
        symbol: str,
        interval: str,
        category: str | None = None,
        start: int | None = None,
        end: int | None = None,
        limit: int | None = None,
        **extra: Any,
    ) -> Page[Kline]:
        """Candles, **newest first** as Bybit sends them."""
        return self._call("get_kline", locals())

    def get_recent_trades(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        option_type: str | None = None,
        limit: int | None = None,
        **extra: Any,
    ) -> Page[PublicTrade]:
        return self._call("get_recent_trades", locals())

    # -- orders -----------------------------------------------------------------------------------
    def place_order(
        self,
        *,
        category: str,
        symbol: str,
        side: str,
        order_type: str,
        qty: Any,
        price: Any = None,
        time_in_force: str | None = None,
        order_link_id: str | None = None,
        position_idx: int | None = None,
        reduce_only: bool | None = None,
        close_on_trigger: bool | None = None,
        trigger_price: Any = None,
        trigger_direction: int | None = None,
        trigger_by: str | None = None,
        take_profit: Any = None,
        stop_loss: Any = None,
        tp_trigger_by: str | None = None,
        sl_trigger_by: str | None = None,
        tpsl_mode: str | None = None,
        tp_order_type: str | None = None,
        sl_order_type: str | None = None,
        tp_limit_price: Any = None,
        sl_limit_price: Any = None,
        market_unit: str | None = None,
        is_leverage: int | None = None,
        order_filter: str | None = None,
        **extra: Any,
    ) -> OrderAck:
        """Place an order. Returns an acknowledgement, not a fill.

        An ``order_link_id`` is generated when absent. If a create gets no
        answer (timeout, 5xx), the client looks the order up by that id before
        deciding to resend, so one call never makes two orders.
        """
        return self._call("place_order", locals())

    def amend_order(
        self,
        *,
        category: str,
        symbol: str,
        order_id: str | None = None,
        order_link_id: str | None = None,
        qty: Any = None,
        price: Any = None,
        trigger_price: Any = None,
        take_profit: Any = None,
        stop_loss: Any = None,
        tp_trigger_by: str | None = None,
        sl_trigger_by: str | None = None,
        trigger_by: str | None = None,
        tpsl_mode: str | None = None,
        tp_limit_price: Any = None,
        sl_limit_price: Any = None,
        **extra: Any,
    ) -> OrderAck:
        return self._call("amend_order", locals())

    def cancel_order(
        self,
        *,
        category: str,
        symbol: str,
        order_id: str | None = None,
        order_link_id: str | None = None,
        order_filter: str | None = None,
        **extra: Any,
    ) -> OrderAck:
        return self._call("cancel_order", locals())

    def cancel_all_orders(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        settle_coin: str | None = None,
        order_filter: str | None = None,
        stop_order_type: str | None = None,
        **extra: Any,
    ) -> list[OrderAck]:
        return self._call("cancel_all_orders", locals())

    def get_open_orders(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        settle_coin: str | None = None,
        order_id: str | None = None,
        order_link_id: str | None = None,
        open_only: int | None = None,
        order_filter: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Order]:
        return self._call("get_open_orders", locals())

    def get_order_history(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        settle_coin: str | None = None,
        order_id: str | None = None,
        order_link_id: str | None = None,
        order_filter: str | None = None,
        order_status: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Order]:
        return self._call("get_order_history", locals())

    def get_executions(
        self,
        *,
        category: str,
        symbol: str | None = None,
        order_id: str | None = None,
        order_link_id: str | None = None,
        base_coin: str | None = None,
        settle_coin: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        exec_type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Execution]:
        return self._call("get_executions", locals())

    # -- positions and account --------------------------------------------------------------------
    def get_positions(
        self,
        *,
        category: str,
        symbol: str | None = None,
        base_coin: str | None = None,
        settle_coin: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Position]:
        return self._call("get_positions", locals())

    def set_trading_stop(
        self,
        *,
        category: str,
        symbol: str,
        tpsl_mode: str = "Full",
        position_idx: int = 0,
        take_profit: Any = None,
        stop_loss: Any = None,
        trailing_stop: Any = None,
        tp_trigger_by: str | None = None,
        sl_trigger_by: str | None = None,
        active_price: Any = None,
        tp_size: Any = None,
        sl_size: Any = None,
        tp_limit_price: Any = None,
        sl_limit_price: Any = None,
        tp_order_type: str | None = None,
        sl_order_type: str | None = None,
        **extra: Any,
    ) -> None:
        return self._call("set_trading_stop", locals())

    def set_leverage(
        self, *, category: str, symbol: str, buy_leverage: Any, sell_leverage: Any = None, **extra: Any
    ) -> None:
        """Set leverage; ``sell_leverage`` defaults to ``buy_leverage`` (one-way mode needs them equal)."""
        if sell_leverage is None:
            sell_leverage = buy_leverage
        return self._call("set_leverage", locals())

    def get_wallet_balance(
        self, *, account_type: str = "UNIFIED", coin: str | None = None, **extra: Any
    ) -> Wallet | None:
        return self._call("get_wallet_balance", locals())

    def get_api_key_info(self) -> ApiKeyInfo:
        return self._call("get_api_key_info", {})

    def get_account_info(self) -> AccountInfo:
        """The account's mode (``unified_margin_status``) and margin mode."""
        return self._call("get_account_info", {})

    def get_coin_info(self, *, coin: str | None = None, **extra: Any) -> list[CoinInfo]:
        """Coins with their chains, deposit and withdrawal status; ``coin`` (sent upper-case) narrows to one."""
        return self._call("get_coin_info", locals())

    # -- helpers ----------------------------------------------------------------------------------
    def check_credentials(self) -> CredentialReport:
        """Ask Bybit what this key may do and explain it in plain words (warns on withdraw / no IP bind)."""
        return self._run(check_credentials(self._pipeline))

    def close_position(self, category: str, symbol: str, *, timeout: float = 15.0) -> Position | None:
        """Close the whole position with a reduce-only market order; return once it is flat."""
        return self._run(close_position(self._pipeline, category, symbol, timeout))

    def sync_clock(self) -> float:
        """Measure the server-time offset now; returns it in ms (server - local)."""
        return self._run(self._pipeline.sync_clock())


def _make_pipeline(
    api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
) -> Pipeline:
    if (api_key is None) != (api_secret is None):
        raise ValueError("pass both api_key and api_secret, or neither (market data needs no key)")
    credentials = Credentials(api_key, api_secret) if api_key is not None else None
    if base_url is None:
        if env in ("sim", "custom"):
            raise ValueError(
                "env='sim' has no fixed URL: use bw.connect('sim'), or start bw.sim.run() and pass base_url="
            )
        environment = resolve_environment(env)
        base_url, env = environment.rest_url, environment.name
    elif env is None:
        env = "custom"
    return Pipeline(
        base_url=base_url,
        credentials=credentials,
        environment=env,
        recv_window=recv_window,
        timeout=timeout,
        allow_mainnet_trading=allow_mainnet_trading,
        clock=clock,
        retry=retry,
    )


def _httpx_request(action: Request) -> httpx.Request:
    t = action.timeout
    return httpx.Request(
        action.method,
        action.url,
        headers={**action.headers, "User-Agent": "bybit-widgets"},
        content=action.content,
        extensions={"timeout": {"connect": t, "read": t, "write": t, "pool": t}},
    )


def _send_failed(exc: httpx.TransportError) -> SendFailed:
    """Classify a transport failure: "connect" means the request never left, so nothing happened."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        kind = "connect"
    elif isinstance(exc, httpx.TimeoutException):
        kind = "timeout"
    else:
        kind = "network"
    return SendFailed(kind, str(exc) or type(exc).__name__)


class Client(_Endpoints):
    """The sync face: for scripts, services and notebook cells that want a plain answer.

    ``env`` is ``"testnet"`` (default), ``"demo"`` or ``"mainnet"``; or give
    ``base_url`` for any v5-speaking host (the embedded exchange, a proxy).
    Trading on mainnet needs ``allow_mainnet_trading=True``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        env: str | None = None,
        base_url: str | None = None,
        recv_window: int = 5000,
        timeout: float = 10.0,
        allow_mainnet_trading: bool = False,
        transport: httpx.BaseTransport | None = None,
        clock: ServerClock | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if env is None and base_url is None:
            env = "testnet"
        self._pipeline = _make_pipeline(
            api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
        )
        # The transport is driven directly: the pipeline already does what httpx.Client adds on top
        # (URL and header merging, cookies, redirects), which cost more than the signing itself.
        self._transport = transport or httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=10))

    def _run(self, flow: Flow) -> Any:
        clock = self._pipeline.clock
        value: Any = None
        error: SendFailed | None = None
        try:
            while True:
                action = flow.throw(error) if error is not None else flow.send(value)
                error, value = None, None
                if isinstance(action, Sleep):
                    time.sleep(action.seconds)
                    continue
                sent = clock.local_ms()
                try:
                    r = self._transport.handle_request(_httpx_request(action))
                    try:
                        content = r.read()
                    finally:
                        r.close()
                except httpx.TransportError as exc:
                    error = _send_failed(exc)
                    continue
                value = Response(r.status_code, r.headers, content, sent, clock.local_ms())
        except StopIteration as stop:
            return stop.value
        finally:
            flow.close()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_Endpoints):
    """The async face: every method returns an awaitable; the event loop is never blocked.

    Same arguments as :class:`Client`; ``transport`` is an
    ``httpx.AsyncBaseTransport``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        env: str | None = None,
        base_url: str | None = None,
        recv_window: int = 5000,
        timeout: float = 10.0,
        allow_mainnet_trading: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: ServerClock | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
    ) -> None:
        if env is None and base_url is None:
            env = "testnet"
        self._pipeline = _make_pipeline(
            api_key, api_secret, env, base_url, recv_window, timeout, allow_mainnet_trading, clock, retry
        )
        if transport is None:
            # httpcore's async pool costs O(connections x waiting requests) per request and
            # went slower with 50 in flight than one at a time; aiohttp's does not.
            limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
            transport = AiohttpTransport(limits=limits)
        self._transport = transport

    async def _drive(self, flow: Flow) -> Any:
        clock = self._pipeline.clock
        value: Any = None
        error: SendFailed | None = None
        try:
            while True:
                action = flow.throw(error) if error is not None else flow.send(value)
                error, value = None, None
                if isinstance(action, Sleep):
                    await asyncio.sleep(action.seconds)
                    continue
                sent = clock.local_ms()
                try:
                    r = await self._transport.handle_async_request(_httpx_request(action))
                    try:
                        content = await r.aread()
                    finally:
                        await r.aclose()
                except httpx.TransportError as exc:
                    error = _send_failed(exc)
                    continue
                value = Response(r.status_code, r.headers, content, sent, clock.local_ms())
        except StopIteration as stop:
            return stop.value
        finally:
            flow.close()

    def _run(self, flow: Flow) -> Any:
        return self._drive(flow)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
