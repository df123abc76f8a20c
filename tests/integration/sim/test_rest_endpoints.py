"""Every REST endpoint of reference section 5 (and the batch forms) through the server, end to end."""

from __future__ import annotations

import httpx
import pytest

from bybit_widgets import Client

from .helpers import Rest

LINEAR = {"category": "linear", "symbol": "BTCUSDT"}


@pytest.mark.parametrize(
    "path, params, keys",
    [
        ("/v5/market/time", {}, {"timeSecond", "timeNano"}),
        ("/v5/market/instruments-info", {"category": "linear"}, {"category", "list", "nextPageCursor"}),
        ("/v5/market/instruments-info", {"category": "spot", "symbol": "BTCUSDT"}, {"category", "list"}),
        ("/v5/market/tickers", LINEAR, {"category", "list"}),
        ("/v5/market/orderbook", {**LINEAR, "limit": "200"}, {"s", "b", "a", "ts", "u", "seq", "cts"}),
        ("/v5/market/kline", {"symbol": "BTCUSDT", "interval": "1", "limit": "5"}, {"category", "symbol", "list"}),
        ("/v5/market/recent-trade", {**LINEAR, "limit": "10"}, {"category", "list"}),
    ],
)
def test_public_endpoints(sim, rest, path, params, keys):
    body = rest.get(path, params, signed=False).json()
    assert body["retCode"] == 0, body
    assert keys <= set(body["result"])
    if path == "/v5/market/orderbook":
        assert len(body["result"]["b"]) == 200 and float(body["result"]["b"][0][0]) < float(body["result"]["a"][0][0])
    if path == "/v5/market/kline":
        rows = body["result"]["list"]
        assert len(rows) == 5 and all(len(r) == 7 for r in rows) and int(rows[0][0]) > int(rows[1][0])


def test_public_endpoint_errors(sim, rest):
    body = rest.get("/v5/market/orderbook", {"category": "linear"}, signed=False).json()
    assert body["retCode"] == 10001 and body["result"] == {}
    body = rest.get("/v5/market/tickers", {"category": "linear", "symbol": "NOPEUSDT"}, signed=False).json()
    assert body["retCode"] != 0


def test_trading_endpoints_in_sequence(sim, rest: Rest):
    create = rest.ok(
        "POST",
        "/v5/order/create",
        {**LINEAR, "side": "Buy", "orderType": "Limit", "qty": "0.002", "price": "50000", "orderLinkId": "ep-1"},
    )
    assert create["orderLinkId"] == "ep-1" and create["orderId"]
    amend = rest.ok("POST", "/v5/order/amend", {**LINEAR, "orderLinkId": "ep-1", "price": "50001"})
    assert amend["orderId"] == create["orderId"]
    live = rest.ok("GET", "/v5/order/realtime", {**LINEAR})
    assert [o["orderLinkId"] for o in live["list"]] == ["ep-1"] and float(live["list"][0]["price"]) == 50001
    cancel = rest.ok("POST", "/v5/order/cancel", {**LINEAR, "orderId": create["orderId"]})
    assert cancel["orderId"] == create["orderId"]
    rest.ok(
        "POST",
        "/v5/order/create",
        {**LINEAR, "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": "50000", "orderLinkId": "ep-2"},
    )
    cancelled = rest.ok("POST", "/v5/order/cancel-all", {**LINEAR})
    assert [o["orderLinkId"] for o in cancelled["list"]] == ["ep-2"]
    history = rest.ok("GET", "/v5/order/history", {**LINEAR})
    assert {o["orderLinkId"] for o in history["list"]} >= {"ep-1", "ep-2"}
    rest.ok("POST", "/v5/order/create", {**LINEAR, "side": "Buy", "orderType": "Market", "qty": "0.010"})
    executions = rest.ok("GET", "/v5/execution/list", {**LINEAR})
    assert executions["list"] and all(e["execType"] == "Trade" for e in executions["list"])
    position = rest.ok("GET", "/v5/position/list", {**LINEAR})["list"][0]
    assert position["size"] == "0.010" and position["side"] == "Buy" and "avgPrice" in position
    price = float(position["avgPrice"])
    rest.ok(
        "POST",
        "/v5/position/trading-stop",
        {**LINEAR, "tpslMode": "Full", "positionIdx": 0, "takeProfit": f"{price * 1.2:.1f}"},
    )
    rest.ok("POST", "/v5/position/set-leverage", {**LINEAR, "buyLeverage": "5", "sellLeverage": "5"})
    again = rest.post("/v5/position/set-leverage", {**LINEAR, "buyLeverage": "5", "sellLeverage": "5"}).json()
    assert again["retCode"] == 110043
    wallet = rest.ok("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED"})
    assert wallet["list"][0]["accountType"] == "UNIFIED"
    info = rest.ok("GET", "/v5/user/query-api", {})
    assert info["apiKey"] == rest.key and info["secret"] == ""


