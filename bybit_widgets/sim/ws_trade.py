"""``/v5/trade``: order entry over WebSocket, answered with REST-style acks (reference 7.3).

After ``auth``, ``order.create`` / ``order.amend`` / ``order.cancel`` (and the
``-batch`` forms) run the same engine calls as the REST endpoints, under the
same per-UID budgets (the replies carry the ``X-Bapi-Limit*`` values in
``header``), with the REST timestamp rule applied to
``header.X-BAPI-TIMESTAMP``. ``reqId`` is echoed when sent and must be unique
on the connection (20006). State changes arrive on the private streams.
"""

from __future__ import annotations

import secrets
from collections import deque
from typing import Any

from starlette.websockets import WebSocket

from ..protocol.topics import CATEGORIES
from .auth import DEFAULT_RECV_WINDOW, check_timestamp, verify_ws_auth
from .batch import BATCH_PATHS, run_batch
from .connection import Connection
from .engine.exchange import SimError
from .ratelimit import LimitState
from .reject import Reject
from .wsloop import BadMessage, parse_message, serve_authenticated

__all__ = ["trade_endpoint", "TRADE_OPS"]

TRADE_OPS = {
    "order.create": "/v5/order/create",
    "order.amend": "/v5/order/amend",
    "order.cancel": "/v5/order/cancel",
    "order.create-batch": "/v5/order/create-batch",
    "order.amend-batch": "/v5/order/amend-batch",
    "order.cancel-batch": "/v5/order/cancel-batch",
}
_REMEMBERED_REQ_IDS = 10_000


class TradeSession:
    def __init__(self, core: Any, conn: Connection) -> None:
        self.core = core
        self.conn = conn
        self.api_key: str | None = None
        self._seen: set[str] = set()
        self._seen_order: deque[str] = deque()

    def send(
        self,
        op: Any,
        code: int,
        msg: str,
        req_id: Any,
        *,
        data: Any = None,
        ext: Any = None,
        limit: LimitState | None = None,
        with_header: bool = True,
    ) -> None:
        reply: dict[str, Any] = {}
        if req_id is not None:
            reply["reqId"] = req_id
        reply.update(retCode=code, retMsg=msg, op=op)
        if with_header:
            header = limit.headers() if limit is not None else {}
            header["Traceid"] = secrets.token_hex(16)
            header["Timenow"] = str(self.core.clock.now_ms())
            reply.update(data={} if data is None else data, retExtInfo=ext or {}, header=header)
        reply["connId"] = self.conn.conn_id
        self.conn.send_obj(reply)

    def handle(self, raw: str | bytes | None) -> None:
        try:
            message = parse_message(raw)
        except BadMessage as exc:
            self.send("", 10001, str(exc).removeprefix("error:"), None, with_header=False)
            return
        op = message.get("op")
        req_id = message.get("reqId")
        if op == "ping":
            self.conn.send_obj(
                {
                    "retCode": 0,
                    "retMsg": "OK",
                    "op": "pong",
                    "data": [str(self.core.clock.now_ms())],
                    "connId": self.conn.conn_id,
                }
            )
        elif op == "auth":
            self.auth(message.get("args"), req_id)
        elif isinstance(op, str) and op in TRADE_OPS:  # (a junk op such as a list is no dict key)
            self.order(op, message, req_id)
        else:
            self.send(op if isinstance(op, str) else "", 10404, f"unsupported op: {op!r}", req_id, with_header=False)

    def auth(self, args: Any, req_id: Any) -> None:
        if self.api_key is not None:
            self.send("auth", 20001, "Repeat auth", req_id, with_header=False)
            return
        try:
            self.api_key = verify_ws_auth(args, self.core.exchange.secret_for, self.core.clock.now_ms())
        except Reject as exc:
            self.send("auth", exc.ret_code, exc.ret_msg, req_id, with_header=False)
            return
        self.send("auth", 0, "OK", req_id, with_header=False)

    def _check_req_id(self, req_id: Any) -> None:
        if req_id is None:
            return
        if not isinstance(req_id, str) or not 0 < len(req_id) <= 36:
            raise Reject(10001, "reqId must be a string of at most 36 characters")
        if req_id in self._seen:
            raise Reject(20006, f"reqId is duplicate: {req_id}")
        self._seen.add(req_id)
        self._seen_order.append(req_id)
        if len(self._seen_order) > _REMEMBERED_REQ_IDS:
            self._seen.discard(self._seen_order.popleft())

    def _check_header(self, header: Any) -> None:
        if not isinstance(header, dict) or "X-BAPI-TIMESTAMP" not in header:
            raise Reject(10001, "header.X-BAPI-TIMESTAMP is required")
        try:
            timestamp = int(header["X-BAPI-TIMESTAMP"])
            recv_window = int(header.get("X-BAPI-RECV-WINDOW", DEFAULT_RECV_WINDOW))
        except (TypeError, ValueError):
            raise Reject(10001, "header.X-BAPI-TIMESTAMP and X-BAPI-RECV-WINDOW must be whole numbers") from None
        check_timestamp(timestamp, recv_window, self.core.clock.now_ms())

    def order(self, op: str, message: dict, req_id: Any) -> None:
        core, api_key = self.core, self.api_key
        if api_key is None:
            self.send(op, 10007, "User authentication failed: send op auth first", req_id)
            return
        limit: LimitState | None = None
        try:
            self._check_req_id(req_id)
            self._check_header(message.get("header"))
            args = message.get("args")
            if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
                raise Reject(10001, "args must be a list holding one request object")
            params = args[0]
            if params.get("category") not in CATEGORIES:
                raise Reject(10404, f"unsupported category: {params.get('category')!r}")
            path = TRADE_OPS[op]
            if path in BATCH_PATHS:
                data, ext, limit = run_batch(core, api_key, path, params)
                self.send(op, 0, "OK", req_id, data=data, ext=ext, limit=limit)
                return
            limit = core.hit_limit(api_key, path, params)
            if limit is not None and not limit.allowed:
                raise Reject(10006, "Too many visits!")
            data = core.call_private(path, api_key, params)
        except (SimError, Reject) as exc:
            self.send(op, exc.ret_code, exc.ret_msg, req_id, limit=limit)
            return
        self.send(op, 0, "OK", req_id, data=data, limit=limit)


async def trade_endpoint(websocket: WebSocket) -> None:
    core = websocket.app.state.core
    await serve_authenticated(websocket, "trade", TradeSession, core.trade.add, core.trade.discard)
