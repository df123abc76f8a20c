"""REST gateway conformance with raw httpx and our own signing: envelope, auth codes, limits, statuses."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bybit_widgets.protocol.signing import mask_key
from bybit_widgets.sim import run

from .conftest import KEY, SECRET
from .helpers import Rest, now_ms, signed_headers

ORDER = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.001",
    "price": "10000",
    "timeInForce": "GTC",
}
LIMIT_HEADERS = ("X-Bapi-Limit", "X-Bapi-Limit-Status", "X-Bapi-Limit-Reset-Timestamp")


def test_envelope_of_a_public_endpoint(sim, rest):
    response = rest.get("/v5/market/time", signed=False)
    body = response.json()
    assert response.status_code == 200
    assert list(body) == ["retCode", "retMsg", "result", "retExtInfo", "time"]
    assert body["retCode"] == 0 and body["retMsg"] == "OK" and body["retExtInfo"] == {}
    assert isinstance(body["time"], int) and abs(body["time"] - now_ms()) < 2000
    assert body["result"]["timeNano"].startswith(body["result"]["timeSecond"])


def test_signed_get_and_post_over_the_raw_bytes(sim, rest):
    # GET: the query exactly as sent, in any order
    for query in ({"category": "linear", "symbol": "BTCUSDT"}, {"symbol": "BTCUSDT", "category": "linear"}):
        response = rest.get("/v5/position/list", query)
        assert response.json()["retCode"] == 0, response.json()
        assert all(h in response.headers for h in LIMIT_HEADERS)
    # POST: pybit's json.dumps separators sign differently from compact JSON; each verifies as sent
    spaced = json.dumps(ORDER)
    response = rest.post("/v5/order/create", spaced)
    assert response.json()["retCode"] == 0, response.json()
    compact = json.dumps({**ORDER, "orderLinkId": "compact-1"}, separators=(",", ":"))
    assert rest.post("/v5/order/create", compact).json()["retCode"] == 0
    # a signature over one serialisation does not verify another
    headers = {"Content-Type": "application/json", **signed_headers(KEY, SECRET, spaced)}
    body = rest.http.post("/v5/order/create", content=compact.replace("compact-1", "compact-2"), headers=headers).json()
    assert body["retCode"] == 10004


def test_unknown_key_bad_signature_and_missing_headers(sim, rest):
    other = Rest(sim.rest_url, "not-a-known-key", SECRET)
    try:
        body = other.get("/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}).json()
        assert (body["retCode"], body["retMsg"]) == (10003, "API key is invalid.")
    finally:
        other.close()
    wrong = Rest(sim.rest_url, KEY, "wrong-secret")
    try:
        body = wrong.get("/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}).json()
        assert body["retCode"] == 10004
        assert body["retMsg"].startswith("error sign! origin_string[")
        assert mask_key(KEY) in body["retMsg"] and KEY not in body["retMsg"]
        assert "5000category=linear&symbol=BTCUSDT]" in body["retMsg"] and SECRET not in body["retMsg"]
    finally:
        wrong.close()
    response = rest.http.get("/v5/position/list?category=linear&symbol=BTCUSDT")
    assert response.status_code == 401 and response.json()["retCode"] == 10003


@pytest.mark.parametrize("offset", [-6000, 1500])
def test_recv_window_rule(sim, rest, offset):
    ts = now_ms() + offset
    body = rest.get("/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}, ts=ts).json()
    assert body["retCode"] == 10002
    assert body["retMsg"].startswith(
        "invalid request, please check your server timestamp or recv_window param. "
        f"req_timestamp[{ts}],server_timestamp["
    )
    assert body["retMsg"].endswith(",recv_window[5000]")
    # a wider window accepts the old stamp; the default window (no header) is 5000
    assert (
        rest.get(
            "/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}, ts=now_ms() - 6000, recv="20000"
        ).json()["retCode"]
        == 0
    )
    body = rest.get("/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}, recv=None).json()
    assert body["retCode"] == 0


def test_bad_parameters_get_10001_and_nothing_is_lost(sim, rest):
    body = rest.post("/v5/order/create", "{not json").json()
    assert body["retCode"] == 10001 and body["result"] == {}
    body = rest.post("/v5/order/create", {**ORDER, "qty": "abc"}).json()
    assert body["retCode"] == 10001
    body = rest.post("/v5/order/create", {**ORDER, "side": "Up"}).json()
    assert body["retCode"] == 10001
    assert sim.truth_orders() == []
    assert rest.post("/v5/order/create", ORDER).json()["retCode"] == 0
    assert len(sim.truth_orders()) == 1


def test_http_statuses(sim, rest):
    assert rest.http.get("/v5/market/nope").status_code == 404
    assert rest.http.post("/v5/market/time").status_code == 404
    assert rest.http.request("PUT", "/v5/market/time").status_code == 400
    response = rest.http.request(
        "GET", "/v5/market/time", content=b'{"category":"linear"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403


def test_per_uid_rate_limit_headers_and_10006(sim, rest):
    async def burst() -> list[httpx.Response]:  # 11 requests inside one second, whatever the machine load
        async with httpx.AsyncClient(base_url=sim.rest_url) as http:
            return await asyncio.gather(
                *(http.get("/v5/user/query-api", headers=signed_headers(KEY, SECRET, "")) for _ in range(11))
            )

    responses = asyncio.run(burst())
    codes = sorted(r.json()["retCode"] for r in responses)
    assert codes == [0] * 10 + [10006]
    assert all(r.headers["X-Bapi-Limit"] == "10" for r in responses)
    remaining = sorted(int(r.headers["X-Bapi-Limit-Status"]) for r in responses if r.json()["retCode"] == 0)
    assert remaining == list(range(10))
    refused = next(r for r in responses if r.json()["retCode"] == 10006)
    assert refused.json()["retMsg"] == "Too many visits!" and refused.headers["X-Bapi-Limit-Status"] == "0"
    assert (
        refused.json()["time"] < int(refused.headers["X-Bapi-Limit-Reset-Timestamp"]) <= refused.json()["time"] + 1000
    )
    # another endpoint has its own budget
    assert rest.get("/v5/position/list", {"category": "linear", "symbol": "BTCUSDT"}).json()["retCode"] == 0


def test_ip_limit_answers_403():
    with run(seed=1, api_key=KEY, api_secret=SECRET, ip_limit=20, ip_window_ms=60_000) as sim:
        with httpx.Client(base_url=sim.rest_url) as http:
            codes = [http.get("/v5/market/time").status_code for _ in range(25)]
    assert codes[:20] == [200] * 20 and codes[20:] == [403] * 5


def test_asgi_app_in_process():
    """create_app() is a plain ASGI app: httpx's ASGITransport drives it without sockets."""
    from bybit_widgets.sim.app import create_app
    from bybit_widgets.sim.engine.exchange import Exchange

    async def main():
        app = create_app(Exchange(1))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
            body = (await client.get("/v5/market/tickers?category=linear&symbol=BTCUSDT")).json()
        assert body["retCode"] == 0 and body["result"]["list"][0]["symbol"] == "BTCUSDT"

    asyncio.run(main())