def test_batch_endpoints(sim, rest: Rest):
    orders = [
        {
            "symbol": "ETHUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.10",
            "price": f"{1000 + i}.00",
            "orderLinkId": f"batch-{i}",
        }
        for i in range(3)
    ]
    response = rest.post("/v5/order/create-batch", {"category": "linear", "request": orders})
    body = response.json()
    assert body["retCode"] == 0 and [i["code"] for i in body["retExtInfo"]["list"]] == [0, 0, 0]
    assert response.headers["X-Bapi-Limit"] == "10" and response.headers["X-Bapi-Limit-Status"] == "7"
    ids = [item["orderId"] for item in body["result"]["list"]]
    amend = rest.post(
        "/v5/order/amend-batch",
        {
            "category": "linear",
            "request": [
                {"symbol": "ETHUSDT", "orderId": ids[0], "price": "999.00"},
                {"symbol": "ETHUSDT", "orderId": "no-such-order", "price": "999.00"},
            ],
        },
    ).json()
    assert [i["code"] for i in amend["retExtInfo"]["list"]][0] == 0 and amend["retExtInfo"]["list"][1]["code"] != 0
    cancel = rest.post(
        "/v5/order/cancel-batch", {"category": "linear", "request": [{"symbol": "ETHUSDT", "orderId": i} for i in ids]}
    ).json()
    assert [i["code"] for i in cancel["retExtInfo"]["list"]] == [0, 0, 0]
    too_many = rest.post("/v5/order/create-batch", {"category": "spot", "request": orders * 4}).json()
    assert too_many["retCode"] == 10001


def test_account_info_and_coin_info_are_signed_endpoints(sim, rest: Rest):
    info = rest.get("/v5/account/info")
    assert info.status_code == 200 and info.json()["result"]["unifiedMarginStatus"] == 5
    assert info.headers["X-Bapi-Limit"] and "X-Bapi-Limit-Status" in info.headers
    coins = rest.ok("GET", "/v5/asset/coin/query-info", {"coin": "BTC"})
    assert coins == {"rows": [{"name": "BTC", "coin": "BTC", "remainAmount": "0", "chains": []}]}
    assert rest.get("/v5/account/info", signed=False).status_code == 401


def test_untraded_categories_answer_lists_through_the_server(sim, rest: Rest):
    for category in ("inverse", "option"):
        body = rest.get("/v5/market/instruments-info", {"category": category}, signed=False).json()
        assert (body["retCode"], body["result"]["list"]) == (0, [])
        assert rest.ok("GET", "/v5/position/list", {"category": category})["list"] == []
    refused = rest.post(
        "/v5/order/create",
        {
            "category": "option",
            "symbol": "BTC-26DEC25-90000-C",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.01",
            "price": "5",
            "orderLinkId": "opt-1",
        },
    ).json()
    assert refused["retCode"] == 10001 and "does not trade option" in refused["retMsg"]


def test_an_account_with_its_own_fee_tier_pays_its_rates_and_reads_them_back(sim):
    """Bybit v5 "Get Fee Rate": the account's own maker / taker rates per symbol; fills charge them."""
    tier = {"linear": {"maker": "-0.00005", "taker": "0.0003"}}
    created = httpx.post(
        f"{sim.rest_url}/sim/accounts", json={"api_key": "vip", "api_secret": "vip-s", "fee_rates": tier}
    )
    assert created.status_code == 200, created.text
    with (
        Client("vip", "vip-s", base_url=sim.rest_url) as vip,
        Client(sim.api_key, sim.api_secret, base_url=sim.rest_url) as base,
    ):
        (fee,) = vip.get_fee_rates(category="linear", symbol="BTCUSDT")
        (default,) = base.get_fee_rates(category="linear", symbol="BTCUSDT")
        assert (str(fee.maker_fee_rate), str(fee.taker_fee_rate)) == ("-0.00005", "0.0003")
        assert (str(default.maker_fee_rate), str(default.taker_fee_rate)) == ("0.0002", "0.00055")
        vip.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.010")
        fills = vip.get_executions(category="linear", symbol="BTCUSDT")
        assert fills and all(str(f.fee_rate) == "0.0003" for f in fills)
        assert sum(f.exec_fee for f in fills) == sum((f.exec_value * f.fee_rate).quantize(f.exec_fee) for f in fills)
    bad = httpx.post(
        f"{sim.rest_url}/sim/accounts",
        json={"api_key": "x", "api_secret": "y", "fee_rates": {"linear": {"maker": 0.1, "taker": "0.2"}}},
    )
    assert bad.status_code == 400 and "decimal string" in bad.text
