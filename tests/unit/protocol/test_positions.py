"""Position modes, written once: the index an order carries, which orders close, and how rows are keyed.

Rules relied on (Bybit v5 "Place Order" and "Switch Position Mode"): ``positionIdx`` 0 is one-way, 1
the Buy side and 2 the Sell side of a hedged symbol; in hedge mode the index names the position an
order affects, so a Sell on 1 and a Buy on 2 close; a one-way symbol takes only 0, a hedged one only
1 or 2 (10001 otherwise); ``mode`` is 0 (one-way) or 3 (hedge).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.protocol.positions import (
    HEDGE_BUY,
    HEDGE_SELL,
    MODE_HEDGE,
    MODE_ONE_WAY,
    ONE_WAY,
    closes,
    fits_mode,
    is_position_stop,
    position_idx_for,
    position_key,
    side_of_idx,
)
from bybit_widgets.stream.state import PositionsReducer


def test_one_way_orders_carry_index_zero_whatever_their_side():
    assert position_idx_for("Buy", hedge=False) == position_idx_for("Sell", hedge=False, close=True) == ONE_WAY


def test_in_hedge_mode_the_index_names_the_side_opened_or_closed_not_the_direction():
    assert position_idx_for("Buy", hedge=True) == HEDGE_BUY
    assert position_idx_for("Sell", hedge=True) == HEDGE_SELL
    assert position_idx_for("Sell", hedge=True, close=True) == HEDGE_BUY  # a Sell closes the long
    assert position_idx_for("Buy", hedge=True, close=True) == HEDGE_SELL
    assert closes("Sell", HEDGE_BUY) and closes("Buy", HEDGE_SELL)
    assert not closes("Buy", HEDGE_BUY) and not closes("Sell", HEDGE_SELL) and not closes("Sell", ONE_WAY)
    assert (side_of_idx(HEDGE_BUY), side_of_idx(HEDGE_SELL), side_of_idx(ONE_WAY)) == ("Buy", "Sell", "")


def test_an_index_fits_only_its_mode_and_the_modes_are_bybits_numbers():
    assert fits_mode(0, hedge=False) and not fits_mode(1, hedge=False) and not fits_mode(2, hedge=False)
    assert fits_mode(1, hedge=True) and fits_mode(2, hedge=True) and not fits_mode(0, hedge=True)
    assert (MODE_ONE_WAY, MODE_HEDGE) == (0, 3)


def test_a_hedged_symbol_keys_two_rows_and_a_one_way_symbol_keeps_its_bare_name():
    assert [position_key("BTCUSDT", i) for i in (0, 1, 2, None)] == [
        "BTCUSDT",
        "BTCUSDT/long",
        "BTCUSDT/short",
        "BTCUSDT",
    ]


def row(idx: int, side: str, size: str, updated: int) -> dict:
    return {"symbol": "BTCUSDT", "positionIdx": idx, "side": side, "size": size, "updatedTime": str(updated)}


def test_the_long_row_arriving_after_a_live_short_never_reads_it_as_flat():
    """The pybit #367 case: keyed by symbol alone, the flat long would replace the open short."""
    r = PositionsReducer()
    r.apply({"topic": "position", "data": [row(2, "Sell", "0.5", 5)]})
    r.apply({"topic": "position", "data": [row(1, "", "0", 6)]})
    latest = r.latest()
    assert latest["BTCUSDT/short"].size == Decimal("0.5") and latest["BTCUSDT/long"].is_flat
    assert latest["BTCUSDT"].side == "Sell"  # a bare symbol finds the only open side
    r.apply({"topic": "position", "data": [row(1, "Buy", "0.2", 7)]})
    with pytest.raises(KeyError, match="BTCUSDT/long"):
        r.latest()["BTCUSDT"]  # both open: ambiguous, and the message says what to ask for
    assert r.latest().get("BTCUSDT") is None and r.latest().get("ETHUSDT", "none") == "none"


def test_a_position_row_with_a_malformed_index_is_refused_not_misfiled():
    r = PositionsReducer()
    with pytest.raises(Exception, match="key"):
        r.apply({"topic": "position", "data": [{**row(1, "Buy", "1", 1), "positionIdx": "1"}]})


def test_a_full_take_profit_or_stop_loss_order_is_the_positions_own_and_a_partial_one_an_order_of_its_own():
    assert is_position_stop("TakeProfit") and is_position_stop("StopLoss")
    for other in ("PartialTakeProfit", "PartialStopLoss", "TrailingStop", "Stop", "", None):
        assert not is_position_stop(other), other
