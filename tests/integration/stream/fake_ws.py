"""A small scriptable Bybit-v5-shaped WebSocket server for connection-layer tests.

The embedded simulator is the real counterpart (see test_against_sim.py);
this one exists to produce on demand what a correct exchange never sends:
malformed and oversized frames, refusals, silence that still answers
pings, a missing resync snapshot. It runs on the test's own event loop on
127.0.0.1 with an ephemeral port and records every request it receives.
"""

from __future__ import annotations

import json
import time
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from bybit_widgets.protocol.signing import hmac_sha256_hex, ws_auth_string


class FakeBybit:
    def __init__(self, *, secret: str = "s3cret", refuse: set[str] | None = None) -> None:
        self.secret = secret
        self.refuse = refuse or set()  # topics answered with "handler not found"
        self.skew_ms = 0  # the server clock runs this far ahead of ours
        self.answer_pings = True
        self.snapshot_on_subscribe = True
        self.requests: list[tuple[str, dict]] = []  # (path, request)
        self.connections: list[ServerConnection] = []
        self.subscribed: dict[ServerConnection, set[str]] = {}
        self.u: dict[str, int] = {}
        self.book: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        self.server: Server | None = None
        self.port = 0
        self.handshakes = 0

    async def __aenter__(self) -> FakeBybit:
        self.server = await serve(self._handle, "127.0.0.1", self.port, compression=None)
        self.port = self.server.sockets[0].getsockname()[1]  # type: ignore[index]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.skew_ms

    # -- what tests do ----------------------------------------------------------

    def ops(self, op: str) -> list[dict]:
        return [r for _, r in self.requests if r.get("op") == op]

    async def broadcast(self, payload: Any, path_suffix: str = "") -> None:
        text = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
        for ws in list(self.connections):
            if ws.request.path.endswith(path_suffix):  # type: ignore[union-attr]
                await ws.send(text)

    async def delta(self, topic: str, bids=(), asks=(), u: int | None = None) -> None:
        """Change the book and push a delta (``u`` overrides the next update id, to make gaps)."""
        b, a = self.book[topic]
        for side, rows in ((b, bids), (a, asks)):
            for p, q in rows:
                if q == "0":
                    side.pop(p, None)
                else:
                    side[p] = q
        self.u[topic] = self.u[topic] + 1 if u is None else u
        msg = {
            "topic": topic,
            "type": "delta",
            "ts": self.now_ms(),
            "data": {
                "s": topic.split(".")[-1],
                "b": [list(x) for x in bids],
                "a": [list(x) for x in asks],
                "u": self.u[topic],
                "seq": self.u[topic],
            },
            "cts": self.now_ms(),
        }
        for ws, topics in list(self.subscribed.items()):
            if topic in topics:
                await ws.send(json.dumps(msg))

    def truth(self, topic: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        b, a = self.book[topic]
        bids = sorted(((float(p), float(q)) for p, q in b.items()), reverse=True)
        asks = sorted((float(p), float(q)) for p, q in a.items())
        return bids, asks

    def drop_all(self) -> None:
        for ws in list(self.connections):
            ws.transport.abort()

    # -- serving -----------------------------------------------------------------

    def _snapshot(self, topic: str) -> dict:
        if topic not in self.book:
            self.book[topic] = ({"100.0": "1", "99.5": "2"}, {"100.5": "1", "101.0": "3"})
            self.u[topic] = 1000
        b, a = self.book[topic]
        self.u[topic] += 1
        return {
            "topic": topic,
            "type": "snapshot",
            "ts": self.now_ms(),
            "data": {
                "s": topic.split(".")[-1],
                "b": [[p, q] for p, q in b.items()],
                "a": [[p, q] for p, q in a.items()],
                "u": self.u[topic],
                "seq": self.u[topic],
            },
            "cts": self.now_ms(),
        }

    async def _handle(self, ws: ServerConnection) -> None:
        self.handshakes += 1
        self.connections.append(ws)
        self.subscribed[ws] = set()
        path = ws.request.path  # type: ignore[union-attr]
        private = path.endswith("/v5/private")
        try:
            async for text in ws:
                req = json.loads(text)
                self.requests.append((path, req))
                await self._answer(ws, req, private)
        except Exception:
            pass
        finally:
            self.connections.remove(ws)
            self.subscribed.pop(ws, None)

    async def _answer(self, ws: ServerConnection, req: dict, private: bool) -> None:
        op, req_id = req.get("op"), req.get("req_id", "")
        if op == "ping":
            if not self.answer_pings:
                return
            if private:
                await ws.send(
                    json.dumps({"req_id": req_id, "op": "pong", "args": [str(self.now_ms())], "conn_id": "c"})
                )
            else:
                await ws.send(
                    json.dumps({"success": True, "ret_msg": "pong", "conn_id": "c", "req_id": "", "op": "ping"})
                )
        elif op == "auth":
            key, expires, sign = req["args"]
            ok = expires > self.now_ms() and sign == hmac_sha256_hex(self.secret, ws_auth_string(expires))
            await ws.send(
                json.dumps(
                    {
                        "success": ok,
                        "ret_msg": "" if ok else "Params Error",
                        "op": "auth",
                        "conn_id": "c",
                        "req_id": req_id,
                    }
                )
            )
        elif op in ("subscribe", "unsubscribe"):
            topics = req["args"]
            bad = [t for t in topics if t in self.refuse]
            if bad and op == "subscribe":
                await ws.send(
                    json.dumps(
                        {
                            "success": False,
                            "ret_msg": f"error:handler not found,topic:{bad[0]}",
                            "conn_id": "c",
                            "req_id": req_id,
                            "op": op,
                        }
                    )
                )
                return
            already = [t for t in topics if t in self.subscribed[ws]] if op == "subscribe" else []
            if already:
                await ws.send(
                    json.dumps(
                        {
                            "success": False,
                            "ret_msg": f"error:already subscribed,topic:{already[0]}",
                            "conn_id": "c",
                            "req_id": req_id,
                            "op": op,
                        }
                    )
                )
                return
            await ws.send(json.dumps({"success": True, "ret_msg": "", "conn_id": "c", "req_id": req_id, "op": op}))
            for t in topics:
                if op == "unsubscribe":
                    self.subscribed[ws].discard(t)
                    continue
                self.subscribed[ws].add(t)
                if t.startswith("orderbook.") and self.snapshot_on_subscribe:
                    await ws.send(json.dumps(self._snapshot(t)))
                elif t.startswith("tickers."):
                    await ws.send(
                        json.dumps(
                            {
                                "topic": t,
                                "type": "snapshot",
                                "ts": self.now_ms(),
                                "cs": 1,
                                "data": {"symbol": t.split(".")[1], "lastPrice": "100.0"},
                            }
                        )
                    )
