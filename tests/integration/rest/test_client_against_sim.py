"""The REST client against the embedded exchange over real sockets: every endpoint and behaviour."""

import asyncio
import time
from decimal import Decimal

import pytest

import bybit_widgets as bw
from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.records import Instrument, Kline, Order, Position, PublicTrade, Ticker, Wallet

from .conftest import fault, truth


def last_price(client, symbol="BTCUSDT") -> Decimal:
    return client.get_tickers(category="linear", symbol=symbol)[0].last_price


def test_market_endpoints(client):
    t = client.get_server_time()
    assert abs(t.ms - time.time() * 1000) < 5000
    (inst,) = client.get_instruments_info(category="linear", symbol="BTCUSDT")
    assert isinstance(inst, Instrument) and inst.tick_size == Decimal("0.10") and inst.qty_step == Decimal("0.001")
    spot = client.get_instruments_info(category="spot", symbol="BTCUSDT")[0]
    assert spot.qty_step is not None and spot.min_notional is not None
    (ticker,) = client.get_tickers(category="linear", symbol="BTCUSDT")
    assert isinstance(ticker, Ticker) and ticker.last_price > 0 and ticker.mark_price > 0
    book = client.get_orderbook(category="linear", symbol="BTCUSDT", limit=50)
    assert len(book.bids) == 50 and len(book.asks) == 50
    assert [lvl.price for lvl in book.bids] == sorted((lvl.price for lvl in book.bids), reverse=True)
    assert [lvl.price for lvl in book.asks] == sorted(lvl.price for lvl in book.asks)
    assert book.best_bid.price < book.best_ask.price
    klines = client.get_kline(category="linear", symbol="BTCUSDT", interval="1", limit=5)
    assert all(isinstance(k, Kline) for k in klines) and len(klines) >= 1
    assert [k.start for k in klines] == sorted((k.start for k in klines), reverse=True)  # newest first
    trades = client.get_recent_trades(category="linear", symbol="BTCUSDT", limit=10)
    assert all(isinstance(tr, PublicTrade) and tr.side in ("Buy", "Sell") for tr in trades)


def test_order_lifecycle_limit_amend_cancel(client, sim):
    far = (last_price(client) * Decimal("0.8")).quantize(Decimal("0.1"))
    ack = client.place_order(
        category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(far)
    )
    assert ack.order_link_id.startswith("bw-")
    (order,) = client.get_open_orders(category="linear", symbol="BTCUSDT", order_link_id=ack.order_link_id)
    assert isinstance(order, Order) and order.order_status == "New" and order.price == far
    client.amend_order(category="linear", symbol="BTCUSDT", order_id=ack.order_id, price=str(far - 10))
    (order,) = client.get_open_orders(category="linear", symbol="BTCUSDT", order_id=ack.order_id)
    assert order.price == far - 10
    client.cancel_order(category="linear", symbol="BTCUSDT", order_link_id=ack.order_link_id)
    hist = client.get_order_history(category="linear", symbol="BTCUSDT", order_link_id=ack.order_link_id)
    assert hist[0].order_status == "Cancelled"
    with pytest.raises(E.OrderNotFoundError):
        client.cancel_order(category="linear", symbol="BTCUSDT", order_id="no-such-order")


def test_market_order_position_wallet_executions_close(client):
    client.place_order(category="linear", symbol="ETHUSDT", side="Buy", order_type="Market", qty="0.10")
    (pos,) = client.get_positions(category="linear", symbol="ETHUSDT")
    assert isinstance(pos, Position) and pos.side == "Buy" and pos.size == Decimal("0.10") and pos.avg_price > 0
    execs = client.get_executions(category="linear", symbol="ETHUSDT", limit=10)
    assert execs and execs[0].exec_qty > 0
    wallet = client.get_wallet_balance(account_type="UNIFIED")
    assert isinstance(wallet, Wallet) and wallet.coins["USDT"].wallet_balance > 0
    client.set_trading_stop(
        category="linear",
        symbol="ETHUSDT",
        take_profit=str((pos.avg_price * 2).quantize(Decimal("0.01"))),
        stop_loss=str((pos.avg_price / 2).quantize(Decimal("0.01"))),
    )
    (pos,) = client.get_positions(category="linear", symbol="ETHUSDT")
    assert pos.take_profit > pos.avg_price > pos.stop_loss
    flat = client.close_position("linear", "ETHUSDT")
    assert flat is not None and not flat.size


def test_leverage_and_not_modified(client):
    client.set_leverage(category="linear", symbol="SOLUSDT", buy_leverage="7")
    assert client.get_positions(category="linear", symbol="SOLUSDT")[0].leverage == 7
    with pytest.raises(E.NotModifiedError):
        client.set_leverage(category="linear", symbol="SOLUSDT", buy_leverage="7")


