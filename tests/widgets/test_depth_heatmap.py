"""The depth chart and the heatmap: the heatmap's frame layout, its ring and rebuild rules, bad parameters,
and both widgets on the embedded exchange (frames, whole rebuilds on request, your orders marked)."""

from __future__ import annotations

import asyncio
from array import array
from pathlib import Path
from types import SimpleNamespace

import pytest

import bybit_widgets as bw
from bybit_widgets.widgets.heatcols import (
    HEADER,
    HeatRing,
    bucket_column,
    column_ms_for,
    own_marks,
    ring_capacity,
    unpack_heat,
)
from bybit_widgets.widgets.levels import unpack_book

from .conftest import live_session, wait_for

FIXTURE = Path(__file__).resolve().parents[2] / "js" / "tests" / "fixtures" / "heat.bin"
T0 = 1_700_000_000_000


def book(ts: int, bids: list[tuple[float, float]], asks: list[tuple[float, float]]) -> SimpleNamespace:
    return SimpleNamespace(ts=ts, bids=bids, asks=asks)


def trade(i: int, ts: int, price: float, size: float, side: str) -> SimpleNamespace:
    return SimpleNamespace(trade_id=f"t{i}", time=ts, price=price, size=size, side=side)


def execution(i: int, ts: int, price: float, qty: float, side: str, symbol: str = "BTCUSDT") -> SimpleNamespace:
    return SimpleNamespace(
        exec_id=f"e{i}",
        order_id="o1",
        exec_time=ts,
        exec_price=price,
        exec_qty=qty,
        side=side,
        symbol=symbol,
        category="linear",
        exec_type="Trade",
    )


def order(price: str, side: str, qty: str, category: str | None = "linear") -> SimpleNamespace:
    return SimpleNamespace(price=price, side=side, qty=qty, leaves_qty=None, category=category)


def fixture_frame() -> bytes:
    """One whole frame of everything: the JS decoder's test reads the same bytes (js/tests/fixtures/heat.bin)."""
    ring = HeatRing(2, 10, step=0.5)
    ring.sample(book(T0 + 50, [(100.0, 1.5), (99.5, 2.0)], [(100.5, 0.25), (101.5, 4.0)]))
    ring.add_trades([trade(1, T0 + 60, 100.5, 0.5, "Buy"), trade(2, T0 + 70, 101.0, 1.5, "Buy")])
    ring.add_trades([trade(3, T0 + 80, 100.0, 2.0, "Sell")])
    ring.add_fills([execution(1, T0 + 90, 100.0, 0.25, "Buy")], "BTCUSDT", "linear")
    return ring.frame(1, None, own_marks([order("99.5", "Buy", "0.25")], "linear"), whole=True)


def test_the_js_fixture_is_exactly_what_the_ring_makes():
    """Both sides agree on the layout: js/tests/heat.test.mjs decodes this file."""
    assert FIXTURE.read_bytes() == fixture_frame()


