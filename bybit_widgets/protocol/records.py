"""Typed records decoded from Bybit v5 wire dicts.

Each record exposes snake_case attributes with real types (``Decimal`` for
prices and quantities, ``int`` for millisecond times, ``bool`` for flags),
while the wire dict stays reachable: ``order["orderLinkId"]`` and
``order.raw`` both work, so nothing Bybit sends is ever lost to the typing.

Decoding is by field name, never by position or key order, and tolerant of
missing fields (``None``): Bybit adds fields often and some differ between
REST and WebSocket (``avgPrice`` vs ``entryPrice`` for positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, ClassVar, Generic, Iterable, TypeVar

from .errors import BatchOrderError, BybitError, ErrorContext, error_for

__all__ = [
    "Record",
    "Page",
    "ServerTime",
    "Instrument",
    "Ticker",
    "BookLevel",
    "OrderBookSnapshot",
    "Kline",
    "PublicTrade",
    "OrderAck",
    "BatchItem",
    "BatchResult",
    "Order",
    "Execution",
    "Position",
    "CoinBalance",
    "Wallet",
    "ApiKeyInfo",
    "to_decimal",
]


def to_decimal(value: Any) -> Decimal | None:
    """Wire number (string, int or float) to Decimal; ``""``/``None`` to None."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


D, I, B, S = to_decimal, _int, _bool, _str  # field converters, short for the tables below

R = TypeVar("R", bound="Record")


@dataclass(frozen=True, repr=False)
class Record:
    """Base of all records: wire access by name, a compact repr, ``from_wire``."""

    raw: dict = field(default_factory=dict, compare=False)
    # attribute -> (wire names tried in order, converter); filled in by each subclass
    WIRE: ClassVar[dict[str, tuple[tuple[str, ...], Callable[[Any], Any]]]] = {}

    @classmethod
    def from_wire(cls: type[R], data: dict) -> R:
        values: dict[str, Any] = {}
        for attr, (names, convert) in cls.WIRE.items():
            for name in names:
                if name in data:
                    values[attr] = convert(data[name])
                    break
            else:
                values[attr] = None
        return cls(raw=data, **values)

    def __getitem__(self, wire_name: str) -> Any:
        return self.raw[wire_name]

    def get(self, wire_name: str, default: Any = None) -> Any:
        return self.raw.get(wire_name, default)

    def to_dict(self) -> dict[str, Any]:
        """The typed attributes (not the raw dict) as a plain dict."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "raw"}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if v is not None and v != "")
        return f"{type(self).__name__}({shown})"


T = TypeVar("T")


class Page(list, Generic[T]):
    """A list result plus Bybit's ``nextPageCursor`` ("" on the last page)."""

    def __init__(self, items: Iterable[T] = (), next_page_cursor: str = "", category: str | None = None) -> None:
        super().__init__(items)
        self.next_page_cursor = next_page_cursor
        self.category = category

    def __repr__(self) -> str:
        more = f", next_page_cursor={self.next_page_cursor!r}" if self.next_page_cursor else ""
        return f"Page({list.__repr__(self)}{more})"


def _w(**spec: tuple[str | tuple[str, ...], Callable[[Any], Any]]):
    return {attr: ((names,) if isinstance(names, str) else names, conv) for attr, (names, conv) in spec.items()}


