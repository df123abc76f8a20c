"""User orders and executions: their state and their v5 wire form (REST 5.11/5.12, WS 7.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .instruments import Instrument
from .wire import dec, money

__all__ = ["Order", "Execution", "OPEN_STATUSES", "order_item", "execution_item", "avg_text"]

OPEN_STATUSES = frozenset(("New", "PartiallyFilled", "Untriggered"))
ZERO = Decimal(0)


@dataclass(eq=False, slots=True)
class Order:
    """One user order. ``price`` is ticks (the book reads it), quantities are lots."""

    order_id: str
    link_id: str
    api_key: str
    inst: Instrument
    buy: bool
    order_type: str  # Market | Limit
    price: int  # limit price, or the protective price of a market order (0 for a spot market order)
    qty: int
    leaves: int
    tif: str
    created: int
    seq: int  # creation sequence: the time part of price-time priority between equal timestamps
    status: str = "New"
    updated: int = 0
    reduce_only: bool = False
    position_idx: int = 0  # 0 one-way, 1 / 2 the hedge side it opens or closes
    close_on_trigger: bool = False
    cum_qty: int = 0
    cum_value: Decimal = ZERO
    cum_fee: Decimal = ZERO
    fee_coin: str = "USDT"
    closed_pnl: Decimal = ZERO
    create_type: str = "CreateByUser"
    cancel_type: str = "UNKNOWN"
    reject_reason: str = "EC_NoError"
    stop_order_type: str = ""
    trigger_price: int = 0
    trigger_direction: int = 0
    trigger_by: str = "UNKNOWN"
    trailing: int = 0  # trailing-stop distance in ticks (0: none)
    active_price: int = 0  # trailing stop starts following once this price is reached
    take_profit: int = 0
    stop_loss: int = 0
    tp_trigger_by: str = ""
    sl_trigger_by: str = ""
    tpsl_mode: str = ""
    tp_order_type: str = "Market"
    sl_order_type: str = "Market"
    tp_limit: int = 0
    sl_limit: int = 0
    last_price_on_created: int = 0
    market_unit: str = ""  # spot market orders: baseCoin | quoteCoin
    quote_qty: Decimal | None = None  # spot market buy by quote value
    order_filter: str = "Order"  # spot: Order | tpslOrder | StopOrder
    resting: bool = False  # queued in the book
    tpsl_applied: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def conditional(self) -> bool:
        return self.status == "Untriggered"

    @property
    def side(self) -> str:
        return "Buy" if self.buy else "Sell"


@dataclass(slots=True)
class Execution:
    exec_id: str
    order: Order
    price: int
    lots: int
    value: Decimal
    fee: Decimal
    fee_rate: Decimal
    is_maker: bool
    time: int
    seq: int
    pnl: Decimal
    closed_lots: int
    leaves: int  # of the order right after this fill
    mark: int
    index: int
    exec_type: str = "Trade"  # or "Funding": a funding payment (fee = what was paid, negative if received)


def _avg(o: Order) -> str:
    """The average fill price; a unified account sends ``""`` while nothing is filled (any category)."""
    if not o.cum_qty:
        return ""
    return avg_text(o.cum_value / o.inst.qty_of(o.cum_qty), o.inst.price_dp)


def avg_text(avg: Decimal, price_dp: int) -> str:
    """An average price: at least the tick's decimals ("87999.40"), more only when it is between ticks."""
    text = dec(avg.quantize(Decimal(1).scaleb(-(price_dp + 4))))
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(price_dp, '0')}" if price_dp else text


