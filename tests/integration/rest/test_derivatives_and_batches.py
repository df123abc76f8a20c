"""Funding history, open interest, fee rates, REST batch orders and ``client.request`` against the
embedded exchange over real sockets, on both faces of the client.

The rules relied on, from Bybit's v5 docs: funding history is newest first, at most ``limit``
(200) rates up to ``endTime`` or now, one per funding time of the instrument's
``fundingInterval``, and ``startTime`` alone is refused; open interest is newest first per
``intervalTime`` bucket and paged by ``nextPageCursor``; a batch answers retCode 0 with each
order's own code in ``retExtInfo.list``, in request order.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

import bybit_widgets as bw
from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.records import FeeRate, FundingRate, OpenInterest

from .conftest import truth

BTC = {"category": "linear", "symbol": "BTCUSDT"}


def far_bid(client, fraction: str = "0.8") -> str:
    last = client.get_tickers(**BTC)[0].last_price
    return str((last * Decimal(fraction)).quantize(Decimal("0.1")))


def open_ids(sim) -> list[str]:
    return sorted(o["orderId"] for o in truth(sim, "orders", api_key=sim.api_key) if o["orderStatus"] == "New")


def both_faces(sim, call):
    """``call(client)`` on the sync face and on the async face: (sync result, async result)."""

    async def run_async():
        async with bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as aclient:
            return await call(aclient)

    with bw.Client(sim.api_key, sim.api_secret, base_url=sim.rest_url) as client:
        sync = call(client)
    return sync, asyncio.run(run_async())


def test_funding_history_is_newest_first_one_rate_per_funding_time_and_the_same_on_every_call(client, sim):
    interval_ms = int(client.get_instruments_info(**BTC)[0]["fundingInterval"]) * 60_000
    rates, again = both_faces(sim, lambda c: c.get_funding_rate_history(**BTC, limit=30))
    assert len(rates) == 30 and all(isinstance(r, FundingRate) for r in rates)
    times = [r.time for r in rates]
    assert times[0] <= time.time() * 1000 < times[0] + interval_ms  # the last settlement before now
    assert all(a - b == interval_ms for a, b in zip(times, times[1:])), "one rate per funding time, newest first"
    assert all(t % interval_ms == 0 and abs(r.funding_rate) < Decimal("0.005") for t, r in zip(times, rates))
    assert [r.to_dict() for r in again] == [r.to_dict() for r in rates]
    window = client.get_funding_rate_history(**BTC, start_time=times[9], end_time=times[2])
    assert [r.to_dict() for r in window] == [r.to_dict() for r in rates[2:10]]
    assert len(client.get_funding_rate_history(**BTC)) == 200  # Bybit's default page
    with pytest.raises(E.ParameterError, match="start_time needs end_time"):
        client.get_funding_rate_history(**BTC, start_time=times[5])


def test_open_interest_pages_by_cursor_without_a_gap_or_an_overlap_near_the_tickers_level(client, sim):
    first, _ = both_faces(sim, lambda c: c.get_open_interest(**BTC, interval_time="15min", limit=5))
    second = client.get_open_interest(**BTC, interval_time="15min", limit=5, cursor=first.next_page_cursor)
    times = [oi.time for oi in [*first, *second]]
    assert all(isinstance(oi, OpenInterest) for oi in first) and first.next_page_cursor
    assert all(a - b == 900_000 for a, b in zip(times, times[1:])), times
    level = client.get_tickers(**BTC)[0].raw["openInterest"]
    assert abs(first[0].open_interest / Decimal(level) - 1) < Decimal("0.1")
    with pytest.raises(E.ParameterError, match="interval_time must be one of"):
        client.get_open_interest(**BTC, interval_time="2h")


def test_the_fee_rates_are_what_a_fill_is_charged(client, sim):
    (rate,), (again,) = both_faces(sim, lambda c: c.get_fee_rates(**BTC))
    assert isinstance(rate, FeeRate) and rate.to_dict() == again.to_dict() and rate.symbol == "BTCUSDT"
    assert [r.symbol for r in client.get_fee_rates(category="linear")] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert client.get_fee_rates(category="option") == []  # a category the exchange does not trade
    ack = client.place_order(**BTC, side="Buy", order_type="Market", qty="0.002")
    fills = client.get_executions(**BTC, order_id=ack.order_id)
    assert fills and all(f.exec_fee == (f.exec_value * rate.taker_fee_rate).quantize(f.exec_fee) for f in fills)


def test_a_batch_places_amends_and_cancels_each_order_and_names_the_one_refused(client, sim):
    price = far_bid(client)
    order = {"symbol": "BTCUSDT", "side": "Buy", "order_type": "Limit", "qty": "0.001"}
    placed = client.place_batch_order(category="linear", requests=[{**order, "price": price}] * 3)
    assert placed.ok and [item.index for item in placed] == [0, 1, 2]
    ids = sorted(item.order_id for item in placed)
    assert open_ids(sim) == ids and len({item.order_link_id for item in placed}) == 3
    lower = str(Decimal(price) - 100)
    moved = client.amend_batch_order(
        category="linear", requests=[{"symbol": "BTCUSDT", "order_id": i, "price": lower} for i in ids]
    )
    assert moved.ok and {o["price"] for o in truth(sim, "orders", api_key=sim.api_key) if o["orderId"] in ids} == {
        f"{Decimal(lower):.2f}"
    }
    with pytest.raises(E.BatchOrderError) as info:
        client.place_batch_order(
            category="linear", requests=[{**order, "price": price}, {**order, "price": price, "qty": "0.0011"}]
        )
    (refused,) = info.value.failed
    assert refused.index == 1 and refused.ret_code == 10001 and "qtyStep" in refused.ret_msg
    (kept,) = info.value.result.succeeded
    assert open_ids(sim) == sorted([*ids, kept.order_id])  # the other order of that batch was placed
    cancelled = client.cancel_batch_order(
        category="linear", requests=[{"symbol": "BTCUSDT", "order_id": i} for i in [*ids, kept.order_id]]
    )
    assert cancelled.ok and open_ids(sim) == []


def test_the_async_face_runs_batches_too(sim):
    async def main():
        async with bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as aclient:
            last = (await aclient.get_tickers(**BTC))[0].last_price
            price = str((last * Decimal("0.8")).quantize(Decimal("0.1")))
            order = {"symbol": "BTCUSDT", "side": "Buy", "order_type": "Limit", "qty": "0.001", "price": price}
            placed = await aclient.place_batch_order(category="linear", requests=[order, order])
            ids = [item.order_id for item in placed]
            cancelled = await aclient.cancel_batch_order(
                category="linear", requests=[{"symbol": "BTCUSDT", "order_id": i} for i in ids]
            )
            return placed, cancelled

    placed, cancelled = asyncio.run(main())
    assert placed.ok and cancelled.ok and len(placed) == 2 and open_ids(sim) == []


def test_client_request_reaches_any_endpoint_signed_and_keeps_the_named_methods_safety(client, sim):
    raw = client.request("GET", "/v5/position/list", BTC)  # signed, Bybit's own names
    assert raw["list"][0]["symbol"] == "BTCUSDT"
    history, _ = both_faces(sim, lambda c: c.request("GET", "/v5/market/funding/history", {**BTC, "limit": 2}))
    assert [row["fundingRateTimestamp"] for row in history["list"]] == [
        str(r.time) for r in client.get_funding_rate_history(**BTC, limit=2)
    ]
    body = {**BTC, "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": far_bid(client)}
    ack = client.request("POST", "/v5/order/create", body)
    assert ack["orderLinkId"].startswith("bw-"), "an order create gets its orderLinkId, so it is never sent twice"
    assert open_ids(sim) == [ack["orderId"]]
    client.request("POST", "/v5/order/cancel", {**BTC, "orderId": ack["orderId"]})
    assert open_ids(sim) == []
    with pytest.raises(E.OrderNotFoundError):
        client.request("POST", "/v5/order/cancel", {**BTC, "orderId": "no-such-order"})
    with pytest.raises(E.ParameterError, match="method must be 'GET' or 'POST'"):
        client.request("PUT", "/v5/order/create", body)


@pytest.mark.parametrize(("kind", "done"), [("amend", "amended"), ("cancel", "cancelled")])
def test_an_amend_or_cancel_batch_names_each_refused_order_and_keeps_the_others(client, sim, kind, done):
    price = far_bid(client)
    order = {"symbol": "BTCUSDT", "side": "Buy", "order_type": "Limit", "qty": "0.001", "price": price}
    (kept,) = client.place_batch_order(category="linear", requests=[order])
    lower = str(Decimal(price) - 100)
    change = {"price": lower} if kind == "amend" else {}
    batch = getattr(client, f"{kind}_batch_order")
    with pytest.raises(E.BatchOrderError) as info:
        batch(
            category="linear",
            requests=[
                {"symbol": "BTCUSDT", "order_id": kept.order_id, **change},
                {"symbol": "ETHUSDT", "order_id": "gone", **change},
            ],
        )
    (refused,) = info.value.failed
    assert (refused.index, refused.ret_code, refused.name) == (1, 110001, "#1 (ETHUSDT)")
    assert isinstance(refused.error, E.OrderNotFoundError) and "#1 (ETHUSDT): retCode 110001" in str(info.value)
    assert [item.order_id for item in info.value.result.succeeded] == [kept.order_id]
    assert f"the other 1 was {done}" in info.value.hint
    still = [o for o in truth(sim, "orders", api_key=sim.api_key) if o["orderId"] == kept.order_id]
    assert [(o["orderStatus"], o["price"]) for o in still] == [
        ("New", f"{Decimal(lower):.2f}") if kind == "amend" else ("Cancelled", f"{Decimal(price):.2f}")
    ]
    client.cancel_all_orders(category="linear", symbol="BTCUSDT")


def test_the_async_face_amends_batches_sets_the_margin_mode_and_calls_request_both_ways(sim):
    key, secret = bw.sim.generate_keys()
    sim.add_account(key, secret)

    async def main():
        async with bw.AsyncClient(key, secret, base_url=sim.rest_url) as aclient:
            last = (await aclient.get_tickers(**BTC))[0].last_price
            price = (last * Decimal("0.8")).quantize(Decimal("0.1"))
            order = {"symbol": "BTCUSDT", "side": "Buy", "order_type": "Limit", "qty": "0.001", "price": str(price)}
            ids = [item.order_id for item in await aclient.place_batch_order(category="linear", requests=[order] * 2)]
            moved = await aclient.amend_batch_order(
                category="linear",
                requests=[{"symbol": "BTCUSDT", "order_id": i, "price": str(price - 50)} for i in ids],
            )
            listed = await aclient.request("GET", "/v5/order/realtime", BTC)
            await aclient.request("POST", "/v5/order/cancel", {**BTC, "orderId": ids[0]})
            after = await aclient.request("GET", "/v5/order/realtime", BTC)
            await aclient.cancel_all_orders(**BTC)
            regular = await aclient.set_margin_mode(set_margin_mode="REGULAR_MARGIN")
            with pytest.raises(E.BybitError, match="cross margin") as refused:
                await aclient.set_margin_mode(set_margin_mode="PORTFOLIO_MARGIN")
            info = await aclient.get_account_info()
            return ids, moved, listed, after, regular, refused.value, info, price

    ids, moved, listed, after, regular, refused, info, price = asyncio.run(main())
    assert moved.ok and [item.order_id for item in moved] == ids
    assert sorted((o["orderId"], o["price"]) for o in listed["list"]) == sorted((i, f"{price - 50:.2f}") for i in ids)
    assert [o["orderId"] for o in after["list"]] == [ids[1]]
    assert regular is None and refused.ret_code == 3400045 and info.margin_mode == "REGULAR_MARGIN"
