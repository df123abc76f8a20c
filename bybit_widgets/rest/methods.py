"""Every v5 endpoint as a keyword-only method, written once for both faces of the client.

Each method names its endpoint in the catalogue (:mod:`..protocol.endpoints`) and hands the
pipeline's flow for it to ``_run``, which each face drives its own way (:mod:`.client`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..protocol.errors import ParameterError
from ..protocol.positions import POSITION_IDX
from ..protocol.records import (
    AccountInfo,
    ApiKeyInfo,
    BatchResult,
    ClosedPnl,
    CoinInfo,
    Execution,
    FeeRate,
    FundingRate,
    Instrument,
    Kline,
    OpenInterest,
    Order,
    OrderAck,
    OrderBookSnapshot,
    Page,
    Position,
    PublicTrade,
    ServerTime,
    Ticker,
    Transaction,
    Wallet,
)
from ..protocol.signing import mask_key
from .clock import ServerClock
from .flows import CredentialReport, all_pages, check_credentials, close_position, history
from .pipeline import Flow, Pipeline

__all__ = ["Endpoints"]


def _kwargs(ns: dict) -> tuple[dict, dict]:
    ns = dict(ns)
    ns.pop("self", None)
    extra = ns.pop("extra", None) or {}
    return ns, extra


class Endpoints:
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

    def switch_position_mode(
        self, *, category: str = "linear", mode: int, symbol: str | None = None, coin: str | None = None, **extra: Any
    ) -> None:
        """One-way (``mode=0``) or hedge mode (``mode=3``) for ``symbol``, or every symbol settled in ``coin``.

        Bybit refuses while the symbol has a position (110024) or open orders
        (110028), and when it is already in that mode (110025): each raises a
        :class:`BybitError` subclass saying so.
        """
        if symbol is None and coin is None:
            raise ParameterError(
                "switch_position_mode needs symbol= or coin= (all symbols settled in it)", param="symbol"
            )
        return self._call("switch_position_mode", locals())

    def set_margin_mode(self, *, set_margin_mode: str, **extra: Any) -> None:
        """The account's margin mode: ``REGULAR_MARGIN`` (cross), ``ISOLATED_MARGIN`` or ``PORTFOLIO_MARGIN``."""
        return self._call("set_margin_mode", locals())

    def get_wallet_balance(
        self, *, account_type: str = "UNIFIED", coin: str | None = None, **extra: Any
    ) -> Wallet | None:
        return self._call("get_wallet_balance", locals())

    def get_fee_rates(
        self, *, category: str, symbol: str | None = None, base_coin: str | None = None, **extra: Any
    ) -> Page[FeeRate]:
        """The account's maker and taker fee rates, per symbol of ``category`` (or just ``symbol``)."""
        return self._call("get_fee_rates", locals())

    def get_closed_pnl(
        self,
        *,
        category: str,
        symbol: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[ClosedPnl]:
        """What each close made after fees, newest first: the last 7 days, or since ``start_time``.

        ``start_time`` alone means up to now. Bybit answers at most 7 days a request; a longer
        range is fetched window by window, every page, and returned as one list.
        """
        kwargs, extra = _kwargs(locals())
        return self._run(history(self._pipeline, "get_closed_pnl", kwargs, extra))

    def get_transaction_log(
        self,
        *,
        account_type: str | None = None,
        category: str | None = None,
        currency: str | None = None,
        base_coin: str | None = None,
        type: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[Transaction]:
        """Every change of the wallet (``type`` TRADE, SETTLEMENT for funding, ...), newest first.

        The last 24 hours (Bybit's default here), or since ``start_time`` up to now; a range
        longer than one request covers is stitched as in :meth:`get_closed_pnl`.
        """
        kwargs, extra = _kwargs(locals())
        return self._run(history(self._pipeline, "get_transaction_log", kwargs, extra))

    def all_pages(self, method: str, **kwargs: Any) -> Page:
        """Every page of a cursor-paged method as one list: ``client.all_pages("get_executions", category=...)``.

        Closed PnL and the transaction log are read across Bybit's query windows too, as their methods are.
        """
        return self._run(all_pages(self._pipeline, method, kwargs))

    def get_api_key_info(self) -> ApiKeyInfo:
        return self._call("get_api_key_info", {})

    def get_account_info(self) -> AccountInfo:
        """The account's mode (``unified_margin_status``) and margin mode."""
        return self._call("get_account_info", {})

    def get_coin_info(self, *, coin: str | None = None, **extra: Any) -> list[CoinInfo]:
        """Coins with their chains, deposit and withdrawal status; ``coin`` (sent upper-case) narrows to one."""
        return self._call("get_coin_info", locals())

    # -- derivatives market data (public) -----------------------------------------------------------
    def get_funding_rate_history(
        self,
        *,
        category: str,
        symbol: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        **extra: Any,
    ) -> Page[FundingRate]:
        """Settled funding rates, **newest first**; at most 200 up to ``end_time`` (or now).

        Bybit refuses ``start_time`` alone; give ``end_time`` with it (checked before sending).
        """
        return self._call("get_funding_rate_history", locals())

    def get_open_interest(
        self,
        *,
        category: str,
        symbol: str,
        interval_time: str,
        start_time: int | None = None,
        end_time: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **extra: Any,
    ) -> Page[OpenInterest]:
        """Open interest per ``interval_time`` bucket (5min, 15min, 30min, 1h, 4h, 1d), **newest first**, paged."""
        return self._call("get_open_interest", locals())

    # -- batches (REST) -------------------------------------------------------------------------------
    def place_batch_order(self, *, category: str, requests: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Place up to 20 orders (spot 10) in one request; each as ``place_order``'s keywords, no category.

        Each order is checked as ``place_order`` checks it before anything is sent, and gets its
        own orderLinkId when it has none. Bybit answers 0 even when it refused some orders: then
        this raises :class:`~bybit_widgets.protocol.errors.BatchOrderError`, naming each refused
        order with its reason and carrying the whole result (the ids of those that were placed).
        """
        return self._call("place_batch_order", locals())

    def amend_batch_order(self, *, category: str, requests: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Amend several orders at once (``amend_order``'s keywords each); refusals as in :meth:`place_batch_order`."""
        return self._call("amend_batch_order", locals())

    def cancel_batch_order(self, *, category: str, requests: Sequence[Mapping[str, Any]]) -> BatchResult:
        """Cancel several orders at once (``symbol`` and ``order_id`` or ``order_link_id`` each)."""
        return self._call("cancel_batch_order", locals())

    # -- any other v5 endpoint -------------------------------------------------------------------------
    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> dict:
        """Call any v5 endpoint by its path with Bybit's own parameter names; returns the raw ``result``.

        ``client.request("GET", "/v5/market/insurance", {"coin": "USDT"})``. Signed (market data
        paths excepted), rate-limited and retried like the named methods: reads are retried, an
        order create is reconciled by its orderLinkId, nothing else is resent; any POST counts as
        trading, so on mainnet it needs ``allow_mainnet_trading=True``. Errors are the same typed
        :class:`~bybit_widgets.protocol.errors.BybitError` s.
        """
        return self._run(self._pipeline.raw(method, path, params))

    # -- helpers ----------------------------------------------------------------------------------
    def check_credentials(self) -> CredentialReport:
        """Ask Bybit what this key may do and explain it in plain words (warns on withdraw / no IP bind)."""
        return self._run(check_credentials(self._pipeline))

    def close_position(
        self, category: str, symbol: str, *, timeout: float = 15.0, position_idx: int | None = None
    ) -> Position | None:
        """Close the whole position with a reduce-only market order; return once it is flat.

        A hedged symbol's two sides are both closed, or only the one ``position_idx`` (1 long, 2 short) names.
        """
        if position_idx is not None and position_idx not in POSITION_IDX:
            raise ParameterError(f"position_idx must be 0, 1 or 2, got {position_idx!r}", param="position_idx")
        return self._run(close_position(self._pipeline, category, symbol, timeout, position_idx))

    def sync_clock(self) -> float:
        """Measure the server-time offset now; returns it in ms (server - local)."""
        return self._run(self._pipeline.sync_clock())
