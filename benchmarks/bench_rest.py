"""Signed REST round trips against the embedded exchange: bw.Client / bw.AsyncClient vs pybit 5.17.

The exchange runs in its own process (``python -m bybit_widgets.sim``, rate
limits off) so client and server do not share a GIL. Each client makes the
same signed read (``GET /v5/position/list``) sequentially; the async face
also runs with 50 requests in flight. Reported: requests/s (median of 3
rounds) and ratios. Run: ``python benchmarks/bench_rest.py``; writes
``benchmarks/results/rest.md``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import bybit_widgets as bw

N_SEQ = 400
N_CONC = 2000
IN_FLIGHT = 50
ROUNDS = 3


def start_exchange() -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bybit_widgets.sim", "--port", "0", "--seed", "1", "--no-rate-limits"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    return proc, json.loads(line)


def rate(fn, n: int) -> float:
    t0 = time.perf_counter()
    fn(n)
    return n / (time.perf_counter() - t0)


def main() -> None:
    proc, info = start_exchange()
    try:
        key, secret, url = info["api_key"], info["api_secret"], info["rest"]
        client = bw.Client(key, secret, base_url=url)
        client.get_positions(category="linear", symbol="BTCUSDT")

        def ours_seq(n):
            for _ in range(n):
                client.get_positions(category="linear", symbol="BTCUSDT")

        from pybit.unified_trading import HTTP

        session = HTTP(api_key=key, api_secret=secret)
        session.endpoint = url
        session.get_positions(category="linear", symbol="BTCUSDT")

        def pybit_seq(n):
            for _ in range(n):
                session.get_positions(category="linear", symbol="BTCUSDT")

        async def async_run(n: int, in_flight: int) -> float:
            async with bw.AsyncClient(key, secret, base_url=url, max_connections=in_flight) as ac:
                await ac.get_positions(category="linear", symbol="BTCUSDT")
                sem = asyncio.Semaphore(in_flight)

                async def one():
                    async with sem:
                        await ac.get_positions(category="linear", symbol="BTCUSDT")

                t0 = time.perf_counter()
                if in_flight == 1:
                    for _ in range(n):
                        await ac.get_positions(category="linear", symbol="BTCUSDT")
                else:
                    await asyncio.gather(*(one() for _ in range(n)))
                return n / (time.perf_counter() - t0)

        results: dict[str, list[float]] = {"ours": [], "pybit": [], "async_seq": [], "async_50": []}
        for _ in range(ROUNDS):
            results["ours"].append(rate(ours_seq, N_SEQ))
            results["pybit"].append(rate(pybit_seq, N_SEQ))
            results["async_seq"].append(asyncio.run(async_run(N_SEQ, 1)))
            results["async_50"].append(asyncio.run(async_run(N_CONC, IN_FLIGHT)))
        med = {k: statistics.median(v) for k, v in results.items()}
    finally:
        proc.terminate()
        proc.wait(10)
    lines = [
        "# Signed REST round trips against the embedded exchange",
        "",
        f"`GET /v5/position/list` (signed), exchange in its own process, loopback, median of {ROUNDS} rounds; "
        f"{N_SEQ} sequential calls, {N_CONC} calls with {IN_FLIGHT} in flight. 2-core machine.",
        "",
        "| client | requests/s |",
        "|---|---:|",
        f"| bw.Client, sequential | {med['ours']:.0f} |",
        f"| pybit 5.17 HTTP, sequential | {med['pybit']:.0f} |",
        f"| bw.AsyncClient, sequential | {med['async_seq']:.0f} |",
        f"| bw.AsyncClient, {IN_FLIGHT} in flight | {med['async_50']:.0f} |",
        "",
        f"- bw.Client / pybit (sequential): **{med['ours'] / med['pybit']:.2f}x** (target >= 1.3x)",
        f"- bw.AsyncClient {IN_FLIGHT} in flight / its own sequential rate: "
        f"**{med['async_50'] / med['async_seq']:.2f}x** (target >= 3x)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).parent / "results" / "rest.md"
    out.write_text(text)


if __name__ == "__main__":
    main()