def test_rate_limits_can_be_turned_off_for_benchmarks():
    with run(seed=1, api_key=KEY, api_secret=SECRET, rate_limits=False, ip_limit=5) as sim:
        rest = Rest(sim.rest_url, KEY, SECRET)
        try:
            responses = [rest.get("/v5/user/query-api") for _ in range(12)]
        finally:
            rest.close()
    assert [r.status_code for r in responses] == [200] * 12
    assert [r.json()["retCode"] for r in responses] == [0] * 12
    # the budget announced is one no client reaches, so clients pacing from headers learn it
    assert int(responses[-1].headers["X-Bapi-Limit"]) >= 1_000_000


def test_clearing_a_clock_skew_does_not_strand_the_budget():
    """Budgets count true elapsed time: a +30 s skew, once cleared, leaves no window full of 'future' requests."""
    with run(seed=1, api_key=KEY, api_secret=SECRET) as sim:
        rest = Rest(sim.rest_url, KEY, SECRET)
        try:
            sim.fault("clock_skew", ms=30_000)
            for _ in range(10):  # the 10/s budget spent while the server's clock is 30 s ahead
                assert rest.get("/v5/user/query-api", ts=now_ms() + 30_000).json()["retCode"] == 0
            sim.clear_faults()
            deadline = time.monotonic() + 3.0
            while True:  # within about a second the budget is back, not 30 s later
                body = rest.get("/v5/user/query-api").json()
                if body["retCode"] == 0:
                    break
                assert body["retCode"] == 10006 and time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            rest.close()
