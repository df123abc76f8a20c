"""Micro-benchmark: validate + sign + build one request, ours vs pybit 5.17.

Measures the client-side cost per call before any I/O, for a signed GET
(open orders) and a signed POST (order create): parameter validation and
wire conversion, the signature over the exact bytes, and the transport-level
request object (``httpx.Request`` for us, ``requests.PreparedRequest`` for
pybit). Run: ``python benchmarks/bench_signing.py``; writes
``benchmarks/results/signing.md``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import httpx

from bybit_widgets.protocol.endpoints import ENDPOINTS, build_params
from bybit_widgets.protocol.signing import Credentials
from bybit_widgets.rest.pipeline import Pipeline

KEY, SECRET = "test-api-key", "test-secret-0123456789"
ORDER = dict(
    category="linear",
    symbol="BTCUSDT",
    side="Buy",
    order_type="Limit",
    qty="0.001",
    price="65000",
    time_in_force="GTC",
    order_link_id="bench-0001",
)
QUERY = dict(category="linear", symbol="BTCUSDT", limit=20)


def ours():
    pipe = Pipeline(
        base_url="https://api-testnet.bybit.com", credentials=Credentials(KEY, SECRET), environment="testnet"
    )
    pipe.clock.synced = True

    def post():
        wire = build_params(ENDPOINTS["place_order"], ORDER)
        req, _ = pipe._build(ENDPOINTS["place_order"], wire)
        return httpx.Request(req.method, req.url, headers=req.headers, content=req.content)

    def get():
        wire = build_params(ENDPOINTS["get_open_orders"], QUERY)
        req, _ = pipe._build(ENDPOINTS["get_open_orders"], wire)
        return httpx.Request(req.method, req.url, headers=req.headers)

    return post, get


def pybit():
    from pybit.unified_trading import HTTP

    session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)
    url = "https://api-testnet.bybit.com"
    wire_order = {
        "category": "linear",
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Limit",
        "qty": "0.001",
        "price": "65000",
        "timeInForce": "GTC",
        "orderLinkId": "bench-0001",
    }
    wire_query = {"category": "linear", "symbol": "BTCUSDT", "limit": 20}

    def post():
        q = session._clean_query(dict(wire_order))
        payload = session.prepare_payload("POST", q)
        headers = session._prepare_headers(payload, session.recv_window)
        return session._prepare_request("POST", f"{url}/v5/order/create", payload, headers)

    def get():
        q = session._clean_query(dict(wire_query))
        payload = session.prepare_payload("GET", q)
        headers = session._prepare_headers(payload, session.recv_window)
        return session._prepare_request("GET", f"{url}/v5/order/realtime", payload, headers)

    return post, get


def measure(fn, calls: int = 2000, rounds: int = 7) -> float:
    """Median over rounds of the mean µs per call."""
    for _ in range(200):
        fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples)


def main() -> None:
    rows = []
    our_post, our_get = ours()
    py_post, py_get = pybit()
    for label, a, b in (
        ("signed POST /v5/order/create", our_post, py_post),
        ("signed GET /v5/order/realtime", our_get, py_get),
    ):
        us, them = measure(a), measure(b)
        rows.append((label, us, them, them / us))
    lines = [
        "# Signing + request building per call (no I/O)",
        "",
        f"Python {sys.version.split()[0]}, median of 7 rounds x 2000 calls. Ours includes parameter validation;",
        "pybit 5.17 validates nothing (casts only). Lower is better.",
        "",
        "| call | bybit-widgets µs | pybit µs | pybit / ours |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {label} | {us:.1f} | {them:.1f} | {ratio:.2f}x |" for label, us, them, ratio in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "signing.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
