"""Unified accounts: a wallet of coins, linear positions (one-way or hedged), margin and PnL.

Money is ``Decimal`` quantised to 8 decimals wherever a product or quotient
could produce more (fees, the cost basis released by a partial close), so
every balance change is an exact sum. Positions are keyed by symbol and
``positionIdx``: one row (0) for a one-way symbol, two (1 long, 2 short) for a
symbol in ``Account.hedged``; the rules of the index are in
``protocol.positions``. A position keeps its exact cost basis
(``entry``) rather than an average price: then wallet + unrealised PnL moves
by exactly ``(mark - fill price) * signed qty - fee`` per fill, which is the
conservation law the tests check.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from ...protocol.positions import HEDGE_BUY, HEDGE_SELL, ONE_WAY
from .instruments import Instrument
from .ledger import Ledger
from .orders import Execution, Order, avg_text
from .wire import EIGHT, dec, money, rate

__all__ = ["Account", "Accounts", "Position", "Margin", "fee_tier"]

ZERO = Decimal(0)
DEFAULT_LEVERAGE = Decimal(10)
_KEEP_CLOSED = 500  # closed orders kept per account (Bybit: 500 recent via openOnly=1)
_KEEP_EXECUTIONS = 10_000


@dataclass(eq=False, slots=True)
class Position:
    """A linear position; ``size`` in lots, positive long, negative short (hedge rows keep their sign)."""

    inst: Instrument
    created: int
    idx: int = ONE_WAY  # positionIdx: 0 one-way, 1 hedge long, 2 hedge short
    size: int = 0
    entry: Decimal = ZERO  # exact cost basis of abs(size)
    open_fee: Decimal = ZERO  # the opening fees abs(size) carries, released into closed PnL as it closes
    leverage: Decimal = DEFAULT_LEVERAGE
    cum_realised: Decimal = ZERO
    cur_realised: Decimal = ZERO
    updated: int = 0
    opened: int = 0
    seq: int = 0
    take_profit: int = 0
    stop_loss: int = 0
    trailing: int = 0
    tp_trigger_by: str = ""
    sl_trigger_by: str = ""
    leverage_set: int = 0

    @property
    def side(self) -> str:
        return "Buy" if self.size > 0 else "Sell" if self.size < 0 else ""

    def value_at(self, ticks: int) -> Decimal:
        return self.inst.value_of(ticks, abs(self.size))

    def upl(self, mark: int) -> Decimal:
        if not self.size:
            return ZERO
        diff = self.value_at(mark) - self.entry
        return diff if self.size > 0 else -diff

    def im(self) -> Decimal:
        return (self.entry / self.leverage).quantize(EIGHT, ROUND_HALF_UP) if self.size else ZERO

    def mm(self, mark: int) -> Decimal:
        return (self.value_at(mark) * self.inst.mmr).quantize(EIGHT, ROUND_HALF_UP) if self.size else ZERO

    def avg_price(self) -> Decimal:
        return self.entry / self.inst.qty_of(abs(self.size)) if self.size else ZERO

    def fill(self, buy: bool, lots: int, price: int) -> tuple[Decimal, int]:
        """Apply a fill of ``lots`` at ``price`` ticks; returns (realised PnL before fees, lots closed)."""
        inst = self.inst
        direction = 1 if buy else -1
        size = self.size
        if size == 0 or (size > 0) == buy:
            self.entry += inst.value_of(price, lots)
            self.size = size + direction * lots
            return ZERO, 0
        held = abs(size)
        closing = min(lots, held)
        if closing == held:
            released = self.entry
        else:
            released = (self.entry * closing / held).quantize(EIGHT, ROUND_HALF_UP)
        closing_value = inst.value_of(price, closing)
        pnl = closing_value - released if size > 0 else released - closing_value
        self.entry -= released
        self.size = size + direction * closing
        rest = lots - closing
        if rest:
            self.entry = inst.value_of(price, rest)
            self.size = direction * rest
        return pnl, closing


@dataclass(eq=False)
class Account:
    api_key: str
    secret: str
    read_only: bool
    uid: str
    created: int
    coins: dict[str, Decimal] = field(default_factory=dict)
    cum_realised: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[tuple[str, int], Position] = field(default_factory=dict)  # (symbol, positionIdx)
    hedged: set[str] = field(default_factory=set)  # symbols in hedge mode
    orders: dict[str, Order] = field(default_factory=dict)  # open and kept closed, by orderId
    links: dict[str, Order] = field(default_factory=dict)  # by orderLinkId
    closed: deque[Order] = field(default_factory=lambda: deque())
    executions: deque[Execution] = field(default_factory=lambda: deque(maxlen=_KEEP_EXECUTIONS))
    ledger: Ledger = field(default_factory=Ledger)
    fee_rates: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # category -> (maker, taker)

    def fees_of(self, inst: Instrument) -> tuple[Decimal, Decimal]:
        """``(maker, taker)`` this account pays on ``inst``: its tier's rates for the category, else the default."""
        return self.fee_rates.get(inst.category, (inst.maker_fee, inst.taker_fee))

    def __repr__(self) -> str:  # the secret never appears
        return f"Account(api_key={self.api_key!r}, uid={self.uid})"

    def position(self, inst: Instrument, now: int, idx: int = ONE_WAY) -> Position:
        pos = self.positions.get((inst.symbol, idx))
        if pos is None:
            pos = self.positions[(inst.symbol, idx)] = Position(inst, now, idx, updated=now)
        return pos

    def position_of(self, order: Order, now: int) -> Position:
        """The position ``order`` opens or closes (its ``positionIdx``)."""
        return self.position(order.inst, now, order.position_idx)

    def rows(self, inst: Instrument, now: int) -> list[Position]:
        """The rows of ``inst`` in its mode: ``[one-way]`` or ``[long, short]``."""
        if inst.symbol in self.hedged:
            return [self.position(inst, now, HEDGE_BUY), self.position(inst, now, HEDGE_SELL)]
        return [self.position(inst, now)]

    def held(self, symbol: str) -> list[Position]:
        """The open (non-flat) positions of ``symbol``, whatever its mode."""
        return [pos for (sym, _), pos in self.positions.items() if sym == symbol and pos.size]

    def open_orders(self) -> list[Order]:
        return [o for o in self.orders.values() if o.is_open]

    def close_order(self, order: Order) -> None:
        """Keep a finished order for history, forgetting the oldest beyond the limit."""
        self.closed.append(order)
        while len(self.closed) > _KEEP_CLOSED:
            old = self.closed.popleft()
            self.orders.pop(old.order_id, None)
            if self.links.get(old.link_id) is old:
                del self.links[old.link_id]


