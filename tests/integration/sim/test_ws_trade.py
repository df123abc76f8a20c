"""WS trade: auth, order.create / amend / cancel with reqId and header, error codes, batch."""

from __future__ import annotations

from .conftest import KEY, SECRET
from .helpers import Ws, arun, now_ms, ws_auth_args

LIMIT = {
    "category": "linear",
    "symbol": "ETHUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.10",
    "price": "1500.00",
    "timeInForce": "GTC",
    "orderLinkId": "wst-0001",
}


def header(**kw):
    return {"X-BAPI-TIMESTAMP": str(now_ms()), "X-BAPI-RECV-WINDOW": "5000", **kw}


def test_auth_replies(sim):
    async def main():
        async with await Ws.open(sim.ws_trade) as ws:
            reply = await ws.request({"op": "order.create", "header": header(), "args": [LIMIT]})
            assert reply["retCode"] != 0
            reply = await ws.request({"op": "auth", "args": ws_auth_args(KEY, "wrong")})
            assert reply["retCode"] == 10004 and reply["op"] == "auth"
            reply = await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            assert reply == {"retCode": 0, "retMsg": "OK", "op": "auth", "connId": reply["connId"]}
            assert (await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)}))["retCode"] == 20001
            pong = await ws.request({"op": "ping"})
            assert pong == {"retCode": 0, "retMsg": "OK", "op": "pong", "data": pong["data"], "connId": reply["connId"]}

    arun(main())


def test_create_amend_cancel(sim):
    async def main():
        async with await Ws.open(sim.ws_trade) as ws:
            await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            reply = await ws.request({"reqId": "t-0001", "header": header(), "op": "order.create", "args": [LIMIT]})
            assert list(reply) == ["reqId", "retCode", "retMsg", "op", "data", "retExtInfo", "header", "connId"]
            assert reply["retCode"] == 0 and reply["retMsg"] == "OK" and reply["data"]["orderLinkId"] == "wst-0001"
            assert reply["header"]["X-Bapi-Limit"] == "10" and reply["header"]["X-Bapi-Limit-Status"] == "9"
            assert {"X-Bapi-Limit-Reset-Timestamp", "Traceid", "Timenow"} <= set(reply["header"])
            order_id = reply["data"]["orderId"]
            reply = await ws.request(
                {
                    "reqId": "t-0002",
                    "header": header(),
                    "op": "order.amend",
                    "args": [{"category": "linear", "symbol": "ETHUSDT", "orderId": order_id, "price": "1501.00"}],
                }
            )
            assert reply["retCode"] == 0 and reply["data"]["orderId"] == order_id
            truth = {o["orderId"]: o for o in sim.truth_orders()}
            assert truth[order_id]["price"] == "1501.00"
            reply = await ws.request(
                {
                    "header": header(),
                    "op": "order.cancel",
                    "args": [{"category": "linear", "symbol": "ETHUSDT", "orderLinkId": "wst-0001"}],
                }
            )
            assert reply["retCode"] == 0 and "reqId" not in reply
            truth = {o["orderId"]: o for o in sim.truth_orders()}
            assert truth[order_id]["orderStatus"] == "Cancelled"

    arun(main())


def test_error_codes_keep_the_connection(sim):
    async def main():
        async with await Ws.open(sim.ws_trade) as ws:
            await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            reply = await ws.request({"reqId": "e1", "header": header(), "op": "order.teleport", "args": [LIMIT]})
            assert reply["retCode"] == 10404
            reply = await ws.request(
                {"reqId": "e2", "header": header(), "op": "order.create", "args": [{**LIMIT, "qty": "lots"}]}
            )
            assert reply["retCode"] == 10001
            reply = await ws.request({"reqId": "e2", "header": header(), "op": "order.create", "args": [LIMIT]})
            assert reply["retCode"] == 20006
            reply = await ws.request(
                {
                    "reqId": "e3",
                    "header": {"X-BAPI-TIMESTAMP": str(now_ms() - 60_000)},
                    "op": "order.create",
                    "args": [LIMIT],
                }
            )
            assert reply["retCode"] == 10002 and "req_timestamp[" in reply["retMsg"]
            reply = await ws.request({"reqId": "e4", "op": "order.create", "args": [LIMIT]})
            assert reply["retCode"] == 10001
            await ws.send("][")
            assert (await ws.until(lambda m: True))["retCode"] == 10001
            reply = await ws.request(
                {"reqId": "e5", "header": header(), "op": "order.create", "args": [{**LIMIT, "category": "futures"}]}
            )
            assert reply["retCode"] == 10404
            reply = await ws.request({"reqId": "ok", "header": header(), "op": "order.create", "args": [LIMIT]})
            assert reply["retCode"] == 0

    arun(main())


def test_batch_create(sim):
    async def main():
        async with await Ws.open(sim.ws_trade) as ws:
            await ws.request({"op": "auth", "args": ws_auth_args(KEY, SECRET)})
            request = [{**LIMIT, "orderLinkId": f"b-{i}", "price": f"{1500 + i}.00"} for i in range(3)]
            request.append({**LIMIT, "orderLinkId": "b-bad", "side": "Sideways"})
            reply = await ws.request(
                {
                    "reqId": "b",
                    "header": header(),
                    "op": "order.create-batch",
                    "args": [{"category": "linear", "request": request}],
                }
            )
            assert reply["retCode"] == 0
            codes = [item["code"] for item in reply["retExtInfo"]["list"]]
            assert codes[:3] == [0, 0, 0] and codes[3] == 10001
            assert [item["orderLinkId"] for item in reply["data"]["list"][:3]] == ["b-0", "b-1", "b-2"]
            assert all(item["orderId"] for item in reply["data"]["list"][:3])

    arun(main())
