"""Every fault kind, observed from a client; the /sim/ control surface over HTTP."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from .conftest import KEY, SECRET
from .helpers import Ws, arun, now_ms, signed_headers, topic_is, ws_auth_args

BOOK = "orderbook.50.BTCUSDT"
LIMIT = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.001",
    "price": "10000",
}


async def book_frames(ws: Ws, count: int) -> list[dict]:
    return await ws.collect(topic_is(BOOK), count, timeout=10)


async def subscribed_book(sim) -> Ws:
    ws = await Ws.open(sim.ws_public_linear)
    await ws.request({"op": "subscribe", "args": [BOOK]})
    await book_frames(ws, 3)
    return ws


def steps(frames: list[dict]) -> list[int]:
    us = [f["data"]["u"] for f in frames]
    return [b - a for a, b in zip(us, us[1:])]


def test_drop_closes_the_targeted_sockets(sim):
    async def main():
        public = await subscribed_book(sim)
        private = await Ws.open(sim.ws_private)
        trade = await Ws.open(sim.ws_trade)
        try:
            assert sim.fault("drop", target="public")["dropped"] == 1
            await asyncio.wait_for(public.conn.wait_closed(), 5)
            assert public.conn.close_code == 1001
            assert (await private.request({"op": "ping"}))["op"] == "pong"
            assert sim.fault("drop", target="all")["dropped"] == 2
            await asyncio.wait_for(private.conn.wait_closed(), 5)
            await asyncio.wait_for(trade.conn.wait_closed(), 5)
            assert private.conn.close_code == trade.conn.close_code == 1001
        finally:
            for ws in (public, private, trade):
                await ws.close()

    arun(main())


def test_silence_keeps_the_socket_open_and_ignores_pings(sim):
    async def main():
        ws = await subscribed_book(sim)
        try:
            last = (await book_frames(ws, 1))[0]
            sim.fault("silence", target="public", seconds=1.5)
            silenced_at = now_ms()
            await ws.send({"req_id": "quiet", "op": "ping"})
            messages = []  # everything that arrives in a 2.5 s observation window
            deadline = time.monotonic() + 2.5
            while (left := deadline - time.monotonic()) > 0:
                try:
                    messages.append(await ws.recv(timeout=left))
                except asyncio.TimeoutError:
                    break
            assert all("topic" in m for m in messages), "the ping was answered during the silence"
            during = [m for m in messages if silenced_at + 50 < m["ts"] < silenced_at + 1450]
            assert during == [], "frames flowed during the silence"
            before = [m for m in messages if m["ts"] <= silenced_at + 50]
            after = [m for m in messages if m["ts"] >= silenced_at + 1450]
            assert after, "the stream did not come back"
            assert ws.conn.close_code is None
            # the pushes made during the silence were never sent: the stream resumes with a jump in u
            assert after[0]["data"]["u"] > (before[-1] if before else last)["data"]["u"] + 1
        finally:
            await ws.close()

    arun(main())


@pytest.mark.parametrize("kind", ["gap", "duplicate", "reorder"])
def test_sequence_faults(sim, kind):
    async def main():
        ws = await subscribed_book(sim)
        try:
            before = await book_frames(ws, 1)
            sim.fault(kind, topic=BOOK)
            frames = before + await book_frames(ws, 12)
            pattern = steps(frames)
            if kind == "gap":
                assert pattern.count(2) == 1 and pattern.count(1) == len(pattern) - 1, pattern
            elif kind == "duplicate":
                assert pattern.count(0) == 1 and pattern.count(1) == len(pattern) - 1, pattern
                i = pattern.index(0)
                assert frames[i] == frames[i + 1]
            else:
                i = pattern.index(-1)
                assert pattern[i - 1] == 2 and pattern[i + 1] == 2, pattern
                assert sum(1 for step in pattern if step != 1) == 3
        finally:
            await ws.close()

    arun(main())


def test_reset_sends_a_u1_snapshot(sim):
    async def main():
        ws = await subscribed_book(sim)
        try:
            sim.fault("reset", topic=BOOK)
            reset = await ws.until(lambda m: m.get("topic") == BOOK and m["type"] == "snapshot", 5)
            assert reset["data"]["u"] == 1
            following = await book_frames(ws, 3)
            assert [f["data"]["u"] for f in following] == [2, 3, 4]
            assert all(f["type"] == "delta" for f in following)
        finally:
            await ws.close()

    arun(main())


def test_http_faults(sim, rest):
    sim.fault("http_error", path="/v5/market/time", status=503, count=2)
    codes = [rest.get("/v5/market/time", signed=False).status_code for _ in range(3)]
    assert codes == [503, 503, 200]

    sim.fault("rate_limit", path="/v5/order/create", count=1)
    response = rest.post("/v5/order/create", LIMIT)
    assert response.json()["retCode"] == 10006 and response.headers["X-Bapi-Limit-Status"] == "0"
    assert rest.post("/v5/order/create", LIMIT).json()["retCode"] == 0

    quick = httpx.Client(base_url=sim.rest_url, timeout=0.5)
    try:
        sim.fault("timeout", path="/v5/order/create", count=1)
        with pytest.raises(httpx.ReadTimeout):
            quick.post("/v5/order/create", content=b"{}", headers={"Content-Type": "application/json"})
        before = len(sim.truth_orders())
        sim.fault("timeout", path="/v5/order/create", count=1, after_processing=True)
        body = json.dumps({**LIMIT, "orderLinkId": "executed-unanswered"})
        with pytest.raises(httpx.ReadTimeout):
            quick.post(
                "/v5/order/create",
                content=body,
                headers={"Content-Type": "application/json", **signed_headers(KEY, SECRET, body)},
            )
        orders = sim.truth_orders()
        assert len(orders) == before + 1 and any(o["orderLinkId"] == "executed-unanswered" for o in orders)
    finally:
        quick.close()


def test_clock_skew_and_clearing_over_http(sim, rest):
    control = httpx.Client(base_url=sim.rest_url)
    try:
        response = control.post("/sim/faults", json={"kind": "clock_skew", "ms": 30_000})
        assert response.status_code == 200 and response.json()["ok"] is True
        server = rest.get("/v5/market/time", signed=False).json()["time"]
        assert 29_000 < server - now_ms() < 31_000
        assert rest.get("/v5/user/query-api").json()["retCode"] == 10002

        # WS auth expiry is judged by the skewed clock too
        async def auth():
            async with await Ws.open(sim.ws_private) as ws:
                return await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET, ahead_ms=10_000)})

        assert arun(auth())["success"] is False
        control.post("/sim/faults", json={"kind": "gap", "topic": BOOK})
        assert any(f["kind"] == "gap" for f in control.get("/sim/faults").json()["faults"])
        assert control.delete("/sim/faults").json() == {"ok": True}
        assert control.get("/sim/faults").json() == {"faults": [], "clock_skew_ms": 0}
        assert rest.get("/v5/user/query-api").json()["retCode"] == 0
        # bad fault descriptions are refused with the reason
        for bad in (
            {"kind": "meteor"},
            {"kind": "gap", "topic": "orderBookL2_25.BTCUSDT"},
            {"kind": "silence", "target": "public"},
            {"kind": "http_error", "path": "/v5/x", "status": 99},
            {"kind": "drop", "target": "public", "extra": 1},
        ):
            response = control.post("/sim/faults", json=bad)
            assert response.status_code == 400 and response.json()["error"]
        assert control.post("/sim/faults", content=b"{oops").status_code == 400
    finally:
        control.close()


def test_market_pause_and_truth_over_http(sim, rest):
    control = httpx.Client(base_url=sim.rest_url)
    try:
        assert control.post("/sim/market", json={"paused": True}).json()["paused"] is True
        first = control.get("/sim/truth/book", params={"symbol": "BTCUSDT", "depth": 50}).json()
        assert first["u"] is None and len(first["b"]) == 50 and len(first["a"]) == 50
        start = time.monotonic()
        status = control.get("/sim/market").json()
        while control.get("/sim/market").json()["server_time"] < status["server_time"] + 100:
            assert time.monotonic() - start < 5
        assert control.get("/sim/truth/book", params={"symbol": "BTCUSDT", "depth": 50}).json() == first
        assert control.post("/sim/market", json={"paused": "yes"}).status_code == 400
        rest.ok("POST", "/v5/order/create", LIMIT)
        orders = control.get("/sim/truth/orders", params={"api_key": KEY}).json()
        assert orders[0]["orderStatus"] == "New"
        assert control.get("/sim/truth/positions", params={"api_key": KEY}).status_code == 200
        assert control.get("/sim/truth/wallet", params={"api_key": KEY}).status_code == 200
        assert control.get("/sim/truth/wallet", params={"api_key": "nobody"}).status_code == 404
        assert control.get("/sim/truth/book", params={"symbol": "BTCUSDT", "depth": 25}).status_code == 400
        response = control.post("/sim/accounts", json={"api_key": "second-key", "api_secret": "second-secret"})
        assert response.status_code == 200
        assert control.get("/sim/truth/wallet", params={"api_key": "second-key"}).status_code == 200
    finally:
        control.close()
