"""Results of the public ``/v5/market/*`` endpoints (reference 5.1-5.6), from the engine's markets.

Every Bybit category is answered; one with no listed instruments (inverse,
option) gives empty lists, and any symbol in it is unknown (10001). The
handlers read the :class:`~.venue.Venue`; the wire items shared with the
public streams (ticker, kline, book levels) are here too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .candles import INTERVALS
from .categories import CATEGORIES, category_of
from .errors import param_error
from .market import Market
from .paging import page
from .params import Params
from .venue import Venue
from .wire import dec, rate

__all__ = [
    "market_time",
    "instruments_info",
    "tickers",
    "orderbook",
    "kline",
    "recent_trades",
    "ticker_item",
    "kline_item",
    "closed_kline_items",
    "level_pairs",
]

_FUNDING_CAP = "0.005"
_KLINE_CATEGORIES = ("spot", "linear", "inverse")


def _market(venue: Venue, category: str, p: Params) -> Market:
    symbol = p.req("symbol")
    market = venue.markets.get((category, symbol))
    if market is None:
        raise param_error("params error: symbol invalid")
    return market


def market_time(venue: Venue, p: Params) -> dict[str, Any]:
    now = venue.clock()
    return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}


def instruments_info(venue: Venue, p: Params) -> dict[str, Any]:
    category = category_of(p, CATEGORIES)
    symbol = p.str("symbol")
    status = p.str("status", default="Trading")
    base = p.str("baseCoin")
    limit = p.limit(500, 1000)
    markets = [
        m
        for (c, s), m in venue.markets.items()
        if c == category
        and (symbol is None or s == symbol)
        and (base is None or m.inst.spec.base_coin == base)
        and status == "Trading"
    ]
    if category == "spot":
        return {"category": category, "list": [_spot_instrument(m) for m in markets]}
    chunk, cursor = page(markets, limit, p.str("cursor"))
    return {"category": category, "list": [_linear_instrument(m) for m in chunk], "nextPageCursor": cursor}


def _linear_instrument(m: Market) -> dict[str, Any]:
    spec, inst = m.inst.spec, m.inst
    return {
        "symbol": spec.symbol,
        "contractType": "LinearPerpetual",
        "status": "Trading",
        "baseCoin": spec.base_coin,
        "quoteCoin": spec.quote_coin,
        "symbolType": "",
        "launchTime": "1585526400000",
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(inst.price_dp),
        "leverageFilter": {"minLeverage": "1", "maxLeverage": spec.max_leverage, "leverageStep": "0.01"},
        "priceFilter": {
            "minPrice": inst.price_str(inst.min_ticks),
            "maxPrice": inst.price_str(inst.max_ticks),
            "tickSize": spec.tick_size,
        },
        "lotSizeFilter": {
            "maxOrderQty": spec.max_qty,
            "minOrderQty": spec.min_qty,
            "qtyStep": spec.qty_step,
            "postOnlyMaxOrderQty": spec.max_qty,
            "maxMktOrderQty": spec.max_mkt_qty,
            "minNotionalValue": spec.min_notional,
        },
        "unifiedMarginTrade": True,
        "fundingInterval": spec.funding_interval_min,
        "settleCoin": spec.quote_coin,
        "copyTrading": "both",
        "upperFundingRate": _FUNDING_CAP,
        "lowerFundingRate": "-" + _FUNDING_CAP,
        "displayName": "",
        "forbidUplWithdrawal": False,
        "riskParameters": {"priceLimitRatioX": "0.01", "priceLimitRatioY": "0.02"},
        "isPreListing": False,
        "preListingInfo": None,
    }


def _spot_instrument(m: Market) -> dict[str, Any]:
    spec = m.inst.spec
    return {
        "symbol": spec.symbol,
        "baseCoin": spec.base_coin,
        "quoteCoin": spec.quote_coin,
        "innovation": "0",
        "status": "Trading",
        "marginTrading": "utaOnly",
        "stTag": "0",
        "symbolType": "",
        "lotSizeFilter": {
            "basePrecision": spec.qty_step,
            "quotePrecision": spec.quote_precision,
            "minOrderQty": spec.min_qty,
            "maxOrderQty": spec.max_qty,
            "minOrderAmt": spec.min_notional,
            "maxOrderAmt": spec.max_order_amt,
            "maxLimitOrderQty": spec.max_qty,
            "maxMarketOrderQty": spec.max_mkt_qty,
            "postOnlyMaxLimitOrderSize": spec.max_qty,
        },
        "priceFilter": {"tickSize": spec.tick_size},
        "riskParameters": {"priceLimitRatioX": "0.005", "priceLimitRatioY": "0.01"},
    }


def _next_funding(now: int, interval_min: int) -> int:
    period = interval_min * 60_000
    return (now // period + 1) * period


def ticker_item(m: Market, now: int, *, ws: bool) -> dict[str, Any]:
    """The ticker of ``m``: REST (5.3) or WS snapshot (6.4) form."""
    inst = m.inst
    prev, high, low, volume, turnover, prev1h = m.stats24h(now)
    last = m.last
    pct = rate(Decimal(last - prev) / Decimal(prev)) if prev else "0"
    turnover_text = dec((inst.lot_value * turnover).quantize(Decimal("0.0001")))
    stats = {
        "lastPrice": inst.price_str(last),
        "prevPrice24h": inst.price_str(prev),
        "price24hPcnt": pct,
        "highPrice24h": inst.price_str(high),
        "lowPrice24h": inst.price_str(low),
        "turnover24h": turnover_text,
        "volume24h": inst.qty_str(volume),
    }
    index = inst.price_str(m.index_ticks())
    if not inst.is_linear:
        if ws:
            return {"symbol": inst.symbol, **stats, "usdIndexPrice": index}
        bid, ask = m.book.bids.top(1), m.book.asks.top(1)
        return {"symbol": inst.symbol, **_touch(inst, bid, ask), **stats, "usdIndexPrice": index}
    bid, ask = m.book.bids.top(1), m.book.asks.top(1)
    oi_lots = int(m.open_interest)
    mark = inst.price_str(m.mark)
    item = {"symbol": inst.symbol}
    if ws:
        item["tickDirection"] = m.tick_direction
    item.update(stats)
    item.update(
        {
            "prevPrice1h": inst.price_str(prev1h),
            "markPrice": mark,
            "indexPrice": index,
            "openInterest": inst.qty_str(oi_lots),
            "openInterestValue": dec((inst.qty_of(oi_lots) * inst.price_of(m.mark)).quantize(Decimal("0.01"))),
            "fundingRate": dec(m.funding_rate),
            "nextFundingTime": str(_next_funding(now, inst.spec.funding_interval_min)),
            "fundingIntervalHour": str(inst.spec.funding_interval_min // 60),
            "fundingCap": _FUNDING_CAP,
            "predictedDeliveryPrice": "",
            "basisRate": "",
            "basis": "",
            "deliveryFeeRate": "",
            "deliveryTime": "" if ws else "0",
            "preOpenPrice": "",
            "preQty": "",
            "curPreListingPhase": "",
            "basisRateYear": "",
        }
    )
    item.update(_touch(inst, bid, ask))
    return item


def _touch(inst: Any, bid: list[tuple[int, int]], ask: list[tuple[int, int]]) -> dict[str, str]:
    return {
        "bid1Price": inst.price_str(bid[0][0]) if bid else "",
        "bid1Size": inst.qty_str(bid[0][1]) if bid else "",
        "ask1Price": inst.price_str(ask[0][0]) if ask else "",
        "ask1Size": inst.qty_str(ask[0][1]) if ask else "",
    }


def tickers(venue: Venue, p: Params) -> dict[str, Any]:
    category = category_of(p, CATEGORIES)
    symbol = p.str("symbol")
    if category == "option" and symbol is None and not p.has("baseCoin"):
        raise param_error("params error: symbol or baseCoin is required for option")
    now = venue.clock()
    if symbol is not None:
        return {"category": category, "list": [ticker_item(_market(venue, category, p), now, ws=False)]}
    items = [ticker_item(m, now, ws=False) for (c, _), m in venue.markets.items() if c == category]
    return {"category": category, "list": items}


def level_pairs(m: Market, depth: int) -> tuple[list[list[str]], list[list[str]]]:
    """Top ``depth`` bids (descending) and asks (ascending) as ``[[price, size], ...]`` wire strings."""
    price, qty = m.inst.price_str, m.inst.qty_str
    return (
        [[price(p), qty(q)] for p, q in m.book.bids.top(depth)],
        [[price(p), qty(q)] for p, q in m.book.asks.top(depth)],
    )


def orderbook(venue: Venue, p: Params) -> dict[str, Any]:
    category = category_of(p, CATEGORIES)
    market = _market(venue, category, p)
    depth = p.limit(1 if category == "spot" else 25, 1000)
    bids, asks = level_pairs(market, depth)
    now = venue.clock()
    return {"s": market.symbol, "b": bids, "a": asks, "ts": now, "u": market.u, "seq": market.seq, "cts": now}


def kline_item(m: Market, interval: str, now: int) -> dict[str, Any]:
    """The forming candle of ``interval`` as a WS kline item (``confirm`` false)."""
    candle = m.series(interval, now).current
    return _kline_ws(m, interval, candle, False, now)


def _kline_ws(m: Market, interval: str, c: Any, confirm: bool, timestamp: int) -> dict[str, Any]:
    inst = m.inst
    return {
        "start": c.start,
        "end": c.end - 1,
        "interval": interval,
        "open": inst.price_str(c.open),
        "close": inst.price_str(c.close),
        "high": inst.price_str(c.high),
        "low": inst.price_str(c.low),
        "volume": inst.qty_str(c.volume),
        "turnover": dec(inst.lot_value * c.turnover),
        "confirm": confirm,
        "timestamp": timestamp,
    }


def closed_kline_items(m: Market, interval: str, cursor: int, now: int) -> tuple[list[dict[str, Any]], int]:
    series = m.series(interval, now)
    if cursor <= 0:
        return [], series.n_closed + 1
    return [_kline_ws(m, interval, c, True, c.closed_at) for c in series.closed_since(cursor - 1)], series.n_closed + 1


def kline(venue: Venue, p: Params) -> dict[str, Any]:
    category = category_of(p, _KLINE_CATEGORIES, default="linear")
    market = _market(venue, category, p)
    interval = p.req("interval", INTERVALS)
    start = p.time_ms("start")
    end = p.time_ms("end")
    limit = p.limit(200, 1000)
    now = venue.clock()
    series = market.series(interval, now)
    inst = market.inst
    rows: list[list[str]] = []
    for candle in [series.current, *reversed(series.closed)]:
        if end is not None and candle.start > end:
            continue
        if start is not None and candle.start < start:
            break
        rows.append(
            [
                str(candle.start),
                inst.price_str(candle.open),
                inst.price_str(candle.high),
                inst.price_str(candle.low),
                inst.price_str(candle.close),
                inst.qty_str(candle.volume),
                dec(inst.lot_value * candle.turnover),
            ]
        )
        if len(rows) == limit:
            break
    return {"category": category, "symbol": market.symbol, "list": rows}


def recent_trades(venue: Venue, p: Params) -> dict[str, Any]:
    category = category_of(p, CATEGORIES)
    if category == "option" and not p.has("symbol"):  # option trades by baseCoin: no option is listed here
        return {"category": category, "list": []}
    market = _market(venue, category, p)
    limit = p.limit(60, 60) if category == "spot" else p.limit(500, 1000)
    items = [
        {
            "execId": t["i"],
            "symbol": t["s"],
            "price": t["p"],
            "size": t["v"],
            "side": t["S"],
            "time": str(t["T"]),
            "isBlockTrade": False,
            "isRPITrade": False,
            "seq": str(t["seq"]),
        }
        for t in market.recent_trades(limit)
    ]
    return {"category": category, "list": items}
