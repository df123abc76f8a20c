"""Book levels for display: grouping, depth choice, and the packed form the view decodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bybit_widgets.widgets.levels import (
    feed_depth_for,
    group_levels,
    group_price,
    pack_book,
    unpack_book,
)
from bybit_widgets.widgets.trades import pack_trades

FIXTURE = Path(__file__).resolve().parents[2] / "js" / "tests" / "fixtures" / "book.bin"


def test_the_js_fixture_is_exactly_what_pack_book_makes():
    """The JS decoder's test reads this file: both sides agree on the layout."""
    assert FIXTURE.read_bytes() == pack_book(
        [(88000.5, 1.25), (88000.0, 0.4)], [(88001.0, 0.731)], 500001, 1700000000020
    )


def test_group_price_rounds_bids_down_and_asks_up():
    assert group_price(88000.3, 1.0, "bid") == 88000.0
    assert group_price(88000.3, 1.0, "ask") == 88001.0
    assert group_price(88000.0, 1.0, "ask") == 88000.0  # on the grid stays put
    assert group_price(88000.1 + 0.2, 0.5, "bid") == 88000.0  # float noise does not move a bucket
    assert group_price(2900.37, 0.1, "bid") == 2900.3


def test_group_levels_merges_sizes_and_keeps_order():
    bids = [(100.9, 1.0), (100.2, 2.0), (99.7, 3.0), (99.1, 1.0), (97.0, 5.0)]
    assert group_levels(bids, 1.0, "bid", 10) == [(100.0, 3.0), (99.0, 4.0), (97.0, 5.0)]
    asks = [(101.1, 1.0), (101.9, 2.0), (102.5, 1.0)]
    assert group_levels(asks, 1.0, "ask", 10) == [(102.0, 3.0), (103.0, 1.0)]
    assert group_levels(bids, 1.0, "bid", 2) == [(100.0, 3.0), (99.0, 4.0)]
    with pytest.raises(ValueError):
        group_levels(bids, 0, "bid", 5)
    with pytest.raises(ValueError):
        group_levels(bids, 1, "middle", 5)


@given(
    best=st.integers(min_value=1000, max_value=10_000_000),
    gaps=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=60),
    multiple=st.sampled_from([1, 2, 5, 10, 100]),
)
def test_grouped_sides_stay_sorted_and_never_cross(best, gaps, multiple):
    tick = 0.1
    bid_ticks, ask_ticks = [best], [best + 1]
    for gap in gaps:
        bid_ticks.append(bid_ticks[-1] - gap)
        ask_ticks.append(ask_ticks[-1] + gap)
    bids = [(round(t * tick, 1), 1.0) for t in bid_ticks]
    asks = [(round(t * tick, 1), 1.0) for t in ask_ticks]
    step = tick * multiple
    gb, ga = group_levels(bids, step, "bid", 1000), group_levels(asks, step, "ask", 1000)
    assert [p for p, _ in gb] == sorted({p for p, _ in gb}, reverse=True)
    assert [p for p, _ in ga] == sorted({p for p, _ in ga})
    assert gb[0][0] <= bids[0][0] < asks[0][0] <= ga[0][0]
    assert sum(s for _, s in gb) == pytest.approx(len(bids)) and sum(s for _, s in ga) == pytest.approx(len(asks))


def test_feed_depth_covers_the_rows():
    assert feed_depth_for(25, 1) == 50
    assert feed_depth_for(50, 1) == 50
    assert feed_depth_for(25, 4) == 200
    assert feed_depth_for(15, 100) == 1000  # as deep as Bybit goes
    assert feed_depth_for(10, 1, "spot") == 50


def test_pack_unpack_round_trip():
    bids = [(88000.5, 1.25), (88000.4, 0.001)]
    asks = [(88000.6, 3.0)]
    data = pack_book(bids, asks, 42, 1700000000000)
    assert len(data) == 8 * (4 + 2 * 3)
    assert unpack_book(data) == (bids, asks, 42, 1700000000000)
    assert unpack_book(pack_book([], [], None, None)) == ([], [], 0, 0)


def test_pack_trades_newest_first_with_side():
    class T:
        def __init__(self, time, price, size, side):
            self.time, self.price, self.size, self.side = time, price, size, side

    trades = [T(1, 100, 1, "Buy"), T(2, 101, 2, "Sell"), T(3, 102, 3, "Buy")]
    from array import array

    values = array("d")
    values.frombytes(pack_trades(trades, 2))
    assert list(values) == [3, 102, 3, 1, 2, 101, 2, -1]
