"""The bokeh chart's incremental updates, and the dashboard's composition and symbol switching."""

from __future__ import annotations

import asyncio

import pytest

import bybit_widgets as bw
from bybit_widgets.protocol.records import Kline
from bybit_widgets.widgets.candles import CHART_INTERVAL, DOWN, MAX_BARS, UP, _Chart, candle_rows, interval_ms
from bybit_widgets.widgets.chart_lines import LineTarget

from .conftest import live_session, wait_for
from .test_ticket import click


def kline(start_min: int, o: str, h: str, lo: str, c: str, v: str = "1") -> Kline:
    return Kline.from_wire(
        {
            "start": start_min * 60_000,
            "open": o,
            "high": h,
            "low": lo,
            "close": c,
            "volume": v,
            "interval": "1",
            "confirm": False,
        }
    )


def test_interval_lengths_and_rows():
    assert interval_ms("1") == 60_000 and interval_ms("240") == 4 * 3_600_000 and interval_ms("D") == 86_400_000
    rows = candle_rows([kline(1, "10", "12", "9", "11"), kline(2, "11", "11", "8", "9")], 60_000)
    assert rows["t"] == [90_000, 150_000] and rows["color"] == [UP, DOWN] and rows["w"] == [42_000, 42_000]


def test_the_forming_bar_is_patched_and_a_new_bar_streamed_with_rollover():
    from bokeh.document.events import ColumnsPatchedEvent, ColumnsStreamedEvent

    chart = _Chart(200)
    history = [kline(i, "100", "101", "99", "100.5") for i in range(MAX_BARS)]
    chart.replace(history, 60_000)
    assert len(chart.source.data["t"]) == MAX_BARS
    events = []
    chart.source.document.on_change(lambda event: events.append(event))
    before = chart.messages
    chart.update([kline(MAX_BARS - 1, "100", "103", "99", "102.5", "4")])
    (patch,) = events
    assert isinstance(patch, ColumnsPatchedEvent)
    assert patch.patches == {
        "high": [(MAX_BARS - 1, 103.0)],
        "close": [(MAX_BARS - 1, 102.5)],
        "volume": [(MAX_BARS - 1, 4.0)],
    }
    assert chart.messages - before == 3  # one bokeh event = header, metadata and content messages
    chart.update([kline(MAX_BARS - 1, "100", "103", "99", "102.5", "4"), kline(MAX_BARS, "102.5", "103", "95", "96")])
    stream = events[-1]
    assert len(events) == 2 and isinstance(stream, ColumnsStreamedEvent) and stream.rollover == MAX_BARS
    assert len(chart.source.data["t"]) == MAX_BARS and chart.source.data["close"][-1] == 96.0
    assert chart.start_ms[-1] == MAX_BARS * 60_000 and len(chart.start_ms) == MAX_BARS
    assert chart.messages - before == 6
    chart.update([kline(MAX_BARS, "102.5", "103", "95", "96")])  # unchanged: nothing sent
    assert len(events) == 2 and chart.messages - before == 6


def test_lines_move_only_when_orders_stops_or_entry_change():
    chart = _Chart(200)
    lines = chart.lines
    buy, sell = LineTarget("order", "100", "Buy", "a"), LineTarget("order", "120", "Sell", "b")
    tp = LineTarget("take_profit", "130")
    lines.show([buy, sell], [tp], 110.0)
    assert [(s.location, s.line_color, s.visible) for s in lines.orders[:3]] == [
        (100.0, UP, True),
        (120.0, DOWN, True),
        (0, lines.orders[2].line_color, False),
    ]
    assert lines.stops["take_profit"].visible and lines.stops["take_profit"].location == 130.0
    assert not lines.stops["stop_loss"].visible
    assert lines.entry.visible and lines.entry.location == 110.0
    lines.orders[0].location = 90.0  # a drag the kernel did not take
    lines.restore()
    assert lines.orders[0].location == 100.0
    lines.show([], [], None)
    assert not any(s.visible for s in [*lines.orders, *lines.stops.values(), lines.entry])
    assert not any(s.editable for s in lines.orders), "without a ticket nothing drags"


