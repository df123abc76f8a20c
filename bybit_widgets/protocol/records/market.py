"""Market data records: server time, instruments, tickers, order books, klines, public trades."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .base import B, D, I, Record, S, _int, _w


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

    WIRE = _w(
        symbol=("symbol", S),
        status=("status", S),
        base_coin=("baseCoin", S),
        quote_coin=("quoteCoin", S),
        contract_type=("contractType", S),
    )

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

    WIRE = _w(
        symbol=("symbol", S),
        last_price=("lastPrice", D),
        mark_price=("markPrice", D),
        index_price=("indexPrice", D),
        prev_price_24h=("prevPrice24h", D),
        price_24h_pcnt=(("price24hPcnt", "change24h"), D),
        high_price_24h=("highPrice24h", D),
        low_price_24h=("lowPrice24h", D),
        volume_24h=("volume24h", D),
        turnover_24h=("turnover24h", D),
        funding_rate=("fundingRate", D),
        next_funding_time=("nextFundingTime", I),
        open_interest=("openInterest", D),
        bid1_price=(("bid1Price", "bidPrice"), D),
        bid1_size=(("bid1Size", "bidSize"), D),
        ask1_price=(("ask1Price", "askPrice"), D),
        ask1_size=(("ask1Size", "askSize"), D),
        tick_direction=("tickDirection", S),
    )


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

    WIRE = _w(
        start=("start", I),
        open=("open", D),
        high=("high", D),
        low=("low", D),
        close=("close", D),
        volume=("volume", D),
        turnover=("turnover", D),
        end=("end", I),
        interval=("interval", S),
        confirm=("confirm", B),
    )

    @classmethod
    def from_rest_row(cls, row: list, interval: str | None = None) -> Kline:
        start, o, h, lo, c, v, t = row[:7]
        return cls(
            raw={"list": row},
            start=int(start),
            open=D(o),
            high=D(h),
            low=D(lo),
            close=D(c),
            volume=D(v),
            turnover=D(t),
            interval=interval,
        )


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

    WIRE = _w(
        trade_id=(("execId", "i"), S),
        symbol=(("symbol", "s"), S),
        price=(("price", "p"), D),
        size=(("size", "v"), D),
        side=(("side", "S"), S),
        time=(("time", "T"), I),
        tick_direction=("L", S),
        is_block_trade=(("isBlockTrade", "BT"), B),
    )


@dataclass(frozen=True, repr=False)
class FundingRate(Record):
    """One settled funding of a perpetual (``/v5/market/funding/history``): the rate paid at ``time``.

    A positive rate means longs paid shorts ``rate x position value`` at that settlement.
    """

    symbol: str | None = None
    funding_rate: Decimal | None = None
    time: int | None = None  # the settlement time, ms

    WIRE = _w(symbol=("symbol", S), funding_rate=("fundingRate", D), time=("fundingRateTimestamp", I))


@dataclass(frozen=True, repr=False)
class OpenInterest(Record):
    """Open interest at the start of one ``intervalTime`` bucket (``/v5/market/open-interest``), in base coin."""

    open_interest: Decimal | None = None
    time: int | None = None  # ms

    WIRE = _w(open_interest=("openInterest", D), time=("timestamp", I))
