"""Widgets on live feeds from the embedded exchange, over real sockets: state, rates, lifecycle, honesty.

Each test runs on its own event loop (like a kernel's), with a session of its
own. Comm messages are counted where ipywidgets sends them (no front end is
attached, so they go nowhere, but every one of them is counted).
"""

from __future__ import annotations

import asyncio
import json

import pytest

import bybit_widgets as bw
from bybit_widgets.stream import SubscriptionRefused
from bybit_widgets.widgets.levels import unpack_book

from .conftest import live_session, wait_for


def run(coro):
    return asyncio.run(coro)


def test_ticker_book_trades_and_watchlist_show_live_data(sim):
    async def main():
        async with live_session(sim) as session:
            ticker = bw.Ticker("BTCUSDT", session=session)
            book = bw.OrderBook("BTCUSDT", depth=25, session=session)
            trades = bw.Trades("BTCUSDT", rows=20, session=session)
            watch = bw.Watchlist(["BTCUSDT", "ETHUSDT"], session=session)
            for widget in (ticker, book, trades):
                await widget.ready()
            await wait_for(lambda: ticker.quote.get("last_num"), what="a ticker quote")
            first = ticker.quote["last_num"]
            await wait_for(lambda: ticker.quote["last_num"] != first, 20, "the price to move")
            await wait_for(lambda: book.levels, what="book levels")
            await wait_for(lambda: len(trades.trades) >= 20 * 32, what="20 trades")
            await wait_for(lambda: all(r["last_num"] for r in watch.rows), what="watchlist prices")
            bids, asks, u, ts = unpack_book(book.levels)
            feed_view = book._book.latest
            for w in (ticker, book, trades, watch):
                w.close()
            return ticker, book, trades, watch, (bids, asks, u, ts), feed_view

    ticker, book, _trades, watch, (bids, asks, u, ts), view = run(main())
    assert ticker.conn_state == "live" and ticker.quote["mark"] and ticker.quote["change_pct"] is not None
    assert ticker.direction in (1, -1) and len(ticker.spark) >= 8
    assert book.price_decimals == 2 and book.qty_decimals == 3 and book.tick_size == 0.1
    assert len(bids) == 25 and len(asks) == 25
    assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
    assert [p for p, _ in asks] == sorted(p for p, _ in asks)
    assert bids[0][0] < asks[0][0] and u > 0 and ts > 1.7e12
    assert u <= view.u  # the frame shows a book the feed had (never ahead of it)
    assert [r["symbol"] for r in watch.rows] == ["BTCUSDT", "ETHUSDT"] and watch.selected == "BTCUSDT"


def test_frames_stay_within_the_rates_and_a_dashboard_far_below_the_server_limit(sim, account):
    async def main():
        async with live_session(sim, account) as session:
            dash = bw.Dashboard("BTCUSDT", session=session)
            await dash.book.ready()
            await dash.ticker.ready()
            before = {name: stats["messages"] for name, stats in dash.comm_stats.items()}
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.sleep(3.0)  # the measurement window itself
            elapsed = loop.time() - start
            after = dash.comm_stats
            dash.close()
            return before, after, elapsed, dash

    before, after, elapsed, dash = run(main())
    rates = {name: (after[name]["messages"] - before[name]) / elapsed for name in after}
    assert sum(rates.values()) <= 200, rates
    assert rates["OrderBook"] <= dash.book.max_hz + 1, rates
    assert rates["OrderBook"] >= 10, f"the book should update often: {rates}"
    assert rates["Ticker"] <= dash.ticker.max_hz + 1 and rates["Watchlist"] <= dash.watchlist.max_hz + 1, rates
    for name, stats in after.items():
        assert stats["bytes"] > 0, name


def test_closing_a_widget_unsubscribes_only_when_nobody_else_uses_the_topic(sim):
    async def main():
        async with live_session(sim) as session:
            streams = session.streams
            a = bw.OrderBook("ETHUSDT", depth=25, session=session)
            b = bw.OrderBook("ETHUSDT", depth=25, session=session)
            await a.ready()
            topics = lambda: {name for (_, name) in streams._subs}
            assert "orderbook.50.ETHUSDT" in topics()
            a.close()
            await asyncio.sleep(0)
            still = "orderbook.50.ETHUSDT" in topics()
            b.close()
            await wait_for(lambda: "orderbook.50.ETHUSDT" not in topics(), what="the topic to be unsubscribed")
            frames = b.messages_sent
            await asyncio.sleep(0.2)
            return still, frames, b

    still, frames, b = run(main())
    assert still, "closing one of two widgets must keep the shared subscription"
    assert b.messages_sent == frames and b.closed


