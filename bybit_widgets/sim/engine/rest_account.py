"""``/v5/position/*``, ``/v5/account/{wallet-balance,info}`` and ``/v5/user/query-api``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ...protocol.positions import fits_mode
from .accounts import Account, Position
from .categories import category_of
from .errors import SimError, param_error
from .paging import page
from .params import Params
from .rest_common import TRIGGER_BY, check_tpsl, market_of, price_param, reference_price, ticks_of, writable
from .trading import Trading
from .wire import dec

__all__ = ["positions", "trading_stop", "set_leverage", "wallet_balance", "account_info", "query_api"]

ZERO = Decimal(0)
_POSITION_CATEGORIES = ("linear", "inverse", "option")


def positions(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    """The rows of ``symbol`` (flat or not; two in hedge mode), else the open ones of the category (by ``settleCoin``).

    Linear needs ``symbol`` or ``settleCoin``; inverse and option list every
    open position of the category without either (here: none).
    """
    category = category_of(p, _POSITION_CATEGORIES)
    limit = p.limit(20, 200)
    symbol, settle = p.str("symbol"), p.str("settleCoin")
    margin = t.margin(account)
    if symbol is not None:
        market = market_of(t, category, p)
        picked = account.rows(market.inst, t.venue.clock())
    elif category == "linear" and settle is None:
        raise param_error("params error: symbol or settleCoin is required for linear")
    else:
        picked = [
            pos
            for pos in account.positions.values()
            if pos.size and pos.inst.category == category and (settle is None or pos.inst.spec.quote_coin == settle)
        ]
    chunk, cursor = page(picked, limit, p.str("cursor"))
    return {"category": category, "list": [margin.position_item(pos) for pos in chunk], "nextPageCursor": cursor}


# -- position settings ---------------------------------------------------------------------------------
def trading_stop(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    now = t.begin()
    category = category_of(p, ("linear",))
    market = market_of(t, category, p)
    inst = market.inst
    mode = p.req("tpslMode", ("Full", "Partial"))
    idx = p.int("positionIdx")
    if idx is None:
        raise param_error("params error: positionIdx is required")
    if not fits_mode(idx, hedge=inst.symbol in account.hedged):
        raise param_error("position idx not match position mode")
    pos = account.position(inst, now, idx)
    if pos.size == 0:
        raise param_error("can not set tp/sl/ts for zero position")
    long = pos.size > 0
    tp, sl = price_param(inst, p, "takeProfit"), price_param(inst, p, "stopLoss")
    trailing_dec = p.decimal("trailingStop")
    trailing = None
    if trailing_dec is not None:
        trailing = 0 if trailing_dec == 0 else ticks_of(inst, trailing_dec, "trailingStop")
    active = price_param(inst, p, "activePrice") or 0
    tp_by = p.str("tpTriggerBy", choices=TRIGGER_BY, default="LastPrice") or "LastPrice"
    sl_by = p.str("slTriggerBy", choices=TRIGGER_BY, default="LastPrice") or "LastPrice"
    if tp:
        check_tpsl(inst, long, tp, 0, reference_price(market, tp_by))
    if sl:
        check_tpsl(inst, long, 0, sl, reference_price(market, sl_by))
    if mode == "Partial":
        tp_size, sl_size = p.decimal("tpSize"), p.decimal("slSize")
        if (tp and tp_size is None) or (sl and sl_size is None):
            raise param_error("params error: tpSize / slSize are required in Partial mode")
        if tp_size is not None and sl_size is not None and tp_size != sl_size:
            raise param_error("params error: tpSize and slSize must be equal")
        created = False
        for kind, price, size, order_type, limit_name, by in (
            ("PartialTakeProfit", tp, tp_size, "tpOrderType", "tpLimitPrice", tp_by),
            ("PartialStopLoss", sl, sl_size, "slOrderType", "slLimitPrice", sl_by),
        ):
            if not price or size is None:
                continue
            lots = inst.lots_exact(size)
            if not lots or lots > abs(pos.size):
                raise param_error(f"params error: {kind} size must be a qtyStep multiple up to the position size")
            otype = p.str(order_type, choices=("Market", "Limit"), default="Market") or "Market"
            limit = price_param(inst, p, limit_name) or 0
            if otype == "Limit" and not limit:
                raise param_error(f"params error: {limit_name} is required for a Limit {kind}")
            t.triggers.conditional_close(account, inst, not long, kind, price, by, lots, otype, limit, "Partial", idx)
            created = True
        if not created:
            raise SimError(34040, "not modified")
        t.touch_position(account, pos)
        return {}
    if (
        (tp is None or tp == pos.take_profit)
        and (sl is None or sl == pos.stop_loss)
        and (trailing is None or trailing == pos.trailing)
    ):
        raise SimError(34040, "not modified")
    t.triggers.set_position_tpsl(
        account,
        pos,
        tp=None if tp == pos.take_profit else tp,
        sl=None if sl == pos.stop_loss else sl,
        trailing=None if trailing == pos.trailing else trailing,
        active=active,
        tp_by=tp_by,
        sl_by=sl_by,
    )
    t.check_triggers()
    return {}


def set_leverage(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    writable(account)
    now = t.begin()
    category = category_of(p, ("linear",))
    market = market_of(t, category, p)
    inst = market.inst
    buy_lev = p.decimal("buyLeverage", required=True, positive=True)
    sell_lev = p.decimal("sellLeverage", required=True, positive=True)
    assert buy_lev is not None and sell_lev is not None
    if buy_lev != sell_lev:
        raise param_error("buy leverage must be equal to sell leverage in cross margin")
    if not 1 <= buy_lev <= inst.max_leverage or buy_lev % Decimal("0.01"):
        raise param_error(
            f"params error: leverage must be in [1, {dec(inst.max_leverage)}] in steps of 0.01, got {dec(buy_lev)}"
        )
    rows: list[Position] = account.rows(inst, now)
    if buy_lev == rows[0].leverage:
        raise SimError(110043, "Set leverage not modified")
    margin = t.margin(account)

    def reserved() -> Decimal:
        orders = sum((margin.order_cost(o) for o in account.open_orders() if o.inst is inst), ZERO)
        return sum((pos.im() for pos in rows), ZERO) + orders

    before, old = reserved(), rows[0].leverage
    for pos in rows:
        pos.leverage = buy_lev
    if reserved() - before > 0 and margin.available() < 0:
        for pos in rows:
            pos.leverage = old
        raise SimError(110044, "Available margin is insufficient for this leverage")
    for pos in rows:
        pos.updated = now
        pos.leverage_set = now
        t.touch_position(account, pos)
    return {}


# -- account -------------------------------------------------------------------------------------------
def wallet_balance(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    account_type = p.req("accountType")
    if account_type != "UNIFIED":
        raise param_error("accountType only support UNIFIED")
    coin = p.str("coin")
    coins = [c.strip() for c in coin.split(",") if c.strip()] if coin else None
    return {"list": [t.margin(account).wallet_item(coins)]}


def account_info(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    """A unified account 2.0 (``unifiedMarginStatus`` 5; Pro, 6, needs a VIP level) in cross margin.

    UTA 2.0 is what the exchange models: closed orders via ``openOnly=1``,
    ``avgPrice`` ``""`` before a fill. DCP, SMP and spot hedging are not
    modelled: ``OFF`` and ``0``, which Bybit now always reports for the
    deprecated ``dcpStatus``, ``timeWindow`` and ``smpGroup``.
    """
    return {
        "marginMode": "REGULAR_MARGIN",
        "updatedTime": str(account.created),
        "unifiedMarginStatus": 5,
        "dcpStatus": "OFF",
        "timeWindow": 0,
        "smpGroup": 0,
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
    }


def query_api(t: Trading, account: Account, p: Params) -> dict[str, Any]:
    created = _iso(account.created)
    permissions = {
        "ContractTrade": ["Order", "Position"],
        "Spot": ["SpotTrade"],
        "Wallet": ["AccountTransfer"],
        "Options": [],
        "Derivatives": [],
        "CopyTrading": [],
        "BlockTrade": [],
        "Exchange": [],
        "NFT": [],
        "Affiliate": [],
        "Earn": [],
    }
    return {
        "id": account.uid[-6:],
        "note": "bybit-widgets simulator",
        "apiKey": account.api_key,
        "readOnly": 1 if account.read_only else 0,
        "secret": "",
        "permissions": permissions,
        "ips": ["*"],
        "type": 1,
        "deadlineDay": -1,
        "expiredAt": "",
        "createdAt": created,
        "unified": 0,
        "uta": 1,
        "userID": int(account.uid),
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": True,
        "parentUid": "0",
        "kycLevel": "LEVEL_DEFAULT",
        "kycRegion": "",
    }


def _iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
