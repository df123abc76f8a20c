"""A tiny Bybit v5 peer for client unit tests through ``httpx.MockTransport``.

It checks what matters to the client -- the signature over the exact bytes,
the recv-window rule against a skewable server clock -- keeps orders by
orderLinkId, and can be told to misbehave per path (timeouts before or after
processing, 5xx, 10006 with a reset time). The integration tests run the same
client behaviours against the real embedded exchange over sockets.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field

import httpx
import orjson

from bybit_widgets.protocol.signing import Credentials, rest_sign_string
from bybit_widgets.protocol.windows import HISTORY_WINDOWS

# The response examples of Bybit's "Get Account Info" and "Get Coin Info" pages (docs/v5/account/account-info,
# docs/v5/asset/coin-info).
ACCOUNT_INFO = {
    "marginMode": "REGULAR_MARGIN",
    "updatedTime": "1697078946000",
    "unifiedMarginStatus": 4,
    "dcpStatus": "OFF",
    "timeWindow": 10,
    "smpGroup": 0,
    "isMasterTrader": False,
    "spotHedgingStatus": "OFF",
}
COINS = [
    {
        "name": "MNT",
        "coin": "MNT",
        "remainAmount": "10000000",
        "chains": [
            {
                "chainType": "Ethereum",
                "confirmation": "6",
                "withdrawFee": "3",
                "depositMin": "0",
                "withdrawMin": "3",
                "chain": "ETH",
                "chainDeposit": "1",
                "chainWithdraw": "1",
                "minAccuracy": "8",
                "withdrawPercentageFee": "0",
                "contractAddress": "0x3c3a81e81dc49a522a592e7622a7e711c06bf354",
            },
            {
                "chainType": "Mantle Network",
                "confirmation": "100",
                "withdrawFee": "",
                "depositMin": "0",
                "withdrawMin": "10",
                "chain": "MANTLE",
                "chainDeposit": "1",
                "chainWithdraw": "0",
                "minAccuracy": "8",
                "withdrawPercentageFee": "0",
                "contractAddress": "",
            },
        ],
    }
]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict
    server_ms: int


@dataclass
class FakeBybit:
    api_key: str = "test-api-key"
    api_secret: str = "test-secret-0123456789"
    skew_ms: int = 0  # server clock = real clock + skew
    requests: list[Seen] = field(default_factory=list)
    faults: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    orders: dict[str, dict] = field(default_factory=dict)  # orderLinkId -> order
    limit_headers: dict[str, str] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)  # ledger rows {"time": ms, ...} for the history endpoints

    def server_ms(self) -> int:
        return now_ms() + self.skew_ms

    def inject(self, path: str, *faults: str) -> None:
        """Queue faults for a path: 'timeout', 'timeout_after', '503', '10006:<ms>', '10002'."""
        self.faults[path].extend(faults)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # -- transport ---------------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = request.content
        query = request.url.query.decode()
        self.requests.append(Seen(request.method, path, query, body, dict(request.headers), self.server_ms()))
        fault = self.faults[path].popleft() if self.faults[path] else None
        if fault == "timeout":
            raise httpx.ReadTimeout("injected timeout", request=request)
        if fault == "503":
            return httpx.Response(503, text="<html>503 Service Temporarily Unavailable</html>")
        if fault and fault.startswith("10006"):
            reset = self.server_ms() + int(fault.split(":")[1])
            return self.reply(
                10006,
                "Too many visits!",
                {},
                {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "0", "X-Bapi-Limit-Reset-Timestamp": str(reset)},
            )
        if fault == "10002":
            return self.reply(10002, "invalid request, please check your server timestamp", {})
        if path == "/v5/market/time":
            ms = self.server_ms()
            return self.reply(0, "OK", {"timeSecond": str(ms // 1000), "timeNano": str(ms * 1_000_000)})
        if path.startswith("/v5/market/"):
            return self.reply(0, "OK", {"category": "linear", "list": [{"symbol": "BTCUSDT", "lastPrice": "1"}]})
        problem = self.check_auth(request, query, body)
        if problem:
            return problem
        result = self.route(request.method, path, query, body)
        if fault == "timeout_after":
            raise httpx.ReadTimeout("injected timeout after processing", request=request)
        if isinstance(result, httpx.Response):
            return result
        return self.reply(0, "OK", result, self.limit_headers)

    def check_auth(self, request: httpx.Request, query: str, body: bytes) -> httpx.Response | None:
        h = request.headers
        key, ts, recv, sign = (
            h.get("x-bapi-api-key"),
            h.get("x-bapi-timestamp"),
            h.get("x-bapi-recv-window"),
            h.get("x-bapi-sign"),
        )
        if key != self.api_key:
            return self.reply(10003, "API key is invalid.", {})
        server = self.server_ms()
        if not (server - int(recv) <= int(ts) < server + 1000):
            return self.reply(
                10002,
                "invalid request, please check your server timestamp or recv_window param. "
                f"req_timestamp[{ts}],server_timestamp[{server}],recv_window[{recv}]",
                {},
            )
        payload = query if request.method == "GET" else body.decode()
        expected = Credentials(self.api_key, self.api_secret).sign(rest_sign_string(ts, key, recv, payload))
        if sign != expected:
            return self.reply(10004, f"error sign! origin_string[{rest_sign_string(ts, key, recv, payload)}]", {})
        return None

    def route(self, method: str, path: str, query: str, body: bytes):
        params = dict(p.split("=", 1) for p in query.split("&") if p) if method == "GET" else orjson.loads(body)
        if path == "/v5/order/create":
            link = params["orderLinkId"]
            if link in self.orders:
                return self.reply(110072, "OrderLinkedID is duplicate", {})
            order = {
                "orderId": str(uuid.uuid4()),
                "orderLinkId": link,
                "symbol": params["symbol"],
                "side": params["side"],
                "qty": params["qty"],
                "orderStatus": "New",
            }
            self.orders[link] = order
            return {"orderId": order["orderId"], "orderLinkId": link}
        if path in ("/v5/order/realtime", "/v5/order/history"):
            link = params.get("orderLinkId")
            items = [o for o in self.orders.values() if link is None or o["orderLinkId"] == link]
            return {"category": params.get("category"), "list": items, "nextPageCursor": ""}
        if path == "/v5/position/list":
            return {"category": "linear", "list": [], "nextPageCursor": ""}
        if path in ("/v5/account/transaction-log", "/v5/position/closed-pnl"):
            return self.history_page(path, params)
        if path == "/v5/account/info":
            return ACCOUNT_INFO
        if path == "/v5/asset/coin/query-info":
            return {"rows": [row for row in COINS if params.get("coin") in (None, row["coin"])]}
        if path == "/v5/user/query-api":
            return {
                "apiKey": self.api_key,
                "readOnly": 0,
                "permissions": {"ContractTrade": ["Order", "Position"], "Wallet": ["AccountTransfer", "Withdraw"]},
                "ips": ["*"],
                "expiredAt": "",
                "secret": "",
            }
        return {}

    def history_page(self, path: str, params: dict):
        """A page of ``self.history`` (rows with a "time"), newest first, in the window Bybit serves for
        the bounds given (refusing a range over 7 days as Bybit does)."""
        bounds = [int(params[k]) if k in params else None for k in ("startTime", "endTime")]
        try:
            start, end = HISTORY_WINDOWS[path].serves(*bounds, self.server_ms())
        except ValueError as exc:
            return self.reply(10001, f"params error: {exc}", {})
        rows = sorted((r for r in self.history if start <= r["time"] <= end), key=lambda r: -r["time"])
        offset, limit = int(params.get("cursor") or 0), int(params.get("limit") or 20)
        more = str(offset + limit) if offset + limit < len(rows) else ""
        page = [{**r, "transactionTime": str(r["time"])} for r in rows[offset : offset + limit]]
        return {"list": page, "nextPageCursor": more}

    def reply(self, code: int, msg: str, result: dict, headers: dict | None = None) -> httpx.Response:
        envelope = {"retCode": code, "retMsg": msg, "result": result, "retExtInfo": {}, "time": self.server_ms()}
        return httpx.Response(200, content=orjson.dumps(envelope), headers=headers or {}, extensions={})