def test_cancel_all_and_api_key_info(client):
    far = (last_price(client) * Decimal("0.7")).quantize(Decimal("0.1"))
    for i in range(3):
        client.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(far - i)
        )
    acks = client.cancel_all_orders(category="linear", symbol="BTCUSDT")
    assert len(acks) == 3
    info = client.get_api_key_info()
    assert info.read_only is False
    report = client.check_credentials()
    assert "can trade" in str(report)


def test_rejections_are_typed(client):
    with pytest.raises(E.InsufficientBalanceError):
        client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="100")
    with pytest.raises(E.BybitError) as info:
        client.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price="65000.05"
        )
    assert info.value.ret_code is not None


@pytest.mark.parametrize("skew_ms", [30_000, -30_000])
def test_clock_skew_both_ways(sim, skew_ms):
    fault(sim, kind="clock_skew", ms=skew_ms)
    with bw.Client(sim.api_key, sim.api_secret, base_url=sim.rest_url) as c:
        assert c.get_wallet_balance() is not None
        assert abs(c.clock.offset_ms - skew_ms) < 1000


def test_skew_appearing_later_resyncs_once(client, sim):
    client.get_wallet_balance()
    fault(sim, kind="clock_skew", ms=30_000)
    assert client.get_wallet_balance() is not None
    assert abs(client.clock.offset_ms - 30_000) < 1000 and client.clock.syncs == 2


def test_rate_limit_answers_are_waited_out(client, sim):
    fault(sim, kind="rate_limit", path="/v5/order/realtime", count=2)
    assert client.get_open_orders(category="linear", symbol="BTCUSDT") is not None


def test_5xx_on_reads_is_retried(client, sim):
    fault(sim, kind="http_error", path="/v5/position/list", status=503, count=2)
    assert client.get_positions(category="linear", symbol="BTCUSDT") is not None


def test_create_timeout_after_processing_never_duplicates(sim):
    with bw.Client(sim.api_key, sim.api_secret, base_url=sim.rest_url, timeout=0.5) as c:
        fault(sim, kind="timeout", path="/v5/order/create", count=1, after_processing=True)
        far = (last_price(c) * Decimal("0.75")).quantize(Decimal("0.1"))
        ack = c.place_order(
            category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price=str(far)
        )
        orders = [o for o in truth(sim, "orders", api_key=sim.api_key) if o["orderLinkId"] == ack.order_link_id]
        assert len(orders) == 1
        c.cancel_all_orders(category="linear", symbol="BTCUSDT")


def test_pybit_works_unchanged_against_the_exchange(sim):
    """A third-party client pointed at the embedded exchange's URL works as on Bybit."""
    from pybit.unified_trading import HTTP

    session = HTTP(api_key=sim.api_key, api_secret=sim.api_secret)
    session.endpoint = sim.rest_url
    assert session.get_server_time()["retCode"] == 0
    assert session.get_tickers(category="linear", symbol="BTCUSDT")["result"]["list"][0]["symbol"] == "BTCUSDT"
    r = session.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Market", qty="0.001")
    assert r["retCode"] == 0 and r["result"]["orderId"]
    pos = session.get_positions(category="linear", symbol="BTCUSDT")["result"]["list"][0]
    assert Decimal(pos["size"]) >= Decimal("0.001")
    session.place_order(
        category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty=pos["size"], reduceOnly=True
    )


def test_async_face_concurrent(sim):
    async def main():
        async with bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as c:
            results = await asyncio.gather(*(c.get_positions(category="linear", symbol="BTCUSDT") for _ in range(50)))
            return results

    assert len(asyncio.run(main())) == 50


def test_account_info_and_coin_info_describe_the_embedded_exchange(client, sim):
    info = client.get_account_info()
    assert (info.unified_margin_status, info.margin_mode, info.is_unified) == (5, "REGULAR_MARGIN", True)
    assert info.updated_time is not None and info.updated_time <= time.time() * 1000
    coins = client.get_coin_info()
    assert [c.coin for c in coins] == ["BTC", "ETH", "SOL", "USDT"]
    assert all(c.name == c.coin and c.remain_amount == 0 and c.chains == () for c in coins)  # nothing moves on chain
    assert [c.coin for c in client.get_coin_info(coin="eth")] == ["ETH"]

    async def both() -> tuple:
        async with bw.AsyncClient(sim.api_key, sim.api_secret, base_url=sim.rest_url) as c:
            return await c.get_account_info(), await c.get_coin_info(coin="USDT")

    async_info, (usdt,) = asyncio.run(both())
    assert async_info.unified_margin_status == 5 and usdt.coin == "USDT"


def test_untraded_categories_list_nothing_and_refuse_trading(client):
    assert client.get_instruments_info(category="inverse") == client.get_instruments_info(category="option") == []
    assert client.get_positions(category="inverse") == [] and client.get_open_orders(category="option") == []
    with pytest.raises(E.ParameterError) as info:
        client.place_order(category="inverse", symbol="BTCUSD", side="Buy", order_type="Market", qty="1")
    assert info.value.ret_code == 10001 and "does not trade inverse" in info.value.ret_msg
