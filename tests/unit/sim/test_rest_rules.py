"""Bybit rules the third-party clients (ccxt, pybit) rely on, each with the Bybit v5 doc page it comes from."""

from __future__ import annotations

import pytest

from bybit_widgets.sim.engine import Exchange, SimError, default_symbols

from .helpers import Recorder, make_exchange, order, top


def refusal(fn, *args) -> SimError:
    with pytest.raises(SimError) as err:
        fn(*args)
    return err.value


@pytest.fixture
def ex() -> Exchange:
    return make_exchange(symbols=default_symbols())


# -- categories the exchange does not trade -----------------------------------------------------------
def test_market_data_of_an_untraded_category_is_an_empty_list(ex: Exchange) -> None:
    """docs/v5/market/instrument, tickers, recent-trade, orderbook, kline: every category is valid.

    inverse and option are Bybit categories, so their lists are answered
    (empty here) and a symbol in them is unknown; option tickers need
    ``symbol`` or ``baseCoin``; option trades go by ``baseCoin``; kline serves
    spot, linear and inverse; a category Bybit does not have is "Illegal category".
    """
    public = ex.rest_public
    for category in ("inverse", "option"):
        assert public("/v5/market/instruments-info", {"category": category}) == {
            "category": category,
            "list": [],
            "nextPageCursor": "",
        }
    assert public("/v5/market/tickers", {"category": "inverse"}) == {"category": "inverse", "list": []}
    assert public("/v5/market/tickers", {"category": "option", "baseCoin": "BTC"})["list"] == []
    assert "baseCoin" in refusal(public, "/v5/market/tickers", {"category": "option"}).ret_msg
    trades = public("/v5/market/recent-trade", {"category": "option", "baseCoin": "ETH"})
    assert trades == {"category": "option", "list": []}
    for path, params in (
        ("/v5/market/orderbook", {"category": "inverse", "symbol": "BTCUSD"}),
        ("/v5/market/kline", {"category": "inverse", "symbol": "BTCUSD", "interval": "1"}),
        ("/v5/market/recent-trade", {"category": "inverse", "symbol": "BTCUSD"}),
    ):
        assert "symbol invalid" in refusal(public, path, params).ret_msg
    kline = refusal(public, "/v5/market/kline", {"category": "option", "symbol": "BTCUSDT", "interval": "1"})
    assert kline.ret_code == 10001 and kline.ret_msg.startswith("Illegal category")
    unknown = refusal(public, "/v5/market/instruments-info", {"category": "futures"})
    assert unknown.ret_code == 10001 and unknown.ret_msg.startswith("Illegal category")


def test_queries_of_an_untraded_category_answer_an_empty_list(ex: Exchange) -> None:
    """docs/v5/order/open-order, order/order-list, order/execution, position/position.

    Orders, fills and positions are queried per category; Bybit's position
    list takes ``category=inverse`` alone ("query all holding positions") and
    option without ``baseCoin`` ("return all option positions"), while linear
    needs ``symbol`` or ``settleCoin``; spot has no positions.
    """
    order(ex, side="Buy", orderType="Market", qty="0.010")  # a linear position and fill exist meanwhile
    private = ex.rest_private
    for category in ("inverse", "option"):
        for path in ("/v5/order/realtime", "/v5/order/history", "/v5/execution/list", "/v5/position/list"):
            assert private(path, "k", {"category": category}) == {
                "category": category,
                "list": [],
                "nextPageCursor": "",
            }
    assert private("/v5/position/list", "k", {"category": "inverse", "settleCoin": "USDT"})["list"] == []
    assert "settleCoin" in refusal(private, "/v5/position/list", "k", {"category": "linear"}).ret_msg
    assert refusal(private, "/v5/position/list", "k", {"category": "spot"}).ret_code == 10001
    assert [
        p["symbol"] for p in private("/v5/position/list", "k", {"category": "linear", "settleCoin": "USDT"})["list"]
    ] == ["BTCUSDT"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v5/order/create", {"symbol": "BTCUSD", "side": "Buy", "orderType": "Market", "qty": "1"}),
        ("/v5/order/amend", {"symbol": "BTCUSD", "orderId": "x", "price": "1"}),
        ("/v5/order/cancel", {"symbol": "BTCUSD", "orderId": "x"}),
        ("/v5/order/cancel-all", {"symbol": "BTCUSD"}),
        ("/v5/position/set-leverage", {"symbol": "BTCUSD", "buyLeverage": "5", "sellLeverage": "5"}),
        ("/v5/position/trading-stop", {"symbol": "BTCUSD", "tpslMode": "Full", "positionIdx": 0, "takeProfit": "1"}),
    ],
)
def test_trading_an_untraded_category_is_refused_with_10001_naming_it(ex: Exchange, path: str, params: dict) -> None:
    """docs/v5/error (10001, parameter error): trading where the exchange lists nothing is refused, never emptied."""
    err = refusal(ex.rest_private, path, "k", {"category": "inverse", **params})
    assert err.ret_code == 10001 and "does not trade inverse" in err.ret_msg
    assert ex.truth_orders("k") == []


