"""Feed state reducers: what each topic kind keeps, from plain wire dicts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bybit_widgets.stream.state import (
    APPLIED,
    DROPPED,
    IGNORED,
    BadMessage,
    BookReducer,
    BookView,
    ExecutionsReducer,
    KlineReducer,
    NeedsResync,
    OrdersReducer,
    PositionsReducer,
    TickerReducer,
    TradesReducer,
    WalletReducer,
    reducer_for,
)


def book_msg(kind, u, b=(), a=()):
    return {
        "topic": "orderbook.50.BTCUSDT",
        "type": kind,
        "ts": 5,
        "cts": 4,
        "data": {"s": "BTCUSDT", "b": [list(x) for x in b], "a": [list(x) for x in a], "u": u, "seq": u},
    }


class TestBook:
    def test_view_is_built_lazily_and_cached_per_version(self):
        r = BookReducer("BTCUSDT")
        assert r.latest() is None and r.awaiting_snapshot
        assert r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")])) == APPLIED
        view = r.latest()
        assert isinstance(view, BookView) and r.latest() is view
        assert (view.best_bid, view.best_ask, view.mid, view.spread, view.u, view.ts, view.cts) == (
            100.0,
            101.0,
            100.5,
            1.0,
            7,
            5,
            4,
        )
        r.apply(book_msg("delta", 8, [("100.5", "3")]))
        assert r.latest() is not view and r.latest().bids[0] == (100.5, 3.0)

    def test_gap_needs_resync_and_the_last_good_view_stays(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        good = r.latest()
        with pytest.raises(NeedsResync) as info:
            r.apply(book_msg("delta", 9, [("100", "5")]))
        assert info.value.kind == "gap" and "expected u=8, got u=9" in info.value.reason
        assert r.apply(book_msg("delta", 10, [("100", "6")])) == DROPPED
        assert r.latest() is good and r.awaiting_snapshot

    def test_crossed_delta_keeps_the_last_view_that_was_read(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        r.apply(book_msg("delta", 8, [("99", "1")]))
        seen = r.latest()
        with pytest.raises(NeedsResync) as info:
            r.apply(book_msg("delta", 9, [("102", "1")]))
        assert info.value.kind == "crossed"
        assert r.latest() is seen  # never the crossed state

    def test_malformed_delta_needs_resync(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        with pytest.raises(NeedsResync) as info:
            r.apply(book_msg("delta", 8, [("oops", "1")]))
        assert info.value.kind == "malformed"

    def test_duplicate_is_ignored_and_snapshot_over_live_book_counts_a_reset(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        assert r.apply(book_msg("delta", 7, [("100", "9")])) == IGNORED
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))  # a level-1 style re-push
        r.apply(book_msg("snapshot", 8, [("100", "2")], [("101", "2")]))  # level 1 is snapshots only
        assert r.resets == 0
        r.apply(book_msg("snapshot", 1, [("100", "1")], [("101", "2")]))
        assert r.resets == 1 and r.latest().u == 1

    def test_disconnect_waits_for_a_new_snapshot_but_keeps_showing_the_book(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        view = r.latest()
        r.on_disconnect()
        assert r.awaiting_snapshot and r.latest() is view
        assert r.apply(book_msg("delta", 8)) == DROPPED

    def test_unreadable_size_found_while_building_keeps_last_view(self):
        r = BookReducer()
        r.apply(book_msg("snapshot", 7, [("100", "1")], [("101", "2")]))
        good = r.latest()
        r.apply(book_msg("delta", 8, [("100", "x")]))
        assert r.latest() is good and r.awaiting_snapshot


class TestTicker:
    def test_linear_deltas_merge_into_the_snapshot(self):
        r = TickerReducer()
        assert r.apply({"type": "delta", "data": {"lastPrice": "1"}}) == DROPPED
        r.apply(
            {
                "topic": "tickers.BTCUSDT",
                "type": "snapshot",
                "data": {"symbol": "BTCUSDT", "lastPrice": "42000.5", "bid1Price": "42000.0", "fundingRate": "0.0001"},
            }
        )
        r.apply({"topic": "tickers.BTCUSDT", "type": "delta", "data": {"symbol": "BTCUSDT", "lastPrice": "42001.0"}})
        t = r.latest()
        assert t.last_price == Decimal("42001.0") and t.bid1_price == Decimal("42000.0")
        assert t.funding_rate == Decimal("0.0001") and t.symbol == "BTCUSDT"

    def test_spot_snapshots_replace(self):
        r = TickerReducer()
        r.apply({"type": "snapshot", "data": {"symbol": "BTCUSDT", "lastPrice": "1", "highPrice24h": "2"}})
        r.apply({"type": "snapshot", "data": {"symbol": "BTCUSDT", "lastPrice": "3"}})
        assert r.latest().last_price == 3 and r.latest().high_price_24h is None

    @pytest.mark.parametrize("msg", [{"type": "snapshot"}, {"type": "snapshot", "data": 5}, {"type": "x", "data": {}}])
    def test_bad_ticker_messages(self, msg):
        with pytest.raises(BadMessage):
            TickerReducer().apply(msg)

    def test_list_shaped_data_is_accepted(self):
        r = TickerReducer()
        r.apply({"type": "snapshot", "data": [{"symbol": "X", "lastPrice": "5"}]})
        assert r.latest().last_price == 5


def trade(i, price="100"):
    return {
        "T": 1000 + i,
        "s": "BTCUSDT",
        "S": "Buy",
        "v": "0.5",
        "p": price,
        "L": "PlusTick",
        "i": f"id-{i}",
        "BT": False,
        "RPI": False,
        "seq": i,
    }


class TestTrades:
    def test_ring_buffer_keeps_the_newest_oldest_first(self):
        r = TradesReducer(maxlen=3)
        r.apply({"data": [trade(1), trade(2)]})
        r.apply({"data": [trade(3), trade(4)]})
        assert [t.trade_id for t in r.latest()] == ["id-2", "id-3", "id-4"]
        assert r.latest()[0].price == Decimal("100") and r.latest()[0].side == "Buy"
        assert r.apply({"data": []}) == IGNORED
        r.resize(10)
        r.apply({"data": [trade(5)]})
        assert len(r.latest()) == 4

    @pytest.mark.parametrize("msg", [{"data": {}}, {"data": [1]}, {}])
    def test_bad_trade_messages(self, msg):
        with pytest.raises(BadMessage):
            TradesReducer().apply(msg)


def kline(start, close, confirm=False):
    return {
        "start": start,
        "end": start + 59_999,
        "interval": "1",
        "open": "1",
        "close": close,
        "high": "2",
        "low": "0.5",
        "volume": "3",
        "turnover": "4",
        "confirm": confirm,
        "timestamp": start + 10,
    }


class TestKline:
    def test_upsert_by_start_ascending_with_the_forming_candle_last(self):
        r = KlineReducer(maxlen=3)
        r.apply({"data": [kline(120_000, "5")]})
        r.apply({"data": [kline(60_000, "4", confirm=True)]})
        r.apply({"data": [kline(120_000, "6")]})
        got = r.latest()
        assert [k.start for k in got] == [60_000, 120_000] and got[-1].close == Decimal("6")
        assert got[0].confirm is True
        r.apply({"data": [kline(180_000, "7"), kline(240_000, "8")]})
        assert [k.start for k in r.latest()] == [120_000, 180_000, 240_000]

    def test_a_closed_candle_is_not_reopened_by_a_late_forming_copy(self):
        r = KlineReducer()
        r.apply({"data": [kline(60_000, "4", confirm=True)]})
        assert r.apply({"data": [kline(60_000, "9")]}) == IGNORED
        assert r.latest()[0].close == Decimal("4")

    @pytest.mark.parametrize("msg", [{"data": {}}, {"data": [{"start": "x"}]}, {"data": [5]}])
    def test_bad_kline_messages(self, msg):
        with pytest.raises(BadMessage):
            KlineReducer().apply(msg)


def order(oid, status, updated, qty="1"):
    return {
        "category": "linear",
        "symbol": "BTCUSDT",
        "orderId": oid,
        "orderLinkId": f"l-{oid}",
        "side": "Buy",
        "orderType": "Limit",
        "price": "100",
        "qty": qty,
        "orderStatus": status,
        "updatedTime": str(updated),
    }


class TestPrivate:
    def test_orders_keep_the_newest_state_per_order(self):
        r = OrdersReducer(max_closed=1)
        r.apply({"topic": "order", "data": [order("a", "New", 1), order("b", "New", 1)]})
        r.apply({"topic": "order", "data": [order("a", "PartiallyFilled", 3)]})
        assert r.apply({"topic": "order", "data": [order("a", "New", 2)]}) == IGNORED  # older event, out of order
        assert r.latest()["a"].order_status == "PartiallyFilled"
        r.apply({"topic": "order", "data": [order("a", "Filled", 4), order("b", "Cancelled", 4)]})
        assert list(r.latest()) == ["b"]  # only one closed order is kept
        with pytest.raises(BadMessage):
            r.apply({"topic": "order", "data": [{"symbol": "X"}]})

    def test_positions_by_symbol_and_flat_positions_stay(self):
        r = PositionsReducer()
        r.apply(
            {
                "topic": "position",
                "data": [
                    {"symbol": "BTCUSDT", "side": "Buy", "size": "0.01", "entryPrice": "88000", "updatedTime": "5"}
                ],
            }
        )
        p = r.latest()["BTCUSDT"]
        assert p.avg_price == Decimal("88000") and p.size == Decimal("0.01")
        r.apply({"topic": "position", "data": [{"symbol": "BTCUSDT", "side": "", "size": "0", "updatedTime": "6"}]})
        assert r.latest()["BTCUSDT"].is_flat

    def test_executions_are_deduplicated_and_bounded(self):
        r = ExecutionsReducer(maxlen=2)

        def e(i):
            return {"execId": f"e{i}", "orderId": "a", "execPrice": "100", "execQty": "1", "symbol": "BTCUSDT"}

        r.apply({"data": [e(1), e(2)]})
        assert r.apply({"data": [e(2)]}) == IGNORED
        r.apply({"data": [e(3)]})
        assert [x.exec_id for x in r.latest()] == ["e2", "e3"]
        r.apply({"data": [e(1)]})  # e1 left the window, so it is new again
        assert [x.exec_id for x in r.latest()] == ["e3", "e1"]

    def test_wallet_takes_the_unified_account(self):
        r = WalletReducer()
        assert r.latest() is None
        coin = {"coin": "USDT", "equity": "100"}
        r.apply({"data": [{"accountType": "UNIFIED", "totalEquity": "100", "coin": [coin]}]})
        w = r.latest()
        assert w.total_equity == Decimal("100") and w.coins["USDT"].equity == Decimal("100")
        assert r.apply({"data": []}) == IGNORED
        with pytest.raises(BadMessage):
            r.apply({"data": [3]})


def test_reducer_for_each_kind():
    kinds = {
        "orderbook": BookReducer,
        "tickers": TickerReducer,
        "publicTrade": TradesReducer,
        "kline": KlineReducer,
        "order": OrdersReducer,
        "execution": ExecutionsReducer,
        "position": PositionsReducer,
        "wallet": WalletReducer,
    }
    for kind, cls in kinds.items():
        assert type(reducer_for(kind)) is cls
    assert reducer_for("publicTrade", maxlen=7).trades.maxlen == 7
    with pytest.raises(ValueError):
        reducer_for("greeks")


def _kline(start: int, close: str = "1", confirm: bool | None = None):
    from bybit_widgets.protocol.records import Kline

    return Kline(
        start=start,
        open=Decimal("1"),
        high=Decimal("1"),
        low=Decimal("1"),
        close=Decimal(close),
        volume=Decimal("1"),
        confirm=confirm,
    )


def test_kline_backfill_adds_only_the_starts_the_stream_has_not_delivered():
    from bybit_widgets.stream.state import KlineReducer

    reducer = KlineReducer(maxlen=3)
    reducer.apply({"data": [{"start": 300, "open": "1", "high": "1", "low": "1", "close": "9", "volume": "1"}]})
    assert reducer.backfill([_kline(100), _kline(200), _kline(300, "5")]) == 1
    assert [(k.start, str(k.close)) for k in reducer.latest()] == [(100, "1"), (200, "1"), (300, "9")]
    assert reducer.backfill([_kline(100)]) == 0


def test_trades_backfill_holds_each_trade_once_and_skips_the_stream_repeating_one():
    from bybit_widgets.protocol.records import PublicTrade
    from bybit_widgets.stream.state import TradesReducer

    reducer = TradesReducer(maxlen=10)
    wire = {"i": "b", "T": 20, "p": "1", "v": "1", "S": "Buy", "s": "X"}
    reducer.apply({"data": [wire]})
    page = [PublicTrade(trade_id="a", time=10), PublicTrade(trade_id="b", time=20), PublicTrade(trade_id="c", time=25)]
    reducer.backfill(page)
    reducer.apply({"data": [{**wire, "i": "c", "T": 25}, {**wire, "i": "d", "T": 30}]})
    assert [t.trade_id for t in reducer.latest()] == ["a", "b", "c", "d"]