def test_live_candles_load_history_then_follow_the_feed(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            candles = bw.Candles("BTCUSDT", interval="1", session=session)
            await candles.header.ready()
            await wait_for(lambda: len(candles.chart.source.data["t"]) > 50, what="the history")
            await wait_for(lambda: candles.header.last.get("close"), what="the forming candle")
            close = candles.header.last["close"]
            await wait_for(lambda: candles.header.last["close"] != close, 20, "the forming candle to move")
            data = candles.chart.source.data
            # the chart is patched at most every CHART_INTERVAL s, each time with the candle the header shows
            await wait_for(
                lambda: data["close"][-1] == float(candles.header.last["close"]),
                2 * CHART_INTERVAL + 1,
                "the chart to show the forming candle",
            )
            ack = await session.aclient.place_order(
                category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.003"
            )
            assert ack.order_id
            await wait_for(lambda: candles.chart.lines.entry.visible, what="the entry line")
            candles.interval = "5"
            await wait_for(lambda: candles.header.interval == "5" and candles.chart.width == 300_000, what="5m")
            stats = candles.comm_stats
            candles.close()
            return candles, stats

    candles, stats = asyncio.run(main())
    assert stats["messages"] > 0
    with pytest.raises(ValueError):
        candles.header.interval = "7"


def test_dashboard_composes_and_the_watchlist_repoints_everything(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            dash = bw.Dashboard("BTCUSDT", symbols=["ETHUSDT", "SOLUSDT"], session=session)
            await dash.ticker.ready()
            assert [r for r in dash.watchlist.symbols] == ["ETHUSDT", "SOLUSDT", "BTCUSDT"]
            dash.watchlist.selected = "ETHUSDT"  # what a click in the view does
            await dash.book.ready()
            await dash.ticket.ready()
            await wait_for(lambda: dash.ticker.quote.get("last_num", 1e9) < 10_000, what="ETH prices")
            symbols = {w.symbol for w in (dash.ticker, dash.candles, dash.book, dash.ticket, dash.trades)}
            dash.symbol = "solusdt"
            await wait_for(lambda: dash.book.symbol == "SOLUSDT" and dash.watchlist.selected == "SOLUSDT", what="SOL")
            dash.close()
            dash.close()  # twice is fine
            return dash, symbols

    dash, symbols = asyncio.run(main())
    assert symbols == {"ETHUSDT"}
    assert all(w.closed for w in (dash.ticker, dash.book, dash.ticket, dash.trades, dash.candles.header))


def test_a_dashboards_book_drives_its_own_ticket_and_a_symbol_switch_disarms_it(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            dash = bw.Dashboard("BTCUSDT", symbols=["ETHUSDT"], session=session)
            await dash.book.ready()
            await dash.ticket.ready()
            await wait_for(lambda: dash.book._book.latest is not None and dash.book._book.latest.bids, what="a book")
            price = dash.book._book.latest.bids[5][0]
            click(dash.book, {"type": "pick", "price": str(price)})  # a click on a bid row of the Dashboard's book
            click(dash.book, {"type": "side", "side": "Sell"})  # S while the book has focus
            picked = (
                dash.book.ticket is dash.ticket,
                dash.ticket.order_type,
                float(dash.ticket.price),
                dash.ticket.side,
            )
            armed = dash.book.arm()
            dash.watchlist.selected = "ETHUSDT"
            await wait_for(lambda: dash.book.symbol == "ETHUSDT", what="the book on ETH")
            after = dash.book.armed
            dash.close()
            return price, picked, armed, after

    price, (same, order_type, ticket_price, side), armed, after = asyncio.run(main())
    assert same and order_type == "Limit" and ticket_price == price and side == "Sell"
    assert armed is True and after is False, "armed on BTCUSDT must not stay armed on ETHUSDT"


def test_the_chart_is_patched_at_most_every_chart_interval_while_the_header_follows_every_kline(sim):
    async def main():
        async with live_session(sim) as session:
            candles = bw.Candles("BTCUSDT", interval="1", session=session)
            await candles.header.ready()
            await wait_for(lambda: len(candles.chart.source.data["t"]) > 50, what="the history")
            patches, headers = [], []
            candles.chart.source.document.on_change(lambda _e: patches.append(asyncio.get_running_loop().time()))
            candles.header.observe(lambda _c: headers.append(1), names=["last"])
            await asyncio.sleep(3 * CHART_INTERVAL + 0.5)  # the window observed
            candles.close()
            return patches, headers

    patches, headers = asyncio.run(main())
    updates = [t for i, t in enumerate(patches) if i == 0 or t - patches[i - 1] > 0.05]  # (a patch + a stream: one)
    gaps = [b - a for a, b in zip(updates, updates[1:])]
    assert updates and all(g >= CHART_INTERVAL - 0.01 for g in gaps), gaps
    assert len(headers) > len(patches), "the header's numbers follow every kline"