# -- orders by id ---------------------------------------------------------------------------------------
def test_an_order_asked_by_id_is_found_open_or_recently_closed(ex: Exchange) -> None:
    """docs/v5/order/open-order: "openOnly param will be ignored when query by orderId or orderLinkId".

    So an order polled by its id is found while it rests and after it is
    cancelled or filled (among the recent 500 closed), the way bots poll;
    without an id ``openOnly=0`` still lists only open orders.
    """
    base = {"category": "linear", "symbol": "BTCUSDT"}
    bid, _ = top(ex)
    resting = order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 100), orderLinkId="poll-1")
    filled = order(ex, side="Buy", orderType="Market", qty="0.001", orderLinkId="poll-2")
    ex.rest_private("/v5/order/cancel", "k", {**base, "orderId": resting["orderId"]})

    def status(**by: str) -> list[str]:
        return [o["orderStatus"] for o in ex.rest_private("/v5/order/realtime", "k", {**base, **by})["list"]]

    assert status(orderId=resting["orderId"]) == status(orderLinkId="poll-1") == ["Cancelled"]
    assert status(orderId=resting["orderId"], openOnly="0") == ["Cancelled"]
    assert status(orderId=filled["orderId"]) == status(orderLinkId="poll-2", openOnly="0") == ["Filled"]
    assert status(orderId="no-such-order") == [] and status() == []
    assert status(openOnly="1") == ["Filled", "Cancelled"]  # newest created first


def test_an_unfilled_order_has_an_empty_average_price(ex: Exchange) -> None:
    """docs/v5/order/open-order, avgPrice: "UTA: returns "" for those orders without avg price" (REST and stream)."""
    events = Recorder(ex)
    bid, _ = top(ex)
    linear = order(ex, side="Buy", orderType="Limit", qty="0.001", price=str(bid - 100))
    spot_bid, _ = top(ex, "spot")
    spot = order(ex, category="spot", side="Buy", orderType="Limit", qty="0.001000", price=str(spot_bid - 100))
    filled = order(ex, side="Buy", orderType="Market", qty="0.001")
    items = {
        o["orderId"]: o
        for category in ("linear", "spot")
        for o in ex.rest_private(
            "/v5/order/realtime",
            "k",
            {"category": category, "settleCoin": "USDT"} if category == "linear" else {"category": category},
        )["list"]
    }
    assert items[linear["orderId"]]["avgPrice"] == items[spot["orderId"]]["avgPrice"] == ""
    streamed = {o["orderId"]: o["avgPrice"] for o in events.items("order")}
    assert streamed[linear["orderId"]] == streamed[spot["orderId"]] == ""
    assert float(streamed[filled["orderId"]]) > 0


# -- account and asset ----------------------------------------------------------------------------------
def test_account_info_is_a_unified_account_2_in_cross_margin(ex: Exchange) -> None:
    """docs/v5/account/account-info (fields and types) and docs/v5/acct-mode (``unifiedMarginStatus`` 5: UTA 2.0).

    UTA 2.0 is what the exchange implements (closed orders via ``openOnly=1``);
    Pro (6) needs a VIP level and the key is "No VIP". The deprecated
    ``dcpStatus``, ``timeWindow`` and ``smpGroup`` are always OFF, 0, 0.
    """
    info = ex.rest_private("/v5/account/info", "k", {})
    assert info == {
        "marginMode": "REGULAR_MARGIN",
        "updatedTime": info["updatedTime"],
        "unifiedMarginStatus": 5,
        "dcpStatus": "OFF",
        "timeWindow": 0,
        "smpGroup": 0,
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
    }
    assert info["updatedTime"].isdigit() and int(info["updatedTime"]) <= ex.now()
    assert ex.rest_private("/v5/user/query-api", "k", {})["vipLevel"] == "No VIP"


def test_coin_info_lists_the_coins_of_the_instruments_in_bybit_shape(ex: Exchange) -> None:
    """docs/v5/asset/coin-info: ``rows`` of ``name``, ``coin``, ``remainAmount``, ``chains``; ``coin`` upper-case only.

    Nothing moves on or off chain here: no chains, and at most "0" per withdrawal.
    """
    rows = ex.rest_private("/v5/asset/coin/query-info", "k", {})["rows"]
    assert rows == [{"name": c, "coin": c, "remainAmount": "0", "chains": []} for c in ("BTC", "ETH", "SOL", "USDT")]
    assert ex.rest_private("/v5/asset/coin/query-info", "k", {"coin": "SOL"})["rows"] == [rows[2]]
    assert ex.rest_private("/v5/asset/coin/query-info", "k", {"coin": "sol"})["rows"] == []
