"""Funding: at each funding time every open linear position pays or receives ``value at mark x rate``.

Funding times are the instrument's ``fundingInterval`` grid on the UTC clock (00:00, 08:00 and
16:00 for 480 minutes). A positive rate means longs pay shorts. The payment goes into the wallet at
once, into the position's realised PnL (``curRealisedPnl``, ``cumRealisedPnl``, as Bybit counts
it), into the transaction log as a ``SETTLEMENT`` row and into the executions as ``execType``
``Funding`` (``execFee`` what was paid, negative when received; ``execQty`` the position's size,
``execPrice`` the mark, ``feeRate`` the rate), the way ``/v5/execution/list`` reports funding and
ccxt's ``fetch_funding_history`` reads it; the private stream then sends that execution, the
position and the wallet.

Decision: the rate settled at a funding time is the one the funding history shows for that time
(:func:`settled_rate`, drawn from the seed, see :mod:`.rest_derivs`), so history and payments
agree; a settlement asked for at another moment (``POST /sim/funding``, for lessons and tests)
uses the rate the tickers show then, the one a trader would expect to be charged next.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from .accounts import Account, Position
from .desk import Desk
from .market import Market
from .orders import Execution, Order
from .wire import EIGHT

__all__ = ["Funding", "interval_ms", "settled_rate"]

_BASE_RATE = Decimal("0.0001")


def settled_rate(seed: int, market: Market, t: int) -> Decimal:
    """The rate settled at funding time ``t``: 0.01 % (Bybit's base rate) most of the time, else a few bp off."""
    rng = random.Random(f"bybit-widgets/{seed}/{market.inst.category}/{market.inst.symbol}/funding/{t}")
    if rng.random() < 0.6:
        return _BASE_RATE
    return (_BASE_RATE + Decimal(rng.gauss(0.0, 0.00008))).quantize(EIGHT)


def interval_ms(market: Market) -> int:
    """The time between two funding settlements of ``market``, ms."""
    return market.inst.spec.funding_interval_min * 60_000


class Funding:
    """Settles funding when the clock passes a funding time, or on request."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        now = desk.now
        self._next = {
            m: (now // interval_ms(m) + 1) * interval_ms(m) for m in desk.venue.markets.values() if m.inst.is_linear
        }

    def due(self, now: int) -> None:
        """Settle every funding time passed since the last call (each once)."""
        for market, at in self._next.items():
            if now >= at:
                self.settle(market, settled_rate(self.desk.venue.seed, market, at), at)
                self._next[market] = at + interval_ms(market)

    def settle(self, market: Market, rate: Decimal, now: int) -> int:
        """Pay ``rate`` on every open position in ``market`` (both sides of a hedged one); how many were settled."""
        settled = 0
        inst = market.inst
        for account in self.desk.accounts:
            for pos in account.held(inst.symbol):
                owed = (pos.value_at(market.mark) * rate).quantize(EIGHT, ROUND_HALF_UP)
                paid = -owed if pos.size > 0 else owed
                account.coins["USDT"] = account.coins.get("USDT", Decimal(0)) + paid
                account.cum_realised["USDT"] = account.cum_realised.get("USDT", Decimal(0)) + paid
                pos.cum_realised += paid
                pos.cur_realised += paid
                pos.updated = now
                account.ledger.funding(inst, pos.size, market.mark, rate, paid, account.coins["USDT"], now)
                self._execution(account, market, pos, rate, paid, now)
                self.desk.outbox.position(account, pos)
                self.desk.outbox.wallet(account)
                settled += 1
        return settled

    def _execution(
        self, account: Account, market: Market, pos: Position, rate: Decimal, paid: Decimal, now: int
    ) -> None:
        """The ``Funding`` execution of one payment (it belongs to no order: a stand-in carries its fields)."""
        desk = self.desk
        inst = market.inst
        stand_in = Order(
            desk.new_id(),
            "",
            account.api_key,
            inst,
            pos.size > 0,
            "UNKNOWN",
            0,
            0,
            0,
            "",
            now,
            0,
            status="Filled",
            create_type="",
            fee_coin="USDT",
        )
        lots = abs(pos.size)
        execution = Execution(
            desk.new_id(),
            stand_in,
            market.mark,
            lots,
            pos.value_at(market.mark),
            -paid,
            rate,
            False,
            now,
            market.seq,
            Decimal(0),
            0,
            0,
            market.mark,
            market.index_ticks(),
            exec_type="Funding",
        )
        account.executions.append(execution)
        desk.outbox.execution(account, execution)