@dataclass(frozen=True, repr=False)
class ServerTime(Record):
    time_second: int | None = None
    time_nano: int | None = None

    WIRE = _w(time_second=("timeSecond", I), time_nano=("timeNano", I))

    @property
    def ms(self) -> int:
        return (self.time_nano // 1_000_000) if self.time_nano else (self.time_second or 0) * 1000


@dataclass(frozen=True, repr=False)
class Instrument(Record):
    """An instrument with its trading filters; spot's basePrecision serves as qty_step."""

    symbol: str | None = None
    status: str | None = None
    base_coin: str | None = None
    quote_coin: str | None = None
    contract_type: str | None = None
    tick_size: Decimal | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    qty_step: Decimal | None = None
    min_qty: Decimal | None = None
    max_qty: Decimal | None = None
    max_market_qty: Decimal | None = None
    min_notional: Decimal | None = None
    min_leverage: Decimal | None = None
    max_leverage: Decimal | None = None
    leverage_step: Decimal | None = None
    category: str | None = None

    WIRE = _w(symbol=("symbol", S), status=("status", S), base_coin=("baseCoin", S), quote_coin=("quoteCoin", S),
              contract_type=("contractType", S))  # fmt: skip

    @classmethod
    def from_wire(cls, data: dict, category: str | None = None) -> Instrument:  # type: ignore[override]
        base = super().from_wire(data)
        price = data.get("priceFilter") or {}
        lot = data.get("lotSizeFilter") or {}
        lev = data.get("leverageFilter") or {}
        return cls(
            raw=data,
            symbol=base.symbol,
            status=base.status,
            base_coin=base.base_coin,
            quote_coin=base.quote_coin,
            contract_type=base.contract_type,
            tick_size=D(price.get("tickSize")),
            min_price=D(price.get("minPrice")),
            max_price=D(price.get("maxPrice")),
            qty_step=D(lot.get("qtyStep") or lot.get("basePrecision")),
            min_qty=D(lot.get("minOrderQty")),
            max_qty=D(lot.get("maxOrderQty") or lot.get("maxLimitOrderQty")),
            max_market_qty=D(lot.get("maxMktOrderQty") or lot.get("maxMarketOrderQty")),
            min_notional=D(lot.get("minNotionalValue") or lot.get("minOrderAmt")),
            min_leverage=D(lev.get("minLeverage")),
            max_leverage=D(lev.get("maxLeverage")),
            leverage_step=D(lev.get("leverageStep")),
            category=category,
        )


@dataclass(frozen=True, repr=False)
class Ticker(Record):
    """A ticker, REST ``/v5/market/tickers`` or the ``tickers.{symbol}`` stream, for every category.

    Decision: one attribute per meaning, whatever each category calls it on the wire, so a
    widget reads ``bid1_price`` and ``price_24h_pcnt`` for any market. Bybit's names:

    - best bid/ask: ``bid1Price``/``bid1Size``/``ask1Price``/``ask1Size`` in REST (all
      categories) and on the spot/linear/inverse streams; ``bidPrice``/``bidSize``/``askPrice``/
      ``askSize`` on the option stream;
    - 24h change, a fraction (0.0123 = +1.23 %): ``price24hPcnt`` for spot, linear and
      inverse; ``change24h`` for options (REST and stream).

    Fields a category does not send (spot: mark price, funding; options: funding) stay None.
    """

    symbol: str | None = None
    last_price: Decimal | None = None
    mark_price: Decimal | None = None
    index_price: Decimal | None = None
    prev_price_24h: Decimal | None = None
    price_24h_pcnt: Decimal | None = None  # a fraction: 0.0123 = +1.23 %
    high_price_24h: Decimal | None = None
    low_price_24h: Decimal | None = None
    volume_24h: Decimal | None = None
    turnover_24h: Decimal | None = None
    funding_rate: Decimal | None = None
    next_funding_time: int | None = None
    open_interest: Decimal | None = None
    bid1_price: Decimal | None = None
    bid1_size: Decimal | None = None
    ask1_price: Decimal | None = None
    ask1_size: Decimal | None = None
    tick_direction: str | None = None

    WIRE = _w(symbol=("symbol", S), last_price=("lastPrice", D), mark_price=("markPrice", D),
              index_price=("indexPrice", D), prev_price_24h=("prevPrice24h", D),
              price_24h_pcnt=(("price24hPcnt", "change24h"), D),
              high_price_24h=("highPrice24h", D), low_price_24h=("lowPrice24h", D), volume_24h=("volume24h", D),
              turnover_24h=("turnover24h", D), funding_rate=("fundingRate", D),
              next_funding_time=("nextFundingTime", I), open_interest=("openInterest", D),
              bid1_price=(("bid1Price", "bidPrice"), D), bid1_size=(("bid1Size", "bidSize"), D),
              ask1_price=(("ask1Price", "askPrice"), D), ask1_size=(("ask1Size", "askSize"), D),
              tick_direction=("tickDirection", S))  # fmt: skip


@dataclass(frozen=True)
class BookLevel:
    price: Decimal
    size: Decimal


@dataclass(frozen=True, repr=False)
class OrderBookSnapshot(Record):
    """REST order book: bids descending, asks ascending."""

    symbol: str | None = None
    bids: tuple[BookLevel, ...] = ()
    asks: tuple[BookLevel, ...] = ()
    ts: int | None = None
    u: int | None = None
    seq: int | None = None
    cts: int | None = None

    @classmethod
    def from_wire(cls, data: dict) -> OrderBookSnapshot:  # type: ignore[override]
        def levels(rows):
            return tuple(BookLevel(Decimal(p), Decimal(q)) for p, q in rows or ())

        return cls(
            raw=data,
            symbol=data.get("s"),
            bids=levels(data.get("b")),
            asks=levels(data.get("a")),
            ts=_int(data.get("ts")),
            u=_int(data.get("u")),
            seq=_int(data.get("seq")),
            cts=_int(data.get("cts")),
        )

    @property
    def best_bid(self) -> BookLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> BookLevel | None:
        return self.asks[0] if self.asks else None


@dataclass(frozen=True, repr=False)
class Kline(Record):
    """One candle. REST sends 7 strings, WebSocket an object; both decode here."""

    start: int | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    close: Decimal | None = None
    volume: Decimal | None = None
    turnover: Decimal | None = None
    end: int | None = None
    interval: str | None = None
    confirm: bool | None = None

    WIRE = _w(start=("start", I), open=("open", D), high=("high", D), low=("low", D), close=("close", D),
              volume=("volume", D), turnover=("turnover", D), end=("end", I), interval=("interval", S),
              confirm=("confirm", B))  # fmt: skip

    @classmethod
    def from_rest_row(cls, row: list, interval: str | None = None) -> Kline:
        start, o, h, lo, c, v, t = row[:7]
        return cls(raw={"list": row}, start=int(start), open=D(o), high=D(h), low=D(lo), close=D(c),
                   volume=D(v), turnover=D(t), interval=interval)  # fmt: skip


@dataclass(frozen=True, repr=False)
class PublicTrade(Record):
    """A public trade; REST recent-trade and the publicTrade stream both decode here."""

    trade_id: str | None = None
    symbol: str | None = None
    price: Decimal | None = None
    size: Decimal | None = None
    side: str | None = None  # the taker's side
    time: int | None = None
    tick_direction: str | None = None
    is_block_trade: bool | None = None

    WIRE = _w(trade_id=(("execId", "i"), S), symbol=(("symbol", "s"), S), price=(("price", "p"), D),
              size=(("size", "v"), D), side=(("side", "S"), S), time=(("time", "T"), I),
              tick_direction=("L", S), is_block_trade=(("isBlockTrade", "BT"), B))  # fmt: skip


@dataclass(frozen=True, repr=False)
class OrderAck(Record):
    """What order create/amend/cancel return: an acknowledgement, not the order's state."""

    order_id: str | None = None
    order_link_id: str | None = None

    WIRE = _w(order_id=("orderId", S), order_link_id=("orderLinkId", S))


@dataclass(frozen=True, repr=False)
class BatchItem(Record):
    """One order of a batch: its acknowledgement, or Bybit's refusal of that order.

    ``ret_code``/``ret_msg`` are the item's own (``retExtInfo.list[i]``: ``code``, ``msg``);
    ``error`` is the :class:`~.errors.BybitError` that code means (class and hint as for a
    single request), ``None`` when the order went through. ``index`` is its place in the request.
    """

    index: int = 0
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    create_at: int | None = None
    ret_code: int = 0
    ret_msg: str = ""
    error: BybitError | None = field(default=None, compare=False)

    WIRE = _w(order_id=("orderId", S), order_link_id=("orderLinkId", S), category=("category", S),
              symbol=("symbol", S), create_at=("createAt", I))  # fmt: skip

    @property
    def ok(self) -> bool:
        return self.ret_code == 0

    @property
    def name(self) -> str:
        """How messages name the item: its orderLinkId, else its orderId, else its place; with the symbol."""
        ident = self.order_link_id or self.order_id or f"#{self.index}"
        return f"{ident} ({self.symbol})" if self.symbol else ident


class BatchResult(list):
    """The items of a batch order request, in request order, each its order id or its error.

    Decision: Bybit answers a batch (REST ``/v5/order/*-batch``, WebSocket ``order.*-batch``)
    with retCode 0 even when orders were refused; each order's own outcome is the ``code``/
    ``msg`` at the same index of ``retExtInfo.list``. So success is per item: ``failed`` and
    ``succeeded`` split them, ``ok`` says all went through, and :meth:`raise_for_failures`
    turns any refusal into one :class:`~.errors.BatchOrderError` that names every refused item
    and carries this whole result (so the ids of the orders that were placed are never lost).
    """

    def __init__(self, items: Iterable[BatchItem] = (), op: str | None = None) -> None:
        super().__init__(items)
        self.op = op

    @classmethod
    def from_wire(cls, result: Any, ret_ext_info: Any, op: str | None = None) -> BatchResult:
        """Pair ``result.list`` (REST ``result``, WebSocket ``data``) with ``retExtInfo.list`` by index.

        A missing ``retExtInfo`` entry means success (code 0); an entry without its ``list`` item
        still becomes an item, so a refusal is never dropped.
        """
        rows = result.get("list") if isinstance(result, dict) else None
        rows = [r if isinstance(r, dict) else {} for r in rows] if isinstance(rows, list) else []
        codes = ret_ext_info.get("list") if isinstance(ret_ext_info, dict) else None
        codes = [c if isinstance(c, dict) else {} for c in codes] if isinstance(codes, list) else []
        ctx = ErrorContext(endpoint=op)
        items = []
        for i in range(max(len(rows), len(codes))):
            row = rows[i] if i < len(rows) else {}
            info = codes[i] if i < len(codes) else {}
            code = _int(info.get("code")) or 0
            msg = str(info.get("msg") or "")
            error = error_for(code, msg, ctx) if code else None
            items.append(replace(BatchItem.from_wire(row), index=i, ret_code=code, ret_msg=msg, error=error))
        return cls(items, op)

    @property
    def failed(self) -> list[BatchItem]:
        """The refused items, each with its ``error``."""
        return [item for item in self if not item.ok]

    @property
    def succeeded(self) -> list[BatchItem]:
        return [item for item in self if item.ok]

    @property
    def ok(self) -> bool:
        """True when every order of the batch went through."""
        return not self.failed

    def raise_for_failures(self) -> BatchResult:
        """Return ``self`` when every order went through, else raise :class:`~.errors.BatchOrderError`."""
        failed = self.failed
        if not failed:
            return self
        listed = "; ".join(f"{item.name}: retCode {item.ret_code} {item.ret_msg}".rstrip() for item in failed)
        placed = len(self) - len(failed)
        hint = (f"Bybit accepted the batch but refused {len(failed)} of its {len(self)} orders; "
                + ("none was placed. " if not placed else f"the other {placed} were placed (see error.result). ")
                + "error.failed lists each refused order with its own error.")  # fmt: skip
        first = failed[0].error
        if first is not None:
            hint += f" {failed[0].name}: {first.hint}"
        raise BatchOrderError(f"{self.op or 'batch'}: {len(failed)} of {len(self)} orders refused: {listed}",
                              hint=hint, endpoint=self.op, result=self)  # fmt: skip

    def __repr__(self) -> str:
        shown = ", ".join(f"{item.name}: {item.order_id}" if item.ok else f"{item.name}: FAILED {item.ret_code} "
                          f"{item.ret_msg}" for item in self)  # fmt: skip
        return f"BatchResult({len(self.succeeded)} ok, {len(self.failed)} failed: [{shown}])"


@dataclass(frozen=True, repr=False)
class Order(Record):
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    side: str | None = None
    order_type: str | None = None
    price: Decimal | None = None
    qty: Decimal | None = None
    time_in_force: str | None = None
    order_status: str | None = None
    avg_price: Decimal | None = None
    leaves_qty: Decimal | None = None
    cum_exec_qty: Decimal | None = None
    cum_exec_value: Decimal | None = None
    cum_exec_fee: Decimal | None = None
    reject_reason: str | None = None
    cancel_type: str | None = None
    reduce_only: bool | None = None
    close_on_trigger: bool | None = None
    trigger_price: Decimal | None = None
    trigger_direction: int | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    stop_order_type: str | None = None
    position_idx: int | None = None
    created_time: int | None = None
    updated_time: int | None = None

    WIRE = _w(order_id=("orderId", S), order_link_id=("orderLinkId", S), category=("category", S),
              symbol=("symbol", S), side=("side", S), order_type=("orderType", S), price=("price", D),
              qty=("qty", D), time_in_force=("timeInForce", S), order_status=("orderStatus", S),
              avg_price=("avgPrice", D), leaves_qty=("leavesQty", D), cum_exec_qty=("cumExecQty", D),
              cum_exec_value=("cumExecValue", D), cum_exec_fee=("cumExecFee", D),
              reject_reason=("rejectReason", S), cancel_type=("cancelType", S), reduce_only=("reduceOnly", B),
              close_on_trigger=("closeOnTrigger", B), trigger_price=("triggerPrice", D),
              trigger_direction=("triggerDirection", I), take_profit=("takeProfit", D), stop_loss=("stopLoss", D),
              stop_order_type=("stopOrderType", S), position_idx=("positionIdx", I),
              created_time=("createdTime", I), updated_time=("updatedTime", I))  # fmt: skip

    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset({"New", "PartiallyFilled", "Untriggered"})

    @property
    def is_open(self) -> bool:
        return self.order_status in self.OPEN_STATUSES


@dataclass(frozen=True, repr=False)
class Execution(Record):
    exec_id: str | None = None
    order_id: str | None = None
    order_link_id: str | None = None
    category: str | None = None
    symbol: str | None = None
    side: str | None = None
    exec_price: Decimal | None = None
    exec_qty: Decimal | None = None
    exec_value: Decimal | None = None
    exec_fee: Decimal | None = None
    exec_type: str | None = None
    exec_time: int | None = None
    is_maker: bool | None = None
    fee_rate: Decimal | None = None
    closed_size: Decimal | None = None
    order_price: Decimal | None = None
    order_qty: Decimal | None = None
    leaves_qty: Decimal | None = None

    WIRE = _w(exec_id=("execId", S), order_id=("orderId", S), order_link_id=("orderLinkId", S),
              category=("category", S), symbol=("symbol", S), side=("side", S), exec_price=("execPrice", D),
              exec_qty=("execQty", D), exec_value=("execValue", D), exec_fee=("execFee", D),
              exec_type=("execType", S), exec_time=("execTime", I), is_maker=("isMaker", B),
              fee_rate=("feeRate", D), closed_size=("closedSize", D), order_price=("orderPrice", D),
              order_qty=("orderQty", D), leaves_qty=("leavesQty", D))  # fmt: skip


@dataclass(frozen=True, repr=False)
class Position(Record):
    """A position. ``avg_price`` reads REST ``avgPrice`` or WebSocket ``entryPrice``."""

    symbol: str | None = None
    category: str | None = None
    side: str | None = None  # Buy, Sell, or "" when flat
    size: Decimal | None = None
    avg_price: Decimal | None = None
    position_value: Decimal | None = None
    leverage: Decimal | None = None
    mark_price: Decimal | None = None
    liq_price: Decimal | None = None
    unrealised_pnl: Decimal | None = None
    cur_realised_pnl: Decimal | None = None
    cum_realised_pnl: Decimal | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    trailing_stop: Decimal | None = None
    position_idx: int | None = None
    position_status: str | None = None
    position_im: Decimal | None = None
    position_mm: Decimal | None = None
    created_time: int | None = None
    updated_time: int | None = None

    WIRE = _w(symbol=("symbol", S), category=("category", S), side=("side", S), size=("size", D),
              avg_price=(("avgPrice", "entryPrice"), D), position_value=("positionValue", D),
              leverage=("leverage", D), mark_price=("markPrice", D), liq_price=("liqPrice", D),
              unrealised_pnl=("unrealisedPnl", D), cur_realised_pnl=("curRealisedPnl", D),
              cum_realised_pnl=("cumRealisedPnl", D), take_profit=("takeProfit", D), stop_loss=("stopLoss", D),
              trailing_stop=("trailingStop", D), position_idx=("positionIdx", I),
              position_status=("positionStatus", S), position_im=("positionIM", D), position_mm=("positionMM", D),
              created_time=("createdTime", I), updated_time=("updatedTime", I))  # fmt: skip

    @property
    def is_flat(self) -> bool:
        return not self.size


@dataclass(frozen=True, repr=False)
class CoinBalance(Record):
    coin: str | None = None
    equity: Decimal | None = None
    wallet_balance: Decimal | None = None
    usd_value: Decimal | None = None
    unrealised_pnl: Decimal | None = None
    cum_realised_pnl: Decimal | None = None
    locked: Decimal | None = None
    total_order_im: Decimal | None = None
    total_position_im: Decimal | None = None
    total_position_mm: Decimal | None = None

    WIRE = _w(coin=("coin", S), equity=("equity", D), wallet_balance=("walletBalance", D), usd_value=("usdValue", D),
              unrealised_pnl=("unrealisedPnl", D), cum_realised_pnl=("cumRealisedPnl", D), locked=("locked", D),
              total_order_im=("totalOrderIM", D), total_position_im=("totalPositionIM", D),
              total_position_mm=("totalPositionMM", D))  # fmt: skip


@dataclass(frozen=True, repr=False)
class Wallet(Record):
    account_type: str | None = None
    total_equity: Decimal | None = None
    total_wallet_balance: Decimal | None = None
    total_margin_balance: Decimal | None = None
    total_available_balance: Decimal | None = None
    total_perp_upl: Decimal | None = None
    total_initial_margin: Decimal | None = None
    total_maintenance_margin: Decimal | None = None
    coins: dict = field(default_factory=dict)  # coin name -> CoinBalance

    WIRE = _w(account_type=("accountType", S), total_equity=("totalEquity", D),
              total_wallet_balance=("totalWalletBalance", D), total_margin_balance=("totalMarginBalance", D),
              total_available_balance=("totalAvailableBalance", D), total_perp_upl=("totalPerpUPL", D),
              total_initial_margin=("totalInitialMargin", D),
              total_maintenance_margin=("totalMaintenanceMargin", D))  # fmt: skip

    @classmethod
    def from_wire(cls, data: dict) -> Wallet:  # type: ignore[override]
        base = super().from_wire(data)
        items = data.get("coin")
        items = items if isinstance(items, list) else ()  # tolerant, like every field: a bad list reads as none
        coins = {c.coin: c for c in (CoinBalance.from_wire(item) for item in items if isinstance(item, dict))}
        return cls(**{**{f: getattr(base, f) for f in cls.WIRE}, "raw": data, "coins": coins})


@dataclass(frozen=True, repr=False)
class ApiKeyInfo(Record):
    """``/v5/user/query-api``. ``expires_at`` is the key's real expiry, ``None`` when it never expires.

    Bybit's docs: ``deadlineDay`` and ``expiredAt`` apply "only for those api key with no IP bound
    or the password has been changed". A key bound to IPs never expires, and Bybit then sends
    ``deadlineDay`` -2 with the epoch placeholder ``expiredAt`` "1970-01-01T00:00:00Z".
    """

    api_key: str | None = None
    note: str | None = None
    read_only: bool | None = None
    permissions: dict | None = None
    ips: list | None = None
    type: int | None = None
    deadline_day: int | None = None
    expired_at: str | None = None
    created_at: str | None = None
    uta: int | None = None
    vip_level: str | None = None
    user_id: int | None = None

    WIRE = _w(api_key=("apiKey", S), note=("note", S), read_only=("readOnly", B), permissions=("permissions", dict),
              ips=("ips", list), type=("type", I), deadline_day=("deadlineDay", I), expired_at=("expiredAt", S),
              created_at=("createdAt", S), uta=("uta", I), vip_level=("vipLevel", S),
              user_id=("userID", I))  # fmt: skip

    @property
    def expires_at(self) -> str | None:
        """The expiry (ISO time) of a key that expires; ``None`` for a key that never does."""
        if self.deadline_day is not None and self.deadline_day < 0:
            return None
        if not self.expired_at or self.expired_at.startswith("1970-01-01"):
            return None
        return self.expired_at


@dataclass(frozen=True, repr=False)
class AccountInfo(Record):
    """``/v5/account/info``: the account's mode and margin settings.

    ``unified_margin_status`` is Bybit's account mode: 1 classic, 3/4 unified
    1.0 (4 Pro), 5/6 unified 2.0 (6 Pro). ``margin_mode`` is
    ``REGULAR_MARGIN`` (cross), ``ISOLATED_MARGIN`` or ``PORTFOLIO_MARGIN``.
    """

    unified_margin_status: int | None = None
    margin_mode: str | None = None
    is_master_trader: bool | None = None
    spot_hedging_status: str | None = None
    updated_time: int | None = None

    WIRE = _w(unified_margin_status=("unifiedMarginStatus", I), margin_mode=("marginMode", S),
              is_master_trader=("isMasterTrader", B), spot_hedging_status=("spotHedgingStatus", S),
              updated_time=("updatedTime", I))  # fmt: skip

    @property
    def is_unified(self) -> bool:
        """A unified trading account (1.0 or 2.0, Pro or not), not a classic one."""
        return self.unified_margin_status is not None and self.unified_margin_status >= 3


@dataclass(frozen=True, repr=False)
class CoinChain(Record):
    """One chain of a coin. ``withdraw_fee`` is ``None`` where the coin cannot be withdrawn on it ("")."""

    chain: str | None = None
    chain_type: str | None = None
    confirmation: int | None = None
    withdraw_fee: Decimal | None = None
    withdraw_percentage_fee: Decimal | None = None  # a fraction: 0.022 = 2.2 %
    deposit_min: Decimal | None = None
    withdraw_min: Decimal | None = None
    min_accuracy: int | None = None  # decimals of a deposit or withdrawal
    deposit_enabled: bool | None = None  # chainDeposit "1"; "0" = suspended
    withdraw_enabled: bool | None = None  # chainWithdraw "1"; "0" = suspended
    contract_address: str | None = None
    safe_confirm_number: int | None = None

    WIRE = _w(chain=("chain", S), chain_type=("chainType", S), confirmation=("confirmation", I),
              withdraw_fee=("withdrawFee", D), withdraw_percentage_fee=("withdrawPercentageFee", D),
              deposit_min=("depositMin", D), withdraw_min=("withdrawMin", D), min_accuracy=("minAccuracy", I),
              deposit_enabled=("chainDeposit", B), withdraw_enabled=("chainWithdraw", B),
              contract_address=("contractAddress", S), safe_confirm_number=("safeConfirmNumber", I))  # fmt: skip


@dataclass(frozen=True, repr=False)
class CoinInfo(Record):
    """One row of ``/v5/asset/coin/query-info``; ``remain_amount`` is the most one withdrawal may take."""

    coin: str | None = None
    name: str | None = None
    remain_amount: Decimal | None = None
    chains: tuple[CoinChain, ...] = ()

    WIRE = _w(coin=("coin", S), name=("name", S), remain_amount=("remainAmount", D))

    @classmethod
    def from_wire(cls, data: dict) -> CoinInfo:  # type: ignore[override]
        base = super().from_wire(data)
        items = data.get("chains")
        items = items if isinstance(items, list) else ()
        chains = tuple(CoinChain.from_wire(item) for item in items if isinstance(item, dict))
        return replace(base, chains=chains)


__all__ += ["AccountInfo", "CoinChain", "CoinInfo"]
