"""Private WebSocket: auth replies, topics fed by trades placed over REST, ping, max_active_time."""

from __future__ import annotations

import pytest
import websockets

from .conftest import KEY, SECRET
from .helpers import Ws, arun, now_ms, topic_is, ws_auth_args

MARKET_BUY = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Market",
    "qty": "0.010",
    "orderLinkId": "ws-private-1",
}


def test_auth_success_and_failures(sim):
    async def main():
        async with await Ws.open(sim.ws_private) as ws:
            reply = await ws.request({"req_id": "a1", "op": "auth", "args": ws_auth_args(KEY, "wrong")})
            assert reply == {
                "req_id": "a1",
                "success": False,
                "ret_msg": "Params Error",
                "op": "auth",
                "conn_id": reply["conn_id"],
            }
            expired = now_ms() - 1000
            reply = await ws.request({"op": "auth", "args": [KEY, expired, ws_auth_args(KEY, SECRET)[2]]})
            assert reply["success"] is False
            reply = await ws.request({"op": "subscribe", "args": ["order"]})
            assert reply["success"] is False  # not authenticated yet
            reply = await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            assert reply == {"success": True, "ret_msg": "", "op": "auth", "conn_id": reply["conn_id"]}
            reply = await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            assert reply["success"] is False
            pong = await ws.request({"req_id": "hb-1", "op": "ping"})
            assert pong["op"] == "pong" and pong["req_id"] == "hb-1" and pong["conn_id"] == reply["conn_id"]
            assert abs(int(pong["args"][0]) - now_ms()) < 2000

    arun(main())


def test_private_topics_after_a_trade_placed_over_rest(sim, rest):
    async def main():
        async with await Ws.open(sim.ws_private) as ws:
            assert (await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)}))["success"]
            reply = await ws.request(
                {"req_id": "s", "op": "subscribe", "args": ["order", "execution", "position", "wallet"]}
            )
            assert reply == {
                "req_id": "s",
                "success": True,
                "ret_msg": "",
                "op": "subscribe",
                "conn_id": reply["conn_id"],
            }
            result = rest.ok("POST", "/v5/order/create", MARKET_BUY)
            seen = {}
            while len(seen) < 4:
                message = await ws.until(lambda m: "topic" in m)
                assert list(message) == ["id", "topic", "creationTime", "data"]
                seen.setdefault(message["topic"], []).append(message)
            orders = [o for m in seen["order"] for o in m["data"]]
            assert orders[-1]["orderId"] == result["orderId"] and orders[-1]["orderStatus"] == "Filled"
            assert orders[-1]["category"] == "linear"
            executions = [e for m in seen["execution"] for e in m["data"]]
            assert sum(float(e["execQty"]) for e in executions) == pytest.approx(0.01)
            position = seen["position"][-1]["data"][0]
            assert position["symbol"] == "BTCUSDT" and position["side"] == "Buy" and position["size"] == "0.010"
            assert "entryPrice" in position
            wallet = seen["wallet"][-1]["data"][0]
            assert wallet["accountType"] == "UNIFIED" and any(c["coin"] == "USDT" for c in wallet["coin"])

    arun(main())


def test_categorised_topics_filter_by_category(sim, rest):
    async def main():
        async with await Ws.open(sim.ws_private) as ws:
            await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            reply = await ws.request({"op": "subscribe", "args": ["order.spot", "order"]})
            assert reply["success"] is False  # the two forms do not mix in one request
            assert (await ws.request({"op": "subscribe", "args": ["order.spot", "execution.fast"]}))["success"]
            rest.ok("POST", "/v5/order/create", {**MARKET_BUY, "orderLinkId": "ws-private-2"})
            fast = await ws.until(topic_is("execution.fast"))
            assert set(fast["data"][0]) <= {
                "category",
                "symbol",
                "execId",
                "execPrice",
                "execQty",
                "orderId",
                "isMaker",
                "orderLinkId",
                "side",
                "execTime",
                "seq",
            }
            rest.ok(
                "POST",
                "/v5/order/create",
                {
                    "category": "spot",
                    "symbol": "BTCUSDT",
                    "side": "Buy",
                    "orderType": "Limit",
                    "qty": "0.001",
                    "price": "10000",
                },
            )
            spot = await ws.until(topic_is("order.spot"))
            assert all(o["category"] == "spot" for o in spot["data"])

    arun(main())


def test_max_active_time_is_validated(sim):
    async def main():
        with pytest.raises(websockets.InvalidStatus):
            await Ws.open(sim.ws_private + "?max_active_time=5s")
        async with await Ws.open(sim.ws_private + "?max_active_time=1m") as ws:
            assert (await ws.request({"op": "ping"}))["op"] == "pong"

    arun(main())