def test_a_whole_frame_round_trips_through_its_documented_layout():
    data = fixture_frame()
    frame = unpack_heat(data)
    assert len(data) == 8 * HEADER + 1 * (6 * 8 + 4 * 4) + 8 * (2 * 5 + 1 * 5 + 1 * 4)
    assert (frame["layout"], frame["version"], frame["base"]) == (1, 1, 0)
    assert (frame["levels"], frame["step"], frame["column_ms"], frame["capacity"]) == (2, 0.5, 100, 100)
    assert (frame["C"], frame["B"], frame["F"], frame["O"]) == (1, 2, 1, 1)
    assert frame["now"] == T0 + 80 and (frame["bid"], frame["ask"]) == (100.0, 100.5)
    (col,) = frame["columns"]
    # a one-tick spread: the best ask is row `levels`, the bids below; rows 99.5, 100.0, 100.5, 101.0 (101.5 is out)
    assert (col["c"], col["n"], col["ts"], col["p0"]) == (1, (T0 + 50) // 100, T0 + 50, 99.5)
    assert list(col["sizes"]) == [2.0, 1.5, 0.25, 0.0]
    slot = T0 // 100
    assert frame["bubbles"] == [[slot, 1.0, 100.875, 2.0, 2.0], [slot, -1.0, 100.0, 2.0, 1.0]]
    assert frame["fills"] == [[1.0, T0 + 90, 100.0, 0.25, 1.0]]
    assert frame["own"] == [[99.5, 1.0, 0.25, 1.0]]


def test_rows_are_whole_ticks_around_the_mid_and_levels_outside_are_left_out():
    bids = [(100.0 - 0.1 * i, 1.0) for i in range(300)]  # deeper than the rows
    asks = [(100.1 + 0.1 * i, 2.0) for i in range(300)]
    p0, sizes = bucket_column(bids, asks, 200, 0.1)
    assert len(sizes) == 400 and p0 == pytest.approx(100.1 - 20.0)
    assert sizes[200] == 2.0 and sizes[199] == 1.0  # the best ask at the mid's tick, the best bid below
    assert sum(1 for s in sizes[:200] if s == 1.0) == 200 and sum(1 for s in sizes[200:] if s == 2.0) == 200
    assert bucket_column([], asks, 10, 0.1) == (0.0, array("f", [0.0] * 20))
    with pytest.raises(ValueError, match="step must be positive"):
        bucket_column(bids, asks, 10, 0.0)


def columns_of(frame: dict) -> list[int]:
    return [c["c"] for c in frame["columns"]]


def filled_ring(columns: int, levels: int = 3) -> HeatRing:
    ring = HeatRing(levels, 10, step=1.0)
    for i in range(columns):
        ring.sample(book(T0 + 100 * i, [(99.0, 1.0 + i)], [(101.0, 1.0)]))
    return ring


def test_a_frame_relative_to_an_acknowledged_one_carries_everything_since_and_nothing_before():
    ring = filled_ring(3)
    first = unpack_heat(ring.frame(1, None, [], whole=True))
    assert columns_of(first) == [1, 2, 3] and first["base"] == 0
    ring.sample(book(T0 + 300, [(99.0, 9.0)], [(101.0, 1.0)]))
    second = unpack_heat(ring.frame(2, 1, []))  # the view acknowledged frame 1
    assert columns_of(second) == [4] and second["base"] == first["version"]
    ring.sample(book(T0 + 400, [(99.0, 9.0)], [(101.0, 1.0)]))
    # frame 2 is not acknowledged yet: frame 3 carries what frame 2 did and the news, so dropping 2 loses nothing
    third = unpack_heat(ring.frame(3, 1, []))
    assert columns_of(third) == [4, 5] and third["base"] == first["version"]
    fourth = unpack_heat(ring.frame(4, 3, [[100.0, 1.0, 1.0, 1.0]]))  # the own orders changed, nothing else
    assert columns_of(fourth) == [] and fourth["base"] == third["version"] and fourth["O"] == 1


def test_an_unknown_acknowledgement_or_a_request_gives_the_whole_ring():
    ring = filled_ring(4)
    ring.frame(1, None, [])
    ring.sample(book(T0 + 400, [(99.0, 1.0)], [(101.0, 1.0)]))
    forgotten = unpack_heat(ring.frame(2, 999, []))  # acknowledges a frame the ring never made (or forgot)
    assert forgotten["base"] == 0 and columns_of(forgotten) == [1, 2, 3, 4, 5]
    ring.sample(book(T0 + 500, [(99.0, 1.0)], [(101.0, 1.0)]))
    asked = unpack_heat(ring.frame(3, 2, [], whole=True))  # a view asked for a rebuild
    assert asked["base"] == 0 and columns_of(asked) == [1, 2, 3, 4, 5, 6]
    assert ring.wholes == 3  # the first frame, the forgotten base, the request
    for seq in range(4, 80):  # frames older than the 64 remembered are unknown: whole again
        ring.sample(book(T0 + 100 * seq, [(99.0, 1.0)], [(101.0, 1.0)]))
        ring.frame(seq, seq - 1, [])
    ring.sample(book(T0 + 100 * 80, [(99.0, 1.0)], [(101.0, 1.0)]))
    assert unpack_heat(ring.frame(80, 4, []))["base"] == 0


def test_nothing_new_means_no_frame_and_a_reset_means_a_whole_one():
    ring = filled_ring(2)
    assert ring.frame(1, None, []) is not None
    assert ring.frame(2, 1, []) is None  # nothing changed: the trait keeps its value, no message
    ring.reset(0.5)
    assert unpack_heat(ring.frame(3, 1, []))["base"] == 0  # empty, but whole: the view drops the old picture
    ring.sample(book(T0 + 900, [(99.0, 1.0)], [(101.0, 1.0)]))
    after = unpack_heat(ring.frame(4, 1, []))  # frame 1 was of the old picture: not a base any more
    assert after["base"] == 0 and columns_of(after) == [1] and after["step"] == 0.5


def test_the_ring_keeps_only_the_window_of_columns_bubbles_and_fills():
    ring = HeatRing(2, 10, step=1.0)  # 100 columns of 100 ms
    assert (ring.column_ms, ring.capacity) == (100, 100)
    ring.add_fills([execution(1, T0, 100.0, 1.0, "Sell")], "BTCUSDT", "linear")
    ring.add_trades([trade(1, T0, 100.0, 1.0, "Sell")])
    for i in range(250):
        ring.sample(book(T0 + 100 * i, [(99.0, 1.0)], [(101.0, 1.0)]))
        ring.sample(book(T0 + 100 * i + 50, [(99.0, 5.0)], [(101.0, 5.0)]))  # same slot: not a new column
    frame = unpack_heat(ring.frame(1, None, [], whole=True))
    assert columns_of(frame) == list(range(151, 251)) and all(c["sizes"][1] == 1.0 for c in frame["columns"])
    assert frame["B"] == 0 and frame["F"] == 0, "the trade and the fill of 25 s ago left the 10 s window"


def test_a_bubble_per_column_and_side_grows_and_a_relative_frame_resends_it():
    ring = filled_ring(1)
    ring.add_trades([trade(1, T0 + 10, 100.0, 1.0, "Buy"), trade(2, T0 + 20, 102.0, 3.0, "Buy")])
    ring.add_trades([trade(1, T0 + 10, 100.0, 1.0, "Buy"), trade(2, T0 + 20, 102.0, 3.0, "Buy")])  # seen: not again
    first = unpack_heat(ring.frame(1, None, []))
    assert first["bubbles"] == [[T0 // 100, 1.0, 101.5, 4.0, 2.0]]
    ring.add_trades([trade(3, T0 + 30, 101.0, 4.0, "Buy"), trade(4, T0 - 5000, 50.0, 1.0, "Sell")])
    second = unpack_heat(ring.frame(2, 1, []))
    # the slot's bubble grew (resent whole, the view replaces it); a late trade counts in the newest slot
    assert second["bubble_from"] == T0 // 100
    assert second["bubbles"] == [[T0 // 100, 1.0, 101.25, 8.0, 3.0], [T0 // 100, -1.0, 50.0, 1.0, 1.0]]


def test_fills_are_this_symbols_trades_only_each_once():
    ring = filled_ring(1)
    other = execution(2, T0, 1.0, 1.0, "Buy", symbol="ETHUSDT")
    funding = SimpleNamespace(**{**execution(3, T0, 1.0, 1.0, "Buy").__dict__, "exec_type": "Funding"})
    assert ring.add_fills([execution(1, T0, 100.0, 0.5, "Sell"), other, funding], "BTCUSDT", "linear") == 1
    assert ring.add_fills([execution(1, T0, 100.0, 0.5, "Sell")], "BTCUSDT", "linear") == 0
    assert unpack_heat(ring.frame(1, None, []))["fills"] == [[1.0, T0, 100.0, 0.5, -1.0]]


def test_own_marks_add_up_orders_at_one_price_and_side():
    orders = [order("100", "Buy", "1"), order("100", "Buy", "2"), order("101", "Sell", "1"), order("0", "Buy", "5")]
    orders.append(order("99", "Buy", "1", category="spot"))
    assert own_marks(orders, "linear") == [[101.0, -1.0, 1.0, 1.0], [100.0, 1.0, 3.0, 2.0]]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: bw.Heatmap("BTCUSDT", levels=0), "levels must be an integer from 1 to 500, got 0"),
        (lambda: bw.Heatmap("BTCUSDT", levels=501), "levels must be an integer from 1 to 500, got 501"),
        (lambda: bw.Heatmap("BTCUSDT", levels=True), "levels must be an integer from 1 to 500"),
        (lambda: bw.Heatmap("BTCUSDT", seconds=5), "seconds must be an integer from 10 to 3600, got 5"),
        (lambda: bw.Heatmap("BTCUSDT", seconds=180.0), "seconds must be an integer from 10 to 3600"),
        (lambda: bw.DepthChart("BTCUSDT", depth=0), "depth must be an integer from 1 to 1000, got 0"),
        (lambda: bw.DepthChart("BTCUSDT", depth="50"), "depth must be an integer from 1 to 1000, got '50'"),
        (lambda: column_ms_for(4000), "seconds must be an integer from 10 to 3600, got 4000"),
    ],
)
def test_bad_parameters_are_refused_naming_the_parameter_and_its_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_window_is_at_most_360_columns_of_at_least_100_ms():
    assert (column_ms_for(180), ring_capacity(180)) == (500, 360)
    assert (column_ms_for(10), ring_capacity(10)) == (100, 100)
    assert (column_ms_for(3600), ring_capacity(3600)) == (10_000, 360)


def test_both_widgets_show_live_data_rebuild_on_request_and_mark_your_order(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            heat = bw.Heatmap("BTCUSDT", session=session, max_hz=20)
            depth = bw.DepthChart("BTCUSDT", session=session)
            await heat.ready()
            await depth.ready()
            await wait_for(lambda: len(heat._ring.columns) >= 3, 10, "three heatmap columns")
            await wait_for(lambda: depth.book, what="a depth book")
            before = heat.rebuilds
            heat._on_custom_msg(heat, {"type": "hello", "view": "v1"}, [])
            await wait_for(lambda: heat.rebuilds > before, 5, "a whole frame for the new view")
            whole = unpack_heat(heat.heat)
            seq = heat._frame[0]
            heat._on_custom_msg(heat, {"type": "acks", "acks": [[heat.model_id, "v1", seq, 0]]}, [])
            await wait_for(lambda: unpack_heat(heat.heat)["base"] == whole["version"], 5, "a relative frame")
            heat._on_custom_msg(heat, {"type": "rebuild", "view": "v1"}, [])
            await wait_for(lambda: unpack_heat(heat.heat)["base"] == 0, 5, "the whole ring again")
            best_bid = depth._book.latest.bids[0][0]
            price = f"{best_bid - 10:.1f}"
            await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.01", price=price
            )
            await wait_for(lambda: depth.own and unpack_heat(heat.heat)["own"], 10, "the order on both")
            result = (whole, unpack_heat(heat.heat), unpack_book(depth.book), list(depth.own), price)
            heat.close()
            depth.close()
            return result

    whole, last, (bids, asks, _u, _ts), own, price = asyncio.run(main())
    assert whole["levels"] == 200 and whole["C"] >= 3 and whole["step"] == 0.1
    assert all(len(c["sizes"]) == 400 and sum(1 for s in c["sizes"] if s) > 100 for c in whole["columns"])
    assert len(bids) == 200 and len(asks) == 200 and bids[0][0] < asks[0][0]
    assert own == [[float(price), 1.0, 0.01, 1.0]] and last["own"] == [[float(price), 1.0, 0.01, 1.0]]
