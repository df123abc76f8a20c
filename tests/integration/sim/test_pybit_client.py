"""A third-party Bybit client, unchanged, pointed at the simulator: pybit 5.17 (REST and WebSocket)."""

from __future__ import annotations

import threading
import time

import pybit.unified_trading as pybit_unified  # pybit is a test dependency (pyproject [test])
import pytest
from pybit.exceptions import InvalidRequestError


def test_pybit_rest_round_trip(sim):
    session = pybit_unified.HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
    session.endpoint = sim.rest_url  # the only change: the host
    assert session.get_server_time()["retCode"] == 0
    book = session.get_orderbook(category="linear", symbol="BTCUSDT", limit=50)["result"]
    assert len(book["b"]) == 50
    placed = session.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty="0.001",
        price="60000",
        orderLinkId="pybit-1",
    )["result"]
    open_orders = session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [o["orderId"] for o in open_orders] == [placed["orderId"]]
    session.cancel_order(category="linear", symbol="BTCUSDT", orderId=placed["orderId"])
    assert session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"] == []


def test_pybit_reads_funding_open_interest_and_fees_and_sends_batches(sim):
    session = pybit_unified.HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
    session.endpoint = sim.rest_url
    funding = session.get_funding_rate_history(category="linear", symbol="BTCUSDT", limit=2)["result"]["list"]
    assert len(funding) == 2 and int(funding[0]["fundingRateTimestamp"]) > int(funding[1]["fundingRateTimestamp"])
    oi = session.get_open_interest(category="linear", symbol="BTCUSDT", intervalTime="5min", limit=2)["result"]
    assert len(oi["list"]) == 2 and oi["nextPageCursor"]
    (fee,) = session.get_fee_rates(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert (fee["makerFeeRate"], fee["takerFeeRate"]) == ("0.0002", "0.00055")
    order = {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "60000"}
    placed = session.place_batch_order(category="linear", request=[order, {**order, "qty": "0.0011"}])
    assert [c["code"] for c in placed["retExtInfo"]["list"]] == [0, 10001]  # each order its own outcome
    kept = placed["result"]["list"][0]["orderId"]
    cancelled = session.cancel_batch_order(category="linear", request=[{"symbol": "BTCUSDT", "orderId": kept}])
    assert cancelled["retExtInfo"]["list"] == [{"code": 0, "msg": "OK"}]
    assert session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"] == []
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.002")
    session.place_order(category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.002")
    (closed,) = session.get_closed_pnl(category="linear", symbol="BTCUSDT")["result"]["list"]
    log = session.get_transaction_log(accountType="UNIFIED", category="linear", currency="USDT")["result"]["list"]
    assert closed["closedSize"] == "0.002" and [r["type"] for r in log] == ["TRADE", "TRADE"]


# pybit 5.17 sends a subscribe and only then records its req_id and callback (_websocket_stream.py,
# `subscribe`: `self.ws.send(...)` before `self.subscriptions[req_id] = ...`). Against Bybit the reply
# takes a network round trip; the embedded exchange on loopback can answer before the next line runs,
# and pybit then drops the reply with a KeyError and never delivers that topic. So a fresh pair of
# pybit clients is tried up to ATTEMPTS times; the exchange's side is the same on every attempt.
ATTEMPTS = 3


def _pybit_book_and_order(sim) -> tuple[list[dict], list[dict], str] | None:
    """One attempt: books and order updates through fresh pybit clients, or None if pybit lost its subscribe."""
    books: list[dict] = []
    orders: list[dict] = []
    got = threading.Condition()

    def on_book(message: dict) -> None:
        with got:
            books.append(message)
            got.notify_all()

    def on_order(message: dict) -> None:
        with got:
            orders.append(message)
            got.notify_all()

    public = pybit_unified.WebSocket(channel_type="linear", testnet=False)
    private = pybit_unified.WebSocket(
        channel_type="private", testnet=False, api_key=sim.api_key, api_secret=sim.api_secret, private_auth_expire=10
    )
    try:
        public.orderbook_stream(depth=50, symbol="BTCUSDT", callback=on_book)
        private.order_stream(callback=on_order)
        session = pybit_unified.HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
        session.endpoint = sim.rest_url
        deadline = time.monotonic() + 5
        with got:
            while len(books) < 5:
                if not got.wait(deadline - time.monotonic()):
                    return None
        placed = session.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.001", price="60000"
        )["result"]
        session.cancel_order(category="linear", symbol="BTCUSDT", orderId=placed["orderId"])  # the next try starts flat
        with got:
            while not any(o["orderId"] == placed["orderId"] for m in orders for o in m["data"]):
                if not got.wait(deadline - time.monotonic()):
                    return None
        return books, orders, placed["orderId"]
    finally:
        public.exit()
        private.exit()


def test_pybit_websocket_order_book_and_private_stream(sim, monkeypatch):
    monkeypatch.setattr(pybit_unified, "PUBLIC_WSS", sim.ws_url + "/v5/public/{CHANNEL_TYPE}")
    monkeypatch.setattr(pybit_unified, "PRIVATE_WSS", sim.ws_private)
    for _ in range(ATTEMPTS):
        result = _pybit_book_and_order(sim)
        if result is not None:
            break
    assert result is not None, f"no book or order updates through pybit in {ATTEMPTS} fresh clients"
    books, orders, order_id = result
    assert books[0]["topic"] == "orderbook.50.BTCUSDT" and len(books[-1]["data"]["b"]) == 50
    assert any(o["orderId"] == order_id for m in orders for o in m["data"])


def test_pybit_trades_both_sides_in_hedge_mode_and_reads_each_row(sim):
    session = pybit_unified.HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
    session.endpoint = sim.rest_url
    session.switch_position_mode(category="linear", symbol="BTCUSDT", mode=3)
    session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.003", positionIdx=1)
    session.place_order(
        category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.002", positionIdx=2
    )
    rows = session.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert [(r["positionIdx"], r["side"], r["size"]) for r in rows] == [(1, "Buy", "0.003"), (2, "Sell", "0.002")]
    with pytest.raises(InvalidRequestError, match="position idx not match position mode") as refused:
        session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert refused.value.status_code == 10001


def test_pybit_amends_a_batch_each_order_with_its_own_outcome(sim):
    session = pybit_unified.HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
    session.endpoint = sim.rest_url
    order = {"symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "60000"}
    placed = session.place_batch_order(category="linear", request=[order, order])["result"]["list"]
    ids = [p["orderId"] for p in placed]
    amends = [{"symbol": "BTCUSDT", "orderId": ids[0], "price": "59000"}, {"symbol": "BTCUSDT", "orderId": "gone"}]
    amended = session.amend_batch_order(category="linear", request=amends)
    assert [c["code"] for c in amended["retExtInfo"]["list"]] == [0, 110001]  # each order its own outcome
    resting = session.get_open_orders(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert sorted((o["orderId"], o["price"]) for o in resting) == sorted([(ids[0], "59000.00"), (ids[1], "60000.00")])
    session.cancel_batch_order(category="linear", request=[{"symbol": "BTCUSDT", "orderId": i} for i in ids])
