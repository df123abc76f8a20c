"""The PnL book and the equity curve, sans I/O.

Rule relied on (Bybit v5 "Get Transaction Log"): each row's ``change = cashFlow + funding - fee``,
TRADE rows carry the realised PnL of a close in ``cashFlow``, SETTLEMENT rows the funding
(positive when received).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bybit_widgets.protocol.records import Transaction
from bybit_widgets.stream.pnl import EquityCurve, PnLBook


def tx(i: int, kind: str, symbol: str, cash: str = "0", fee: str = "0", funding: str = "0", t: int = 0) -> Transaction:
    change = Decimal(cash) + Decimal(funding) - Decimal(fee)
    return Transaction.from_wire(
        {
            "id": str(i),
            "symbol": symbol,
            "type": kind,
            "cashFlow": cash,
            "fee": fee,
            "funding": funding,
            "change": str(change),
            "transactionTime": str(t or i),
        }
    )


def test_totals_by_symbol_split_realised_fees_and_funding_and_a_row_read_twice_counts_once():
    book = PnLBook()
    rows = [
        tx(1, "TRADE", "BTCUSDT", fee="0.5"),
        tx(2, "SETTLEMENT", "BTCUSDT", funding="-0.12"),
        tx(3, "TRADE", "BTCUSDT", cash="12.3", fee="0.6"),
        tx(4, "TRADE", "ETHUSDT", cash="-2", fee="0.1"),
    ]
    assert book.add(rows) == 4 and book.add(rows[2:]) == 0
    btc, eth = book.by_symbol()["BTCUSDT"], book.by_symbol()["ETHUSDT"]
    assert (btc.realised, btc.fees, btc.funding, btc.trades) == (Decimal("12.3"), Decimal("1.1"), Decimal("-0.12"), 2)
    assert btc.net == Decimal("11.08") and eth.net == Decimal("-2.1")
    assert book.total().net == book.change() == Decimal("8.98")
    assert book.newest_ms == 4
    assert book.fills(2) == [(3, ""), (4, "")] and book.fills(0) == []  # TRADE rows only, newest kept
    assert PnLBook().opening() is None


amounts = st.decimals(min_value=-1000, max_value=1000, places=8, allow_nan=False)


@given(st.lists(st.tuples(st.sampled_from(["TRADE", "SETTLEMENT"]), st.sampled_from(["A", "B"]), amounts, amounts)))
def test_the_net_of_the_totals_is_always_what_the_wallet_moved_by(rows):
    book = PnLBook()
    book.add(
        tx(
            i,
            kind,
            sym,
            cash=str(a) if kind == "TRADE" else "0",
            fee=str(abs(b)) if kind == "TRADE" else "0",
            funding=str(a) if kind == "SETTLEMENT" else "0",
        )
        for i, (kind, sym, a, b) in enumerate(rows)
    )
    assert book.total().net == book.change() == sum((t.net for t in book.by_symbol().values()), Decimal(0))


def test_the_curve_samples_once_a_step_with_a_live_tip_and_thins_itself_to_fit():
    curve = EquityCurve(max_points=4, step_ms=1000)
    assert curve.add(0, 10.0) and not curve.add(400, 11.0)  # within the step: the tip moves
    assert curve.points == [(0, 11.0)]
    for t in (1000, 2000, 3000):
        curve.add(t, t / 100)
    assert len(curve.points) == 4
    curve.add(4000, 40.0)  # a fifth point: every other one goes, the step doubles
    assert curve.points == [(0, 11.0), (2000, 20.0), (4000, 40.0)] and curve.step_ms == 2000
    assert curve.flat() == [0, 11.0, 2000, 20.0, 4000, 40.0]
    curve.begin(-500, 9.0)
    curve.begin(100, 1.0)  # not earlier than the first point: ignored
    assert curve.points[:2] == [(-500, 9.0), (0, 11.0)]
    with pytest.raises(ValueError, match="even number"):
        EquityCurve(max_points=5)


def test_a_day_of_samples_stays_within_the_bound_and_keeps_both_ends():
    curve = EquityCurve(max_points=1024)
    for t in range(0, 86_400_000, 1000):
        curve.add(t, float(t))
    assert len(curve.points) <= 1024 and curve.points[0][0] == 0 and curve.points[-1][0] >= 86_400_000 - 128_000