def test_changing_the_symbol_repoints_the_feeds(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", session=session)
            await book.ready()
            book.symbol = "solusdt"
            await book.ready()
            await wait_for(lambda: book.levels and unpack_book(book.levels)[0][0][0] < 1000, what="SOL prices")
            book.grouping = 10
            await wait_for(
                lambda: book._feed_depth == 1000 and book.levels and unpack_book(book.levels)[0], what="a deeper book"
            )
            topics = {name for (_, name) in session.streams._subs}
            book.close()
            return book, topics

    book, topics = run(main())
    assert book.symbol == "SOLUSDT" and book.tick_size == 0.01 and book.price_decimals == 3
    assert "orderbook.50.BTCUSDT" not in topics and "orderbook.1000.SOLUSDT" in topics


def test_the_badge_goes_reconnecting_then_live_when_the_exchange_drops_us(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", session=session)
            await book.ready()
            seen = []
            book.observe(lambda change: seen.append(change["new"]), names="conn_state")
            sim.fault("drop", target="public")
            await wait_for(lambda: "reconnecting" in seen and book.conn_state == "live", 20, "reconnect")
            book.close()
            return seen

    seen = run(main())
    assert seen[0] == "reconnecting" and seen[-1] == "live", seen


def test_an_unknown_symbol_says_so_instead_of_spinning(sim):
    async def main():
        async with live_session(sim) as session:
            ticker = bw.Ticker("NOPEUSDT", session=session)
            await wait_for(lambda: ticker.error and ticker.conn_state == "closed", what="the refusal")
            with pytest.raises(SubscriptionRefused):
                await ticker.ready(timeout=2)
            ticker.close()
            return ticker

    ticker = run(main())
    assert "NOPEUSDT is not listed in linear" in ticker.error
    assert "refused" in ticker.conn_reason


def test_bad_arguments_are_refused_clearly(sim):
    async def main():
        async with live_session(sim) as session:
            with pytest.raises(ValueError, match="depth must be an integer from 1 to 200"):
                bw.OrderBook("BTCUSDT", depth=0, session=session)
            with pytest.raises(ValueError, match="symbol must be a non-empty string"):
                bw.Ticker("  ", session=session)
            with pytest.raises(ValueError, match="interval must be one of"):
                bw.Candles("BTCUSDT", interval="2", session=session)
            with pytest.raises(ValueError, match="max_hz"):
                bw.Trades("BTCUSDT", max_hz=0, session=session)
            with pytest.raises(TypeError, match="unknown ticket field"):
                bw.OrderTicket("BTCUSDT", session=session, quantity="1")
            book = bw.OrderBook("BTCUSDT", session=session)
            with pytest.raises(Exception, match="grouping must be an integer"):
                book.grouping = -1
            book._on_custom_msg(book, {"type": "explode"}, [])  # a view sending nonsense
            assert "unknown message" in book.error
            book.close()

    run(main())


def test_no_widget_trait_holds_the_key_or_the_secret(sim, account):
    key, secret = account

    async def main():
        async with live_session(sim, account) as session:
            dash = bw.Dashboard("BTCUSDT", session=session)
            await dash.ticket.ready()
            await wait_for(lambda: dash.ticket.market, what="ticket market data")
            states = []
            for widget in (*dash.widgets, dash.candles.header, dash.candles.chart.model):
                target = widget
                if hasattr(widget, "get_state"):
                    state, _, buffers = __import__("ipywidgets").widgets.widget._remove_buffers(target.get_state())
                    states.append(json.dumps(state, default=str))
                    states.extend(bytes(b).decode("latin-1") for b in buffers)
            text = "\n".join(states) + repr(session) + repr(dash.ticket)
            dash.close()
            return text

    text = run(main())
    assert secret not in text
    assert key not in text


def test_a_view_that_does_not_acknowledge_gets_no_frames_past_the_window_each_stamped_with_the_exchange_time(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", depth=25, session=session)
            await book.ready()
            await wait_for(lambda: book._frame[0] > 0, what="a first frame")
            book._on_custom_msg(book, {"type": "hello", "view": "v1"}, [])
            await wait_for(lambda: book.flow.in_flight is not None, what="a frame in flight")
            await wait_for(lambda: not book.flow.ready(asyncio.get_running_loop().time()), 2, "the window to close")
            held = book._frame[0]
            await asyncio.sleep(0.5)  # the book changes every 20 ms meanwhile; no frame may go
            unchanged = book._frame[0]
            book._on_custom_msg(book, {"type": "acks", "acks": [[book.model_id, "v1", held, 0]]}, [])
            await wait_for(lambda: book._frame[0] > held, 2, "the next frame after the acknowledgement")
            stamp = list(book._frame)
            u_of_frame = unpack_book(book.levels)[2]
            book.close()
            return held, unchanged, stamp, u_of_frame, book._book

    held, unchanged, stamp, _u, _feed = run(main())
    assert unchanged == held, "a frame went out although the view had not acknowledged the last one"
    seq, kernel_ms, exchange_ts, lagging = stamp
    assert seq == held + 1 and kernel_ms > 0 and lagging == []
    assert exchange_ts > 1.7e12, "the stamp carries the exchange time of the book shown"


def test_a_view_that_acknowledges_late_is_told_it_lags_and_then_that_it_caught_up(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", depth=25, session=session)
            await book.ready()
            book._on_custom_msg(book, {"type": "hello", "view": "slow"}, [])
            await wait_for(lambda: not book.flow.ready(asyncio.get_running_loop().time()), 2, "the window to close")
            first = book._frame[0]
            await asyncio.sleep(1.3)  # the view takes 1.3 s to paint
            book._on_custom_msg(book, {"type": "acks", "acks": [[book.model_id, "slow", first, 0]]}, [])
            await wait_for(lambda: book._frame[0] > first, 2, "the next frame")
            told, lagging_flag = list(book._frame[3]), book.lagging
            second = book._frame[0]
            book._on_custom_msg(
                book, {"type": "acks", "acks": [[book.model_id, "slow", second, 0]]}, []
            )  # at once this time
            await wait_for(lambda: book._frame[0] > second, 2, "the frame after")
            after, caught_up = list(book._frame[3]), not book.lagging
            book._on_custom_msg(book, {"type": "acks", "acks": [[book.model_id, "slow", "x", 0]]}, [])
            error = book.error
            book.close()
            return told, lagging_flag, after, caught_up, error

    told, lagging_flag, after, caught_up, error = run(main())
    assert told == ["slow"] and lagging_flag
    assert after == [] and caught_up
    assert "integer seq" in error, "a malformed acknowledgement is refused in plain words"


def test_one_message_from_the_page_acknowledges_the_frames_of_several_widgets(sim):
    async def main():
        async with live_session(sim) as session:
            book = bw.OrderBook("BTCUSDT", depth=25, session=session)
            ticker = bw.Ticker("BTCUSDT", session=session)
            await book.ready()
            await ticker.ready()
            for widget in (book, ticker):
                widget._on_custom_msg(widget, {"type": "hello", "view": f"v-{widget.model_id}"}, [])
            await wait_for(lambda: book.flow.in_flight and ticker.flow.in_flight, what="both frames in flight")
            held = {w: w.flow.in_flight for w in (book, ticker)}
            acks = [[w.model_id, f"v-{w.model_id}", seq, 5] for w, seq in held.items()] + [["gone", "v", 1, 0]]
            book._on_custom_msg(book, {"type": "acks", "acks": acks}, [])  # through the book's comm only
            await wait_for(lambda: all(w._frame[0] > seq for w, seq in held.items()), 3, "both next frames")
            errors = (book.error, ticker.error)
            book._on_custom_msg(book, {"type": "acks", "acks": "nonsense"}, [])
            refused = book.error
            book._on_custom_msg(book, {"type": "acks", "acks": [], "gap": "soon"}, [])
            refused_gap = book.error
            book._on_custom_msg(book, {"type": "acks", "acks": acks[:2], "gap": 750}, [])
            windows = (book.flow.window, ticker.flow.window)
            book.close()
            ticker.close()
            return errors, refused, refused_gap, windows

    errors, refused, refused_gap, windows = run(main())
    assert errors == ("", ""), "an acknowledgement for a widget that is gone is skipped quietly"
    assert "list of [model id, view id, seq, ms since paint]" in refused
    assert "gap between acknowledgements must be milliseconds" in refused_gap
    assert windows == (pytest.approx(0.95), pytest.approx(0.95)), "the page's gap reaches every widget it acknowledges"