def order_item(o: Order, *, ws: bool = False) -> dict[str, Any]:
    """The v5 order object; ``ws`` adds the private-stream fields (``category``, ``closedPnl``...)."""
    inst = o.inst
    price_str, qty_str = inst.price_str, inst.qty_str
    linear = inst.is_linear
    zero_price = price_str(0)
    qty = qty_str(o.qty) if o.quote_qty is None else dec(o.quote_qty)
    leaves = qty_str(o.leaves) if o.is_open else qty_str(0)
    item: dict[str, Any] = {
        "orderId": o.order_id,
        "orderLinkId": o.link_id,
        "parentOrderLinkId": "",
        "blockTradeId": "",
        "symbol": inst.symbol,
        "price": price_str(o.price)
        if o.price and (linear or o.order_type == "Limit")
        else ("0" if not linear else zero_price),
        "qty": qty,
        "side": o.side,
        "isLeverage": "" if linear else "0",
        "positionIdx": o.position_idx,
        "orderStatus": o.status,
        "createType": o.create_type,
        "cancelType": o.cancel_type,
        "rejectReason": o.reject_reason,
        "avgPrice": _avg(o),
        "leavesQty": leaves,
        "leavesValue": dec(inst.value_of(o.price, o.leaves)) if o.is_open and o.price else "0",
        "cumExecQty": qty_str(o.cum_qty),
        "cumExecValue": dec(o.cum_value),
        "cumExecFee": money(o.cum_fee),
        "cumFeeDetail": {o.fee_coin: money(o.cum_fee)} if o.cum_qty else {},
        "timeInForce": o.tif,
        "orderType": o.order_type,
        "stopOrderType": o.stop_order_type,
        "orderIv": "",
        "marketUnit": o.market_unit,
        "triggerPrice": price_str(o.trigger_price) if o.trigger_price else zero_price,
        "takeProfit": price_str(o.take_profit) if o.take_profit else zero_price,
        "stopLoss": price_str(o.stop_loss) if o.stop_loss else zero_price,
        "tpslMode": o.tpsl_mode,
        "ocoTriggerBy": "",
        "tpLimitPrice": price_str(o.tp_limit) if o.tp_limit else zero_price,
        "slLimitPrice": price_str(o.sl_limit) if o.sl_limit else zero_price,
        "tpTriggerBy": o.tp_trigger_by,
        "slTriggerBy": o.sl_trigger_by,
        "triggerDirection": o.trigger_direction,
        "triggerBy": o.trigger_by,
        "lastPriceOnCreated": price_str(o.last_price_on_created),
        "basePrice": "" if linear else price_str(o.last_price_on_created),
        "reduceOnly": o.reduce_only,
        "closeOnTrigger": o.close_on_trigger,
        "placeType": "",
        "smpType": "None",
        "smpGroup": 0,
        "smpOrderId": "",
        "createdTime": str(o.created),
        "updatedTime": str(o.updated or o.created),
        "slippageToleranceType": "UNKNOWN",
        "slippageTolerance": "0",
        "extraFees": "",
    }
    if ws:
        item["category"] = inst.category
        item["closedPnl"] = money(o.closed_pnl)
        item["feeCurrency"] = ""
        item["brokerOrderPrice"] = ""
    return item


def execution_item(e: Execution, *, ws: bool = False) -> dict[str, Any]:
    """The v5 execution object: REST 5.12, or the ``execution`` stream item with ``ws``."""
    o = e.order
    inst = o.inst
    item: dict[str, Any] = {
        "symbol": inst.symbol,
        "orderId": o.order_id,
        "orderLinkId": o.link_id,
        "side": o.side,
        "orderPrice": inst.price_str(o.price) if o.price else "0",
        "orderQty": inst.qty_str(o.qty) if o.quote_qty is None else dec(o.quote_qty),
        "leavesQty": inst.qty_str(e.leaves),
        "createType": o.create_type,
        "orderType": o.order_type,
        "stopOrderType": o.stop_order_type or ("UNKNOWN" if e.exec_type == "Funding" else ""),
        "execFee": money(e.fee),
        "execFeeV2": "",
        "execId": e.exec_id,
        "execPrice": inst.price_str(e.price),
        "execQty": inst.qty_str(e.lots),
        "execType": e.exec_type,
        "execValue": dec(e.value),
        "execTime": str(e.time),
        "feeCurrency": o.fee_coin,
        "isMaker": e.is_maker,
        "feeRate": dec(e.fee_rate),
        "tradeIv": "",
        "markIv": "",
        "markPrice": inst.price_str(e.mark) if inst.is_linear else "",
        "indexPrice": inst.price_str(e.index) if inst.is_linear else "",
        "underlyingPrice": "",
        "blockTradeId": "",
        "closedSize": inst.qty_str(e.closed_lots),
        "seq": e.seq,
        "extraFees": "",
    }
    if ws:
        item["category"] = inst.category
        item["isLeverage"] = "" if inst.is_linear else "0"
        item["execPnl"] = money(e.pnl)
        item["marketUnit"] = o.market_unit
    return item
