"""Small clients for the simulator tests: raw signed REST (our own signing) and WebSocket helpers.

Everything waits on a condition with a deadline; nothing sleeps to synchronise.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import websockets

from bybit_widgets.protocol.signing import hmac_sha256_hex

DEFAULT_TIMEOUT = 5.0


def now_ms() -> int:
    return int(time.time() * 1000)


def arun(coro: Any, timeout: float = 60.0) -> Any:
    """Run a coroutine to completion in a fresh loop, failing after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def signed_headers(key: str, secret: str, payload: str, *, ts: int | None = None, recv: str | None = "5000") -> dict:
    ts = now_ms() if ts is None else ts
    headers = {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": str(ts),
        "X-BAPI-SIGN": hmac_sha256_hex(secret, f"{ts}{key}{recv or '5000'}{payload}"),
    }
    if recv is not None:
        headers["X-BAPI-RECV-WINDOW"] = recv
    return headers


class Rest:
    """Raw signed REST calls against a simulator: the bytes signed are the bytes sent."""

    def __init__(self, base_url: str, key: str, secret: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10.0)
        self.key = key
        self.secret = secret

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict | None = None, *, signed: bool = True, **kw: Any) -> httpx.Response:
        query = urlencode(params or {})
        headers = signed_headers(self.key, self.secret, query, **kw) if signed else {}
        return self.http.get(f"{path}?{query}" if query else path, headers=headers)

    def post(self, path: str, body: dict | str, **kw: Any) -> httpx.Response:
        raw = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        headers = {"Content-Type": "application/json", **signed_headers(self.key, self.secret, raw, **kw)}
        return self.http.post(path, content=raw.encode(), headers=headers)

    def ok(self, method: str, path: str, params: dict) -> Any:
        """Call and return ``result``, asserting retCode 0."""
        response = self.get(path, params) if method == "GET" else self.post(path, params)
        body = response.json()
        assert response.status_code == 200 and body["retCode"] == 0, (path, response.status_code, body)
        return body["result"]


def ws_auth_args(key: str, secret: str, ahead_ms: int = 10_000) -> list:
    expires = now_ms() + ahead_ms
    return [key, expires, hmac_sha256_hex(secret, f"GET/realtime{expires}")]


class Ws:
    """A websockets client with JSON send and condition-with-deadline receive."""

    def __init__(self, conn: websockets.ClientConnection) -> None:
        self.conn = conn

    @classmethod
    async def open(cls, url: str) -> Ws:
        # max_queue=None: an unread backlog must never pause reading (a paused reader cannot see the
        # close handshake, and close() would wait out its timeout)
        return cls(await websockets.connect(url, max_size=None, max_queue=None, ping_interval=None))

    async def send(self, obj: Any) -> None:
        await self.conn.send(obj if isinstance(obj, str) else json.dumps(obj))

    async def recv(self, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return json.loads(await asyncio.wait_for(self.conn.recv(), timeout))

    async def recv_raw(self, timeout: float = DEFAULT_TIMEOUT) -> str:
        raw = await asyncio.wait_for(self.conn.recv(), timeout)
        return raw if isinstance(raw, str) else raw.decode()

    async def until(self, predicate: Callable[[dict], bool], timeout: float = DEFAULT_TIMEOUT) -> dict:
        """The first message matching ``predicate`` (others are dropped) before the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no matching message before the deadline")
            message = await self.recv(left)
            if predicate(message):
                return message

    async def collect(self, predicate: Callable[[dict], bool], count: int, timeout: float = DEFAULT_TIMEOUT) -> list:
        """``count`` messages matching ``predicate``, in arrival order."""
        deadline = time.monotonic() + timeout
        out: list[dict] = []
        while len(out) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"only {len(out)} of {count} matching messages before the deadline")
            message = await self.recv(left)
            if predicate(message):
                out.append(message)
        return out

    async def request(self, obj: dict, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Send an op and return its reply (the first message without a ``topic``)."""
        await self.send(obj)
        return await self.until(lambda m: "topic" not in m, timeout)

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Ws:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def topic_is(name: str) -> Callable[[dict], bool]:
    return lambda m: m.get("topic") == name


class BookModel:
    """The reference client: applies snapshots and deltas, checks ``u`` continuity."""

    def __init__(self) -> None:
        self.bids: dict[str, str] = {}
        self.asks: dict[str, str] = {}
        self.u: int | None = None

    def apply(self, message: dict) -> None:
        data = message["data"]
        if message["type"] == "snapshot":
            self.bids = dict(data["b"])
            self.asks = dict(data["a"])
        else:
            assert self.u is not None and data["u"] == self.u + 1, f"u jumped from {self.u} to {data['u']}"
            for side, levels in ((self.bids, data["b"]), (self.asks, data["a"])):
                for price, size in levels:
                    if size == "0":
                        side.pop(price, None)
                    else:
                        side[price] = size
        self.u = data["u"]

    def top(self, depth: int) -> tuple[list[list[str]], list[list[str]]]:
        bids = sorted(self.bids.items(), key=lambda x: float(x[0]), reverse=True)[:depth]
        asks = sorted(self.asks.items(), key=lambda x: float(x[0]))[:depth]
        return [list(b) for b in bids], [list(a) for a in asks]