_FEE_CATEGORIES = ("linear", "spot")
_MAX_FEE = Decimal("0.01")


def fee_tier(spec: Any) -> dict[str, tuple[Decimal, Decimal]]:
    """An account's fee tier from ``{"linear": {"maker": "0.0001", "taker": "0.0004"}, ...}``.

    Rates are decimal strings within +/-1 % (a negative maker rate is a rebate,
    as market-maker levels pay); a wrong shape is refused naming what was expected.
    """
    if not isinstance(spec, dict) or set(spec) - set(_FEE_CATEGORIES):
        raise ValueError(f'fee_rates must map "linear" / "spot" to {{"maker": ..., "taker": ...}}, got {spec!r}')
    tier = {}
    for category, rates in spec.items():
        if not isinstance(rates, dict) or set(rates) != {"maker", "taker"}:
            raise ValueError(
                f'fee_rates["{category}"] must be {{"maker": "0.0002", "taker": "0.00055"}}, got {rates!r}'
            )
        pair = []
        for name in ("maker", "taker"):
            text = rates[name]
            try:
                value = Decimal(text) if isinstance(text, str) else None
            except ArithmeticError:
                value = None
            if value is None or not value.is_finite() or abs(value) > _MAX_FEE:
                raise ValueError(
                    f'fee_rates["{category}"]["{name}"] must be a decimal string within +/-0.01, got {text!r}'
                )
            pair.append(value)
        tier[category] = (pair[0], pair[1])
    return tier


class Accounts:
    """The accounts of the exchange, by API key."""

    def __init__(self, clock: Callable[[], int]) -> None:
        self._by_key: dict[str, Account] = {}
        self._clock = clock

    def get(self, api_key: str) -> Account | None:
        return self._by_key.get(api_key)

    def __iter__(self) -> Any:
        return iter(self._by_key.values())

    def ensure(self, api_key: str, api_secret: str, *, read_only: bool, balance: Decimal) -> Account:
        if not isinstance(api_key, str) or not api_key or not isinstance(api_secret, str) or not api_secret:
            raise ValueError("api_key and api_secret must be non-empty strings")
        account = self._by_key.get(api_key)
        if account is not None:
            if account.secret != api_secret:
                raise ValueError(f"api key {api_key!r} already exists with another secret")
            return account
        uid = str(100_000_000 + zlib.crc32(api_key.encode()) % 900_000_000)
        account = Account(api_key, api_secret, read_only, uid, self._clock(), coins={"USDT": balance})
        self._by_key[api_key] = account
        return account


class Margin:
    """Margin arithmetic of one account against the current marks (one instance per computation)."""

    def __init__(
        self, account: Account, mark_of: Callable[[Instrument], int], spot_price_of: Callable[[str], Decimal]
    ) -> None:
        self.account = account
        self.mark_of = mark_of
        self.spot_price_of = spot_price_of

    # -- components ---------------------------------------------------------------------------------
    def upl(self) -> Decimal:
        return sum((p.upl(self.mark_of(p.inst)) for p in self.account.positions.values()), ZERO)

    def position_im(self) -> Decimal:
        return sum((p.im() for p in self.account.positions.values()), ZERO)

    def position_mm(self) -> Decimal:
        return sum((p.mm(self.mark_of(p.inst)) for p in self.account.positions.values()), ZERO)

    def order_im(self, extra: Iterable[Order] = ()) -> Decimal:
        total = ZERO
        for order in [*self.account.open_orders(), *extra]:
            total += self.order_cost(order)
        return total

    def order_cost(self, order: Order, *, price: int | None = None, leaves: int | None = None) -> Decimal:
        """Initial margin an open linear order reserves: the part that would open or grow a position.

        ``price`` / ``leaves`` override the order's own, to price an amend or a
        market order before it exists.
        """
        inst = order.inst
        if not inst.is_linear or order.reduce_only or order.close_on_trigger or order.status == "Untriggered":
            return ZERO
        pos = self.account.positions.get((inst.symbol, order.position_idx))
        opening = order.leaves if leaves is None else leaves
        leverage = DEFAULT_LEVERAGE
        if pos is not None:
            leverage = pos.leverage
            if pos.size and (pos.size > 0) != order.buy:
                opening = max(0, opening - abs(pos.size))
        ticks = price if price is not None else (order.price or self.mark_of(inst))
        return (inst.value_of(ticks, opening) / leverage).quantize(EIGHT, ROUND_CEILING)

    def spot_locked(self, coin: str) -> Decimal:
        """Coin reserved by open spot orders: quote for buys, base for sells."""
        total = ZERO
        for order in self.account.open_orders():
            inst = order.inst
            if inst.is_linear or order.status == "Untriggered":
                continue
            if order.buy and inst.spec.quote_coin == coin:
                total += inst.value_of(order.price, order.leaves)
            elif not order.buy and inst.spec.base_coin == coin:
                total += inst.qty_of(order.leaves)
        return total

    def usd(self, coin: str, amount: Decimal) -> Decimal:
        return amount if coin in ("USDT", "USDC") else amount * self.spot_price_of(coin)

    def available(self) -> Decimal:
        """``totalAvailableBalance``: margin balance minus initial margin of positions and orders."""
        coins = self.account.coins
        wallet = sum((self.usd(c, v) for c, v in coins.items()), ZERO)
        locked = sum((self.usd(c, self.spot_locked(c)) for c in coins), ZERO)
        return wallet + self.upl() - self.position_im() - self.order_im() - locked

    def free(self, coin: str) -> Decimal:
        """Spendable units of ``coin`` for a spot order."""
        free = self.account.coins.get(coin, ZERO) - self.spot_locked(coin)
        if coin == "USDT":
            free = min(free, self.available())
        return free

    # -- wire ----------------------------------------------------------------------------------------
    def liq_price(self, pos: Position) -> str:
        if not pos.size:
            return ""
        others = [p for p in self.account.positions.values() if p is not pos]
        equity = sum((self.usd(c, v) for c, v in self.account.coins.items()), ZERO)
        equity += sum((p.upl(self.mark_of(p.inst)) - p.mm(self.mark_of(p.inst)) for p in others), ZERO)
        qty = pos.inst.qty_of(abs(pos.size))
        mmr = pos.inst.mmr
        if pos.size > 0:
            price = (pos.entry - equity) / (qty * (1 - mmr))
            rounding = ROUND_CEILING
        else:
            price = (pos.entry + equity) / (qty * (1 + mmr))
            rounding = ROUND_FLOOR
        if price <= 0:
            return ""
        ticks = int((price / pos.inst.tick).to_integral_value(rounding))
        return pos.inst.price_str(min(max(ticks, pos.inst.min_ticks), pos.inst.max_ticks))

    def position_item(self, pos: Position, *, ws: bool = False) -> dict[str, Any]:
        inst = pos.inst
        mark = self.mark_of(inst)
        price_str = inst.price_str
        zero = price_str(0)
        avg = pos.avg_price()
        fee = self.account.fees_of(inst)[1]
        if pos.size > 0:
            break_even = avg * (1 + fee) / (1 - fee)
        elif pos.size < 0:
            break_even = avg * (1 - fee) / (1 + fee)
        else:
            break_even = ZERO
        avg_wire = avg_text(avg, inst.price_dp) if pos.size else "0"
        im, mm = pos.im(), pos.mm(mark)
        item: dict[str, Any] = {
            "positionIdx": pos.idx,
            "riskId": 1,
            "riskLimitValue": "2000000",
            "symbol": inst.symbol,
            "side": pos.side,
            "size": inst.qty_str(abs(pos.size)),
            ("entryPrice" if ws else "avgPrice"): avg_wire,
            "positionValue": money(pos.entry) if pos.size else "",
            "autoAddMargin": 0,
            "positionStatus": "Normal",
            "leverage": dec(pos.leverage),
            "breakEvenPrice": dec(break_even.quantize(inst.tick)) if pos.size else "",
            "markPrice": price_str(mark),
            "liqPrice": self.liq_price(pos),
            "bustPrice": "",
            "positionIM": money(im),
            "positionIMByMp": money(im),
            "positionMM": money(mm),
            "positionMMByMp": money(mm),
            "positionBalance": money(im),
            "takeProfit": price_str(pos.take_profit) if pos.take_profit else zero,
            "stopLoss": price_str(pos.stop_loss) if pos.stop_loss else zero,
            "trailingStop": price_str(pos.trailing) if pos.trailing else zero,
            "sessionAvgPrice": "",
            "delta": "",
            "gamma": "",
            "vega": "",
            "theta": "",
            "unrealisedPnl": money(pos.upl(mark)),
            "curRealisedPnl": money(pos.cur_realised),
            "cumRealisedPnl": money(pos.cum_realised),
            "adlRankIndicator": (1 + min(4, abs(pos.size) * 5 // max(1, inst.max_lots))) if pos.size else 0,
            "createdTime": str(pos.created),
            "updatedTime": str(pos.updated),
            "openTime": pos.opened,
            "seq": pos.seq,
            "isReduceOnly": False,
            "mmrSysUpdatedTime": "",
            "leverageSysUpdatedTime": "",
            "tpslMode": "Full",
            "tradeMode": 0,
        }
        if ws:
            item["category"] = "linear"
        return item

    def wallet_item(self, coins: list[str] | None = None) -> dict[str, Any]:
        account = self.account
        upl_total = ZERO
        coin_items = []
        positions = list(account.positions.values())
        totals_wallet = totals_equity = ZERO
        order_im_usdt = self.order_im()
        pos_im = self.position_im()
        pos_mm = self.position_mm()
        locked_usd = ZERO
        for coin, balance in account.coins.items():
            settled = [p for p in positions if p.inst.spec.quote_coin == coin]
            upl = sum((p.upl(self.mark_of(p.inst)) for p in settled), ZERO)
            upl_total += upl
            locked = self.spot_locked(coin)
            locked_usd += self.usd(coin, locked)
            equity = balance + upl
            usd = self.usd(coin, equity)
            totals_wallet += self.usd(coin, balance)
            totals_equity += usd
            if coins is not None and coin not in coins:
                continue
            if coins is None and not balance and coin != "USDT":
                continue
            is_settle = bool(settled) or coin == "USDT"
            coin_items.append(
                {
                    "coin": coin,
                    "equity": money(equity),
                    "usdValue": money(usd),
                    "walletBalance": money(balance),
                    "locked": money(locked),
                    "spotHedgingQty": "0",
                    "borrowAmount": "0",
                    "accruedInterest": "0",
                    "totalOrderIM": money(order_im_usdt) if is_settle else "0",
                    "totalPositionIM": money(pos_im) if is_settle else "0",
                    "totalPositionMM": money(pos_mm) if is_settle else "0",
                    "unrealisedPnl": money(upl),
                    "cumRealisedPnl": money(account.cum_realised.get(coin, ZERO)),
                    "bonus": "0",
                    "marginCollateral": True,
                    "collateralSwitch": True,
                    "spotBorrow": "0",
                    "free": "",
                    "availableToWithdraw": "",
                    "availableToBorrow": "",
                }
            )
        margin_balance = totals_wallet + upl_total
        initial = pos_im + order_im_usdt
        available = margin_balance - initial - locked_usd
        im_rate = rate(initial / margin_balance, 4) if margin_balance > 0 else "0"
        mm_rate = rate(pos_mm / margin_balance, 4) if margin_balance > 0 else "0"
        return {
            "accountType": "UNIFIED",
            "accountIMRate": im_rate,
            "accountMMRate": mm_rate,
            "accountIMRateByMp": im_rate,
            "accountMMRateByMp": mm_rate,
            "totalEquity": money(totals_equity),
            "totalWalletBalance": money(totals_wallet),
            "totalMarginBalance": money(margin_balance),
            "totalAvailableBalance": money(available),
            "totalPerpUPL": money(upl_total),
            "totalInitialMargin": money(initial),
            "totalInitialMarginByMp": money(initial),
            "totalMaintenanceMargin": money(pos_mm),
            "totalMaintenanceMarginByMp": money(pos_mm),
            "accountLTV": "0",
            "coin": coin_items,
        }
